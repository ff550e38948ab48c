import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { arch, platform, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import pg from 'pg';
import {
  freePort,
  startEmbeddedPostgres,
  type EmbeddedDatabase,
} from '../src/database/embedded-postgres.js';
import { compiledModule, runScript } from './support/child-process.js';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function until(what: string, check: () => boolean | Promise<boolean>, ms = 15_000) {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function query(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  await client.connect();
  try {
    return (await client.query<{ one: number }>('SELECT 1 AS one')).rows[0].one;
  } finally {
    await client.end();
  }
}

const postmasterPid = (clusterDir: string) =>
  Number(readFileSync(join(clusterDir, 'postmaster.pid'), 'utf8').split('\n')[0]);

describe('embedded PostgreSQL: its life tied to the service', () => {
  let work: string;
  let clusterDir: string;
  let options: { clusterDir: string; passwordFile: string; database: string };
  const started: EmbeddedDatabase[] = [];
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'vep-embedded-'));
    chmodSync(work, 0o755);
    clusterDir = join(work, 'postgres');
    options = { clusterDir, passwordFile: join(work, 'keys', 'pg'), database: 'vep' };
    // First start: initdb and the database.
    const db = await startEmbeddedPostgres(options);
    expect(await query(db.url)).toBe(1);
    // Reads done by the backends themselves (the I/O workers cost more on a small host).
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    expect((await client.query('SHOW io_method')).rows).toEqual([{ io_method: 'sync' }]);
    // autoprewarm: the buffers' blocks are written out when the server stops, read back at start.
    expect((await client.query('SHOW shared_preload_libraries')).rows).toEqual([
      { shared_preload_libraries: 'pg_prewarm' },
    ]);
    await client.end();
    await db.stop();
    expect(existsSync(join(clusterDir, 'autoprewarm.blocks'))).toBe(true);
  }, 120_000);

  afterAll(async () => {
    for (const db of started) await db.stop();
    for (const c of children) c.kill('SIGKILL');
    rmSync(work, { recursive: true, force: true });
  });

  it('stops the database when the service process is killed with SIGKILL, and starts again after', async () => {
    const module = compiledModule('src/database/embedded-postgres.ts');
    const { child, line } = await runScript(
      `const { startEmbeddedPostgres } = await import(${JSON.stringify(module)});
       const db = await startEmbeddedPostgres(${JSON.stringify(options)});
       console.log(JSON.stringify({ url: db.url, pid: db.pid() }));
       setInterval(() => undefined, 1000);`,
    );
    children.push(child);
    const { url, pid } = JSON.parse(line) as { url: string; pid: number };
    expect(await query(url)).toBe(1);
    child.kill('SIGKILL');
    await until('the orphaned postmaster has stopped', () => !alive(pid));

    const db = await startEmbeddedPostgres(options);
    started.push(db);
    expect(await query(db.url)).toBe(1);
    await db.stop();
    expect(alive(pid)).toBe(false);
  }, 60_000);

  it('stops a postmaster orphaned by an earlier run (no watchdog) instead of refusing to start', async () => {
    const pkg = `@embedded-postgres/${platform()}-${arch()}`;
    const { initdb } = (await import(pkg)) as { initdb: string };
    const bin = join(dirname(initdb), 'postgres');
    const ids = process.getuid?.() === 0 ? postgresIds() : {};
    const port = String(await freePort());
    const orphan = spawn(bin, ['-D', clusterDir, '-p', port, '-c', 'listen_addresses=127.0.0.1'], {
      ...ids,
      detached: true,
      stdio: 'ignore',
    });
    children.push(orphan);
    await until('the orphan is up', () => {
      try {
        return postmasterPid(clusterDir) === orphan.pid;
      } catch {
        return false;
      }
    });
    // Its owner, a service process, died long ago.
    writeFileSync(join(clusterDir, 'vep-owner.json'), JSON.stringify({ pid: 999_999_999 }));

    const db = await startEmbeddedPostgres(options);
    started.push(db);
    expect(await query(db.url)).toBe(1);
    expect(alive(orphan.pid!)).toBe(false);
    expect(db.pid()).not.toBe(orphan.pid);
    await db.stop();
  }, 60_000);

  it('refuses while the service that owns the running database is alive', async () => {
    const db = await startEmbeddedPostgres(options);
    started.push(db);
    await expect(startEmbeddedPostgres(options)).rejects.toThrow(/already in use by postgres/);
    await db.stop();
  }, 60_000);

  it('starts although postmaster.pid names a live process that is not this cluster’s server', async () => {
    const other = spawn('sleep', ['60'], { stdio: 'ignore' });
    children.push(other);
    writeFileSync(
      join(clusterDir, 'postmaster.pid'),
      `${other.pid}\n${clusterDir}\n1700000000\n5432\n/tmp\n127.0.0.1\n  5432001    0\nready\n`,
    );
    const db = await startEmbeddedPostgres(options);
    started.push(db);
    expect(await query(db.url)).toBe(1);
    expect(alive(other.pid!)).toBe(true);
    await db.stop();
  }, 60_000);

  it('starts the database again, on the same address, when it is killed while the service runs', async () => {
    const db = await startEmbeddedPostgres(options);
    started.push(db);
    const first = db.pid()!;
    process.kill(first, 'SIGKILL');
    await until(
      'the database answers again',
      async () =>
        db.pid() !== undefined && db.pid() !== first && (await query(db.url).catch(() => 0)) === 1,
      30_000,
    );
    await db.stop();
    expect(db.pid()).toBeUndefined();
  }, 60_000);
});

function postgresIds(): { uid: number; gid: number } {
  const read = (file: string) => readFileSync(file, 'utf8');
  const line = read('/etc/passwd')
    .split('\n')
    .find((l) => l.startsWith('postgres:'))!
    .split(':');
  return { uid: Number(line[2]), gid: Number(line[3]) };
}
