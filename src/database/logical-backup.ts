import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { once } from 'node:events';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip, createGzip } from 'node:zlib';
import pg from 'pg';

/**
 * A logical backup: every row of the service's tables, read in one consistent snapshot, written
 * as gzipped NDJSON, and loaded back into a database migrated by the same release. It needs no
 * client tools of the server's version (pg_dump refuses a server newer than itself), so it serves
 * an external database (DATABASE_URL) as well as the embedded one, and it moves data between
 * PostgreSQL major versions.
 *
 * The file: a header line (format, migrations, tables and their columns), then per table a table
 * line followed by one line per row (the row as PostgreSQL's `row_to_json` writes it, so values
 * round-trip through its own text forms: timestamps to the microsecond, numerics, jsonb, bytea),
 * then a trailer with the row counts, the sequences and the SHA-256 of every line before it. A
 * restore checks the trailer before it commits, in one transaction: a truncated or altered file
 * leaves the target database as it was.
 */
export const LOGICAL_BACKUP_FORMAT = 'vep-casework-logical-backup';
const FORMAT_VERSION = 1;
const MIGRATIONS_TABLE = 'schema_migration';
/** Months detached by `audit:archive` live in their archive file, not in a backup. */
const ARCHIVED_PARTITION = /^audit_event_p\d{6}$/;
const FETCH_ROWS = 2_000;
const BATCH_BYTES = 4 * 1024 * 1024;

interface TableLine {
  vep: 'table';
  name: string;
  columns: string[];
}
interface HeaderLine {
  vep: 'header';
  format: typeof LOGICAL_BACKUP_FORMAT;
  formatVersion: number;
  createdAt: string;
  serverVersion: string;
  migrations: string[];
  tables: string[];
}
interface TrailerLine {
  vep: 'trailer';
  rows: Record<string, number>;
  sequences: { name: string; lastValue: string; isCalled: boolean }[];
  sha256: string;
}

export interface LogicalBackupReport {
  file: string;
  tables: number;
  rows: number;
  ms: number;
}

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** Each line's bytes feed the file's hash, so that the trailer names exactly what precedes it. */
class LineHash {
  private readonly hash = createHash('sha256');
  add(line: string): void {
    this.hash.update(line);
    this.hash.update('\n');
  }
  digest(): string {
    return this.hash.digest('hex');
  }
}

