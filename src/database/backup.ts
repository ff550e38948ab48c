import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join, relative, resolve } from 'node:path';
import pg from 'pg';

/** Files of a running cluster that a copy must leave out (they describe that running server). */
const SKIPPED = new Set([
  'postmaster.pid',
  'postmaster.opts',
  'vep-owner.json',
  'backup_label',
  'tablespace_map',
]);
/** Directories whose contents are of the running server only (kept empty in the copy). */
const EMPTIED = new Set([
  'pg_wal',
  'pg_replslot',
  'pg_dynshmem',
  'pg_notify',
  'pg_serial',
  'pg_snapshots',
  'pg_stat_tmp',
  'pg_subtrans',
]);

export interface BackupReport {
  target: string;
  bytes: number;
  files: number;
  ms: number;
}

/**
 * An online backup of the embedded database and the service's keys, while the service runs:
 * PostgreSQL's low-level base backup (pg_backup_start, a copy of the cluster's files,
 * pg_backup_stop, then the WAL written meanwhile), which needs no client tools of the server's
 * version. The target is a DATA_DIR: a service started on it recovers the database to the moment
 * the backup ended. The audit signing key is in it: a restored trail verifies with the keys it
 * was signed with.
 */
export async function backupEmbedded(options: {
  /** Superuser URL of the running embedded server. */
  url: string;
  dataDir: string;
  target: string;
}): Promise<BackupReport> {
  const started = performance.now();
  const source = resolve(options.dataDir, 'postgres');
  const target = resolve(options.target);
  if (existsSync(target) && readdirSync(target).length > 0) {
    throw new Error(`${target} is not empty: back up into a new directory`);
  }
  // The directory is traversable (the database may run as another user); what it holds is not.
  mkdirSync(target, { recursive: true, mode: 0o755 });
  mkdirSync(join(target, 'postgres'), { mode: 0o700 });
  const client = new pg.Client({ connectionString: options.url });
  await client.connect();
  let files = 0;
  let bytes = 0;
  try {
    await client.query(`SELECT pg_backup_start($1, true)`, [
      `vep-backup ${new Date().toISOString()}`,
    ]);
    const copy = (from: string, to: string) => {
      for (const entry of readdirSync(from, { withFileTypes: true })) {
        const path = join(from, entry.name);
        const rel = relative(source, path);
        if (SKIPPED.has(rel)) continue;
        const dest = join(to, entry.name);
        if (entry.isDirectory()) {
          mkdirSync(dest, { recursive: true, mode: 0o700 });
          if (!EMPTIED.has(rel)) copy(path, dest);
        } else if (entry.isFile()) {
          try {
            cpSync(path, dest);
            files++;
            bytes += statSync(dest).size;
          } catch (error) {
            // A file the server removed meanwhile (a dropped relation): WAL replay accounts for it.
            if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
          }
        }
      }
    };
    copy(source, join(target, 'postgres'));
    const { rows } = await client.query<{ labelfile: string; spcmapfile: string }>(
      `SELECT labelfile, spcmapfile FROM pg_backup_stop(false)`,
    );
    writeFileSync(join(target, 'postgres', 'backup_label'), rows[0].labelfile, { mode: 0o600 });
    if (rows[0].spcmapfile) {
      writeFileSync(join(target, 'postgres', 'tablespace_map'), rows[0].spcmapfile, {
        mode: 0o600,
      });
    }
    // The WAL from the backup's start to its end (and after): what recovery replays.
    await client.query(`SELECT pg_switch_wal()`);
    for (const entry of readdirSync(join(source, 'pg_wal'), { withFileTypes: true })) {
      if (!entry.isFile()) continue;
      try {
        cpSync(join(source, 'pg_wal', entry.name), join(target, 'postgres', 'pg_wal', entry.name));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    }
  } catch (error) {
    await client.query(`SELECT pg_backup_stop(false)`).catch(() => undefined);
    rmSync(target, { recursive: true, force: true });
    throw error;
  } finally {
    await client.end();
  }
  // PostgreSQL runs as the cluster's owner (the postgres user when the service runs as root).
  const owner = statSync(source);
  if (process.getuid?.() === 0 && owner.uid !== 0) {
    execFileSync('chown', ['-R', `${owner.uid}:${owner.gid}`, join(target, 'postgres')]);
  }
  const keys = resolve(options.dataDir, 'keys');
  if (existsSync(keys)) cpSync(keys, join(target, 'keys'), { recursive: true });
  writeFileSync(
    join(target, 'BACKUP'),
    `Backup of ${resolve(options.dataDir)} taken ${new Date().toISOString()}.\n` +
      'Restore: stop the service, then start it with DATA_DIR set to this directory (or a copy).\n',
  );
  return { target, bytes, files, ms: Math.round(performance.now() - started) };
}

/** The superuser password of an embedded cluster, for tools that connect to it. */
export function embeddedPassword(dataDir: string): string {
  return readFileSync(join(dataDir, 'keys', 'embedded-postgres.password'), 'utf8').trim();
}