/** The service's tables in foreign-key order (a table after every table it references). */
async function tablesInLoadOrder(client: pg.Client): Promise<string[]> {
  const { rows: tables } = await client.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_class c
     WHERE c.relnamespace = current_schema()::regnamespace
       AND c.relkind IN ('r', 'p') AND NOT c.relispartition AND c.relname <> $1
     ORDER BY c.relname`,
    [MIGRATIONS_TABLE],
  );
  const names = tables.map((t) => t.name).filter((name) => !ARCHIVED_PARTITION.test(name));
  const { rows: edges } = await client.query<{ child: string; parent: string }>(
    `SELECT DISTINCT ch.relname AS child, pa.relname AS parent
     FROM pg_constraint k
     JOIN pg_class ch ON ch.oid = k.conrelid
     JOIN pg_class pa ON pa.oid = k.confrelid
     WHERE k.contype = 'f' AND k.connamespace = current_schema()::regnamespace`,
  );
  const parents = new Map<string, Set<string>>(names.map((n) => [n, new Set<string>()]));
  for (const { child, parent } of edges) {
    if (child !== parent && parents.has(child) && parents.has(parent)) {
      parents.get(child)!.add(parent);
    }
  }
  const ordered: string[] = [];
  const placed = new Set<string>();
  while (ordered.length < names.length) {
    const ready = names.filter(
      (n) => !placed.has(n) && [...parents.get(n)!].every((p) => placed.has(p)),
    );
    if (ready.length === 0) throw new Error('the foreign keys between tables form a cycle');
    for (const n of ready) {
      placed.add(n);
      ordered.push(n);
    }
  }
  return ordered;
}

/** Stored columns (generated columns are computed again on load). */
async function columnsOf(client: pg.Client, table: string): Promise<string[]> {
  const { rows } = await client.query<{ name: string }>(
    `SELECT attname AS name FROM pg_attribute
     WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped AND attgenerated = ''
     ORDER BY attnum`,
    [quoteIdent(table)],
  );
  return rows.map((r) => r.name);
}

async function primaryKeyOf(client: pg.Client, table: string): Promise<string[]> {
  const { rows } = await client.query<{ name: string }>(
    `SELECT a.attname AS name
     FROM pg_index i
     JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, n) ON true
     JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
     WHERE i.indrelid = $1::regclass AND i.indisprimary
     ORDER BY k.n`,
    [quoteIdent(table)],
  );
  return rows.map((r) => r.name);
}

async function appliedMigrations(client: pg.Client): Promise<string[]> {
  const { rows } = await client.query<{ name: string }>(
    `SELECT name FROM ${quoteIdent(MIGRATIONS_TABLE)} ORDER BY timestamp, name`,
  );
  return rows.map((r) => r.name);
}

/**
 * Writes every row of the database at `url` to `file` (which must not exist). The service may be
 * running: the rows are read in one repeatable-read snapshot, so the backup is the database as it
 * was at one moment, with every audit event of every change it holds.
 */
export async function dumpDatabase(url: string, file: string): Promise<LogicalBackupReport> {
  const started = performance.now();
  if (existsSync(file)) throw new Error(`${file} exists: write the backup to a new file`);
  const client = new pg.Client({ connectionString: url, application_name: 'vep-casework-dump' });
  await client.connect();
  const gzip = createGzip();
  const out = createWriteStream(file, { flags: 'wx', mode: 0o600 });
  gzip.pipe(out);
  const hash = new LineHash();
  const write = async (line: string) => {
    hash.add(line);
    if (!gzip.write(`${line}\n`)) await once(gzip, 'drain');
  };
  let total = 0;
  try {
    await client.query(`BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY`);
    await client.query(`SET LOCAL TimeZone = 'UTC'`);
    const tables = await tablesInLoadOrder(client);
    const {
      rows: [{ server_version: serverVersion }],
    } = await client.query<{ server_version: string }>(`SHOW server_version`);
    const header: HeaderLine = {
      vep: 'header',
      format: LOGICAL_BACKUP_FORMAT,
      formatVersion: FORMAT_VERSION,
      createdAt: new Date().toISOString(),
      serverVersion,
      migrations: await appliedMigrations(client),
      tables,
    };
    await write(JSON.stringify(header));
    const counts: Record<string, number> = {};
    for (const table of tables) {
      const columns = await columnsOf(client, table);
      if (columns[0] === 'vep') throw new Error(`${table}: a first column named "vep" is reserved`);
      const key = await primaryKeyOf(client, table);
      await write(JSON.stringify({ vep: 'table', name: table, columns } satisfies TableLine));
      const list = columns.map(quoteIdent).join(', ');
      const order = key.length ? ` ORDER BY ${key.map(quoteIdent).join(', ')}` : '';
      await client.query(
        `DECLARE dump_rows NO SCROLL CURSOR FOR
         SELECT row_to_json(r)::text AS line FROM (SELECT ${list} FROM ${quoteIdent(table)}${order}) r`,
      );
      let n = 0;
      for (;;) {
        const { rows } = await client.query<{ line: string }>(`FETCH ${FETCH_ROWS} FROM dump_rows`);
        for (const row of rows) await write(row.line);
        n += rows.length;
        if (rows.length < FETCH_ROWS) break;
      }
      await client.query(`CLOSE dump_rows`);
      counts[table] = n;
      total += n;
    }
    // Read last: a sequence is never behind the rows of an earlier snapshot.
    const { rows: sequences } = await client.query<{ name: string }>(
      `SELECT relname AS name FROM pg_class
       WHERE relkind = 'S' AND relnamespace = current_schema()::regnamespace ORDER BY relname`,
    );
    const sequenceValues: TrailerLine['sequences'] = [];
    for (const { name } of sequences) {
      const {
        rows: [value],
      } = await client.query<{ last_value: string; is_called: boolean }>(
        `SELECT last_value::text, is_called FROM ${quoteIdent(name)}`,
      );
      sequenceValues.push({ name, lastValue: value.last_value, isCalled: value.is_called });
    }
    await client.query(`COMMIT`);
    const trailer: TrailerLine = {
      vep: 'trailer',
      rows: counts,
      sequences: sequenceValues,
      sha256: hash.digest(),
    };
    gzip.end(`${JSON.stringify(trailer)}\n`);
    await once(out, 'close');
    return {
      file,
      tables: tables.length,
      rows: total,
      ms: Math.round(performance.now() - started),
    };
  } catch (error) {
    gzip.destroy();
    out.destroy();
    throw error;
  } finally {
    await client.end();
  }
}

export class RestoreRefused extends Error {}

/** Loads rows into the current table with an INSERT of a JSON batch. */
async function insertBatch(client: pg.Client, table: TableLine, lines: string[]): Promise<void> {
  if (lines.length === 0) return;
  const list = table.columns.map(quoteIdent).join(', ');
  const batch = `[${lines.join(',')}]`;
  if (table.name === 'audit_event') {
    // Monthly partitions exist only for months that have events: create those of the batch.
    await client.query(
      `SELECT audit_ensure_partitions(min(occurred_at)::date, max(occurred_at)::date)
       FROM json_populate_recordset(null::audit_event, $1::json)`,
      [batch],
    );
  }
  await client.query(
    `INSERT INTO ${quoteIdent(table.name)} (${list}) OVERRIDING SYSTEM VALUE
     SELECT ${list} FROM json_populate_recordset(null::${quoteIdent(table.name)}, $1::json)`,
    [batch],
  );
}

/**
 * Loads a logical backup into the database at `url`, which must already be migrated by the same
 * release (the same migrations, checked) and hold no rows in any table of the backup. Everything
 * is loaded in one transaction and committed only when the file's trailer matches what was read.
 */
export async function restoreDatabase(url: string, file: string): Promise<LogicalBackupReport> {
  const started = performance.now();
  const client = new pg.Client({ connectionString: url, application_name: 'vep-casework-restore' });
  await client.connect();
  const hash = new LineHash();
  let header: HeaderLine | undefined;
  let trailer: TrailerLine | undefined;
  let table: TableLine | undefined;
  let batch: string[] = [];
  let batchBytes = 0;
  const counts: Record<string, number> = {};
  let total = 0;
  const flush = async () => {
    if (table) await insertBatch(client, table, batch);
    batch = [];
    batchBytes = 0;
  };
  try {
    await client.query(`BEGIN`);
    await client.query(`SET LOCAL TimeZone = 'UTC'`);
    for await (const line of linesOf(file)) {
      if (trailer) throw new RestoreRefused('the file goes on after its trailer');
      if (!line.startsWith('{"vep":')) {
        if (!table) throw new RestoreRefused('a row before any table line');
        hash.add(line);
        batch.push(line);
        batchBytes += line.length;
        counts[table.name]++;
        total++;
        if (batch.length >= FETCH_ROWS || batchBytes >= BATCH_BYTES) await flush();
        continue;
      }
      const control = JSON.parse(line) as HeaderLine | TableLine | TrailerLine;
      if (control.vep === 'trailer') {
        await flush();
        trailer = control;
        continue;
      }
      hash.add(line);
      if (control.vep === 'header') {
        if (header) throw new RestoreRefused('a second header');
        if (control.format !== LOGICAL_BACKUP_FORMAT || control.formatVersion !== FORMAT_VERSION) {
          throw new RestoreRefused('not a backup of this format');
        }
        header = control;
        await checkTarget(client, header);
        continue;
      }
      if (!header) throw new RestoreRefused('a table line before the header');
      if (!header.tables.includes(control.name) || control.name in counts) {
        throw new RestoreRefused(`unexpected table ${control.name}`);
      }
      await flush();
      const columns = await columnsOf(client, control.name);
      const missing = control.columns.filter((c) => !columns.includes(c));
      if (missing.length) {
        throw new RestoreRefused(`${control.name}: no column ${missing.join(', ')} in the target`);
      }
      table = control;
      counts[table.name] = 0;
    }
    if (!header || !trailer) throw new RestoreRefused('the file is incomplete (no trailer)');
    if (trailer.sha256 !== hash.digest()) {
      throw new RestoreRefused('the file does not match its own hash: it was altered or damaged');
    }
    for (const name of header.tables) {
      if ((counts[name] ?? -1) !== trailer.rows[name]) {
        throw new RestoreRefused(
          `${name}: ${counts[name] ?? 0} rows read, ${trailer.rows[name]} written`,
        );
      }
    }
    for (const s of trailer.sequences) {
      await client.query(`SELECT setval($1::regclass, $2::bigint, $3)`, [
        quoteIdent(s.name),
        s.lastValue,
        s.isCalled,
      ]);
    }
    await client.query(`COMMIT`);
    return {
      file,
      tables: header.tables.length,
      rows: total,
      ms: Math.round(performance.now() - started),
    };
  } catch (error) {
    await client.query(`ROLLBACK`).catch(() => undefined);
    throw error;
  } finally {
    await client.end();
  }
}

/**
 * The file's lines, read as they are consumed (the stream pauses while a batch is written), so a
 * restore holds one batch in memory whatever the size of the backup.
 */
async function* linesOf(file: string): AsyncGenerator<string> {
  const decoder = new StringDecoder('utf8');
  let rest = '';
  for await (const chunk of createReadStream(file).pipe(createGunzip())) {
    const text = rest + decoder.write(chunk as Buffer);
    const parts = text.split('\n');
    rest = parts.pop()!;
    yield* parts;
  }
  rest += decoder.end();
  if (rest) yield rest;
}

/** The target runs the backup's release (same migrations) and holds none of its rows yet. */
async function checkTarget(client: pg.Client, header: HeaderLine): Promise<void> {
  const exists = await client.query(`SELECT to_regclass($1) AS t`, [quoteIdent(MIGRATIONS_TABLE)]);
  if (!exists.rows[0].t) {
    throw new RestoreRefused(
      'the target database is not migrated: run `npm run migration:run` first',
    );
  }
  const applied = await appliedMigrations(client);
  if (applied.join('\n') !== header.migrations.join('\n')) {
    throw new RestoreRefused(
      `the target's migrations (${applied.length}) differ from the backup's (${header.migrations.length}): ` +
        'restore with the release that made the backup, then upgrade',
    );
  }
  for (const name of header.tables) {
    const found = await client.query(`SELECT to_regclass($1) AS t`, [quoteIdent(name)]);
    if (!found.rows[0].t) throw new RestoreRefused(`the target has no table ${name}`);
    const { rowCount } = await client.query(`SELECT 1 FROM ${quoteIdent(name)} LIMIT 1`);
    if (rowCount) throw new RestoreRefused(`the target is not empty (${name} has rows)`);
  }
}
