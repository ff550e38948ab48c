import { sign, type KeyObject } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { canonicalJson } from '../crypto/canonical-json.js';
import type pg from 'pg';
import type { TrustedKeys } from '../crypto/trusted-keys.js';
import { BINARY_SCAN_COLUMNS, BinaryRunFollower } from './audit-binary-scan.js';
import { copyOut, type CopyClient, type ScanSuspect } from './audit-copy-scan.js';
import {
  scanConnection,
  scanInThreads,
  scanThreadsAvailable,
  type ScanConnection,
} from './audit-scan-threads.js';
import { AUDIT_RECORD_COLUMNS, auditHash, GENESIS_HASH, type AuditRecord } from './audit-event.js';

/** Anything that runs SQL: a TypeORM manager in the service, a pg client in the CLI. */
export interface Queryable {
  query(sql: string, params?: unknown[]): Promise<unknown>;
}

/** A connection of its own (verification reads chains in parallel, one connection each). */
export interface Session {
  query(sql: string, params?: unknown[]): Promise<unknown>;
  release(): Promise<void>;
  /**
   * `COPY ... TO STDOUT` on this connection, each row to `onRow` as it arrives (see
   * `copyOut`). With it a full check hashes here, streaming; without it, in SQL.
   */
  copyOut?(sql: string, onRow: (row: Buffer) => void): Promise<number>;
  /**
   * How this connection was opened, when it can be opened again from another thread: a full
   * check then reads and hashes in threads, one connection each (see audit-scan-threads).
   */
  connection?: ScanConnection;
}

/** A Session over a pg client (a pool's, or the one TypeORM's query runner holds). */
export function pgSession(client: pg.ClientBase, release: () => void): Session {
  return {
    query: async (sql, params) => (await client.query(sql, params)).rows,
    release: async () => release(),
    copyOut: (sql, onRow) => copyOut(client as CopyClient, sql, onRow),
    connection: scanConnection(client),
  };
}

export interface CheckpointHead {
  chainId: number;
  chainSeq: number;
  seq: number;
  hash: string;
}

export interface CheckpointPayload {
  createdAt: string;
  headSeq: number | null;
  heads: CheckpointHead[];
}

/** What a signed verification mark says: the trail was intact up to this checkpoint. */
export interface VerificationPayload {
  createdAt: string;
  checkpointId: number;
  checkpointSignature: string;
  mode: 'full' | 'incremental';
  checked: number;
}

/**
 * Where one chain's archived events run without a break: from position `start` (linking to
 * `startPrevHash`) to `end` (whose hash is `endHash`). Kept, signed, for detached partitions.
 */
export interface ChainRun {
  chainId: number;
  start: number;
  startSeq: number;
  startPrevHash: string;
  end: number;
  endSeq: number;
  endHash: string;
}

/** What an archive record signs. */
export interface ArchivePayload {
  createdAt: string;
  partition: string;
  from: string;
  to: string;
  events: number;
  runs: ChainRun[];
  fileName: string;
  fileSha256: string;
}

/**
 * What the verifier can find wrong. Each problem names the event (seq) and chain it concerns:
 * - `altered`: the event's content does not match its hash;
 * - `broken_link`: the event's prev_hash is not the hash of the event before it in its chain;
 * - `missing_before`: positions are missing in the chain before this event (rows removed);
 * - `missing_newest`: the chain head is beyond the chain's last event (newest rows removed);
 * - `head_mismatch`: the chain does not end where its head says (rows past the head, or
 *   another hash);
 * - `checkpoint_invalid`: a checkpoint's (or archive record's, or verification mark's)
 *   signature does not verify with the trusted key it names (seq: the checkpoint's headSeq;
 *   chain: null). A key that is not trusted is not a problem of the trail: it is reported in
 *   `untrustedKeys`;
 * - `checkpoint_mismatch`: an event a validly signed checkpoint vouches for is missing or
 *   different, as after rows were removed and the chain re-linked and renumbered.
 */
export const AUDIT_PROBLEM_KINDS = [
  'altered',
  'broken_link',
  'missing_before',
  'missing_newest',
  'head_mismatch',
  'checkpoint_invalid',
  'checkpoint_mismatch',
] as const;
export type AuditProblemKind = (typeof AUDIT_PROBLEM_KINDS)[number];

export interface AuditProblem {
  seq: number | null;
  chain: number | null;
  kind: AuditProblemKind;
  detail: string;
  checkpoint?: number;
}

/** The most problems listed in one result; `problemCount` still counts them all. */
export const MAX_REPORTED_PROBLEMS = 1000;

export type VerifyMode = 'full' | 'incremental';

/**
 * - `intact`: every event checked and every signature checked, nothing wrong;
 * - `tampered`: at least one problem;
 * - `unverifiable`: nothing wrong found, but some signatures name keys that are not trusted, so
 *   they could not be checked.
 */
export type VerifyStatus = 'intact' | 'tampered' | 'unverifiable';

export interface UntrustedKey {
  keyId: string;
  /** How many checkpoints (and archive records) it signed. */
  signatures: number;
  detail: string;
}

export interface VerifyResult {
  ok: boolean;
  status: VerifyStatus;
  mode: VerifyMode;
  /** Incremental: the signed checkpoint trusted as verified (events up to it not re-read). */
  fromCheckpoint: number | null;
  checked: number;
  headSeq: number | null;
  chains: number;
  checkpoints: number;
  /** Detached partitions whose archive records were taken into account. */
  archives: number;
  durationMs: number;
  lastCheckpoint?: { id: number; createdAt: string; headSeq: number | null };
  untrustedKeys: UntrustedKey[];
  /** Every problem found (up to MAX_REPORTED_PROBLEMS), in seq order. */
  problems: AuditProblem[];
  problemCount: number;
  /** The lowest seq among the problems, and that problem's detail. */
  firstInvalidSeq?: number;
  reason?: string;
}

export interface VerifyProgress {
  checked: number;
  /** Events expected in all (from the chain heads); 0 when unknown. */
  total: number;
  elapsedMs: number;
}

export interface VerifyOptions {
  mode: VerifyMode;
  trustedKeys: TrustedKeys;
  /**
   * Readers in parallel beside the connection holding the snapshot: threads with a connection
   * each where this build has them (at least one), else pooled connections (0: that one alone).
   */
  workers: number;
  onProgress?: (progress: VerifyProgress) => void;
}

/**
 * Parallel readers for a full check: one per core (connections read by the main thread, or on
 * three cores or more threads with a connection each, reading and hashing), at most 4.
 */
export const verifyWorkers = () => Math.min(4, Math.max(1, availableParallelism()));

/** Collects problems: keeps the first MAX_REPORTED_PROBLEMS, counts all, tracks the lowest seq. */
class Problems {
  readonly listed: AuditProblem[] = [];
  count = 0;
  first?: AuditProblem;

  add(problem: AuditProblem): void {
    this.count += 1;
    if (this.listed.length < MAX_REPORTED_PROBLEMS) this.listed.push(problem);
    if (!this.first || (problem.seq ?? 0) < (this.first.seq ?? 0)) this.first = problem;
  }
}

/** Ed25519 signs the canonical payload itself (no separate digest, hence algorithm null). */
export function signPayload(payload: unknown, privateKey: KeyObject): string {
  return sign(null, Buffer.from(canonicalJson(payload)), privateKey).toString('base64');
}

export const signCheckpoint = (payload: CheckpointPayload, privateKey: KeyObject) =>
  signPayload(payload, privateKey);

const json = (column: string) => `COALESCE(to_json(${column})::text, 'null')`;
/** A uuid never needs escaping: quoted as it is (cheaper than to_json). */
const uuid = (column: string) => `COALESCE('"' || ${column}::text || '"', 'null')`;

/**
 * The canonical JSON (RFC 8785) of a row as `auditHash` computes it, rendered by PostgreSQL so
 * the hashing runs beside the data, in every backend reading a partition. PostgreSQL escapes
 * strings as JSON.stringify does; `details` keys are sorted bytewise. Where this rendering could
 * differ from the reference (numbers not in their shortest form, keys outside the Basic
 * Multilingual Plane, nested values), the hash simply does not match and the
 * row is checked again in JavaScript with `auditHash`: a match is proof (SHA-256), a mismatch
 * only a suspect. One concat() rather than a chain of || (one allocation per row).
 */
export const SQL_CANONICAL_ROW = `concat(prev_hash, '{"action":', to_json(action),
  ',"actorId":', ${uuid('actor_id')},
  ',"actorRoles":', COALESCE(array_to_json(actor_roles)::text, 'null'),
  ',"actorUsername":', ${json('actor_username')},
  ',"chainId":', chain_id,
  ',"chainSeq":"', chain_seq,
  '","changedFields":', COALESCE(array_to_json(changed_fields)::text, 'null'),
  ',"details":', CASE
       WHEN details IS NULL THEN 'null'
       WHEN jsonb_typeof(details) <> 'object' THEN details::text
       ELSE (SELECT '{' || COALESCE(string_agg(to_json(d.k)::text || ':' || CASE jsonb_typeof(d.v)
           WHEN 'array' THEN (SELECT '[' || COALESCE(string_agg(a.e::text, ',' ORDER BY a.o), '') || ']'
             FROM jsonb_array_elements(d.v) WITH ORDINALITY AS a(e, o))
           ELSE d.v::text END, ',' ORDER BY d.k COLLATE "C"), '') || '}'
         FROM jsonb_each(details) AS d(k, v)) END,
  ',"entityId":', ${json('entity_id')},
  ',"entityType":', ${json('entity_type')},
  ',"facilityId":', ${uuid('facility_id')},
  ',"ip":', ${json('ip')},
  ',"occurredAt":"', to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
  '","outcome":', to_json(outcome),
  ',"prisonerId":', ${uuid('prisoner_id')},
  ',"purpose":', ${json('purpose')},
  ',"requestId":', ${json('request_id')},
  ',"seq":"', seq,
  '","userAgent":', ${json('user_agent')}, '}')`;

/**
 * One scan of a partition (every chain), or of one chain from a position on (incremental):
 * every row is hashed by the backend as it is read, then ordered by chain and position, and
 * only the rows where something starts, ends or is wrong come back: a run's first row (no
 * predecessor in this scan, or one it does not link to), its last row, and rows whose hash
 * PostgreSQL could not reproduce.
 */
const scanSql = (table: string, from: boolean) => `
  SELECT chain_id AS "chainId", chain_seq::text AS "chainSeq", seq::text AS seq,
    prev_hash AS "prevHash", hash, hashed AS ok,
    (pcs IS NULL OR chain_seq <> pcs + 1 OR prev_hash <> ph) AS "isStart",
    (ncs IS NULL OR ncs <> chain_seq + 1 OR nph <> hash) AS "isEnd"
  FROM (
    SELECT chain_id, chain_seq, seq, prev_hash, hash, hashed,
      lag(chain_seq) OVER w AS pcs, lag(hash) OVER w AS ph,
      lead(chain_seq) OVER w AS ncs, lead(prev_hash) OVER w AS nph
    FROM (
      SELECT chain_id, chain_seq, seq, prev_hash, hash,
        sha256(convert_to(${SQL_CANONICAL_ROW}, 'UTF8')) = decode(hash, 'hex') AS hashed
      FROM ${table} ${from ? 'WHERE chain_id = $1 AND chain_seq >= $2' : ''}
    ) hashed
    WINDOW w AS (PARTITION BY chain_id ORDER BY chain_seq)
  ) x
  WHERE NOT hashed OR pcs IS NULL OR ncs IS NULL OR chain_seq <> pcs + 1 OR prev_hash <> ph
    OR ncs <> chain_seq + 1 OR nph <> hash
  ORDER BY chain_id, chain_seq`;

/** Turns the rows of a scan into runs (and suspects), chain by chain. */
function collectRuns(
  rows: ScanRow[],
  onRun: (run: ChainRun) => void,
  onSuspect: (row: ScanRow) => void,
): void {
  let open: ScanRow | undefined;
  for (const row of rows) {
    if (!row.ok) onSuspect(row);
    if (row.isStart) open = row;
    if (row.isEnd && open && open.chainId === row.chainId) {
      onRun(toRun(row.chainId, open, row));
      open = undefined;
    }
  }
}

/**
 * The runs of each chain in one partition (ordered scans, hashed in the database). Rows whose
 * hash PostgreSQL could not reproduce are returned as suspects for `auditHash` to decide.
 */
export async function partitionRuns(
  db: Queryable,
  partition: string,
): Promise<{ runs: ChainRun[]; suspects: { chainId: number; chainSeq: string; seq: string }[] }> {
  const runs: ChainRun[] = [];
  const suspects: { chainId: number; chainSeq: string; seq: string }[] = [];
  const rows = (await db.query(scanSql(quoteIdent(partition), false))) as ScanRow[];
  collectRuns(
    rows,
    (run) => runs.push(run),
    (row) => suspects.push(row),
  );
  return { runs, suspects };
}

const toRun = (chainId: number, first: ScanRow, last: ScanRow): ChainRun => ({
  chainId,
  start: Number(first.chainSeq),
  startSeq: Number(first.seq),
  startPrevHash: first.prevHash,
  end: Number(last.chainSeq),
  endSeq: Number(last.seq),
  endHash: last.hash,
});

interface ScanRow {
  chainId: number;
  chainSeq: string;
  seq: string;
  prevHash: string;
  hash: string;
  ok: boolean;
  isStart: boolean;
  isEnd: boolean;
}

interface Unit {
  /** Incremental: the one chain read. */
  chainId?: number;
  /** A partition (full check) or the whole table from a position on (incremental). */
  table: string;
  from?: number;
  /** Full check by COPY: the stretch of the partition's pages [fromPage, toPage) to read. */
  fromPage?: number;
  toPage?: number;
}

/**
 * Pages per stretch a full check reads in one COPY: small enough that every connection stays
 * busy to the end (about eight stretches per connection), large enough to cost little.
 */
const stretchPages = (totalPages: number, workers: number) =>
  Math.max(1024, Math.ceil(totalPages / (Math.max(1, workers) * 8)));

/** Pages (8 kB) from which a full check reads in threads: 32 MB, some 70,000 events. */
const THREADS_FROM_PAGES = 4096;
/** Cores from which a full check reads in threads (measured: on two they cost more than gave). */
const THREADS_FROM_CORES = 3;

/** One stretch of a partition as a binary COPY in file order (a TID range scan). */
const copySql = (unit: Unit) => {
  const range = [
    unit.fromPage ? `ctid >= '(${unit.fromPage},0)'::tid` : '',
    unit.toPage !== undefined ? `ctid < '(${unit.toPage},0)'::tid` : '',
  ].filter(Boolean);
  return `COPY (SELECT ${BINARY_SCAN_COLUMNS} FROM ${unit.table}${
    range.length > 0 ? ` WHERE ${range.join(' AND ')}` : ''
  }) TO STDOUT (FORMAT binary)`;
};

interface CheckpointRow {
  id: number;
  createdAt: string;
  headSeq: string | null;
  heads: CheckpointHead[];
  keyId: string;
  signature: string;
}

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** The payload a stored checkpoint row was signed over. */
const checkpointPayload = (row: CheckpointRow): CheckpointPayload => ({
  createdAt: row.createdAt,
  headSeq: row.headSeq === null ? null : Number(row.headSeq),
  heads: row.heads,
});

const CHECKPOINT_COLUMNS = `id::int AS id,
  to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "createdAt",
  head_seq::text AS "headSeq", heads, key_id AS "keyId", signature`;

/** Untrusted keys met, with how many signatures each made. */
class Untrusted {
  private readonly seen = new Map<string, number>();
  add(keyId: string): void {
    this.seen.set(keyId, (this.seen.get(keyId) ?? 0) + 1);
  }
  list(): UntrustedKey[] {
    return [...this.seen].map(([keyId, signatures]) => ({
      keyId,
      signatures,
      detail: `cannot check signature: key ${keyId} not trusted`,
    }));
  }
}

/**
 * Checks the trail, in one consistent snapshot shared by every connection:
 * - `full`: every partition read in stretches of pages as binary COPY, spread over `workers`
 *   threads (each with its own connection) or connections, every row's hash recomputed as it
 *   streams in (and by `auditHash` where that disagrees); the runs of each chain are stitched
 *   across stretches, partitions and the signed records of archived partitions; heads match
 *   the last rows; every checkpoint's signature holds and every row a valid checkpoint vouches
 *   for is still there unaltered.
 * - `incremental`: starts from the newest signed verification mark (a verification that found
 *   the trail intact up to a signed checkpoint) and checks only the events after that
 *   checkpoint's heads and the checkpoints signed since; without a mark it is a full check.
 */
export async function verifyAuditTrail(
  connect: () => Promise<Session>,
  options: VerifyOptions,
): Promise<VerifyResult> {
  const started = Date.now();
  const problems = new Problems();
  const untrusted = new Untrusted();
  const keys = options.trustedKeys;
  const lead = await connect();
  const sessions: Session[] = [];
  try {
    await lead.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const [{ snapshot }] = (await lead.query(`SELECT pg_export_snapshot() AS snapshot`)) as {
      snapshot: string;
    }[];
    const heads = (await lead.query(
      `SELECT chain_id AS "chainId", chain_seq::text AS "chainSeq", seq::text AS seq, hash
       FROM audit_chain_head ORDER BY chain_id`,
    )) as { chainId: number; chainSeq: string; seq: string | null; hash: string }[];

    // Incremental: the newest trusted verification mark; only what follows its checkpoint.
    let anchor: { checkpointId: number; payload: CheckpointPayload } | undefined;
    if (options.mode === 'incremental') anchor = await latestMark(lead, keys);

    // Signatures: checkpoints (from the trusted one on), archive records.
    const checkpoints = (await lead.query(
      `SELECT ${CHECKPOINT_COLUMNS} FROM audit_checkpoint WHERE id > $1
       ORDER BY audit_checkpoint.id`,
      [anchor?.checkpointId ?? 0],
    )) as CheckpointRow[];
    const validCheckpoint = new Map<number, CheckpointPayload>();
    /**
     * Every checkpoint's signature (an Ed25519 check and a canonical payload each: CPU of this
     * thread). Runs while the rows are read, yielding now and then so that the readers are
     * handed their next stretch without waiting.
     */
    const checkSignatures = async () => {
      for (let i = 0; i < checkpoints.length; i++) {
        if (i % 8 === 7) await new Promise((resolve) => setImmediate(resolve));
        const row = checkpoints[i];
        const payload = checkpointPayload(row);
        const verdict = keys.check(row.keyId, Buffer.from(canonicalJson(payload)), row.signature);
        if (verdict === 'untrusted') untrusted.add(row.keyId);
        else if (verdict === 'invalid') {
          problems.add({
            seq: payload.headSeq,
            chain: null,
            kind: 'checkpoint_invalid',
            checkpoint: row.id,
            detail: `checkpoint ${row.id} has an invalid signature`,
          });
        } else {
          validCheckpoint.set(row.id, payload);
        }
      }
    };

    const archived = await readArchives(lead, keys, problems, untrusted);

    // Work: stretches of partitions (full), or one unit per chain after the trusted checkpoint's
    // head (incremental, read along the chain's index).
    const units: Unit[] = [];
    const useCopy = !anchor && lead.copyOut !== undefined;
    let pagesToRead = 0;
    const anchorHead = new Map(anchor?.payload.heads.map((h) => [h.chainId, h]) ?? []);
    if (anchor) {
      for (const head of heads) {
        const from = (anchorHead.get(head.chainId)?.chainSeq ?? 0) + 1;
        units.push({ chainId: head.chainId, table: 'audit_event', from });
      }
    } else {
      const partitions = (await lead.query(
        `SELECT c.relname AS name,
           (pg_relation_size(c.oid) / current_setting('block_size')::int)::int AS pages
         FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
         WHERE i.inhparent = 'audit_event'::regclass ORDER BY c.relname`,
      )) as { name: string; pages: number }[];
      if (useCopy) {
        // Stretches of pages, biggest partitions first: the connections finish together. The
        // last stretch of a partition has no end (the snapshot decides what it sees).
        pagesToRead = partitions.reduce((n, p) => n + p.pages, 0);
        const step = stretchPages(pagesToRead, options.workers);
        for (const partition of [...partitions].sort((a, b) => b.pages - a.pages)) {
          for (let page = 0; page === 0 || page < partition.pages; page += step) {
            const last = page + step >= partition.pages;
            units.push({
              table: quoteIdent(partition.name),
              fromPage: page,
              ...(last ? {} : { toPage: page + step }),
            });
          }
        }
      } else {
        for (const partition of partitions) units.push({ table: quoteIdent(partition.name) });
      }
    }
    const total =
      heads.reduce((n, h) => n + Number(h.chainSeq), 0) -
      (anchor
        ? anchor.payload.heads.reduce((n, h) => n + h.chainSeq, 0)
        : archived.reduce((n, a) => n + a.events, 0));

    // A full check by COPY reads in threads when there are cores to spare for them, this build
    // has them and the lead's connection can be opened again there: the reading and hashing
    // then use more than one core. On two cores the main thread reading over pooled connections
    // did as well on the wall for less CPU (the threads' own backends and JIT start cold each
    // time); a small trail is read faster than threads start.
    const threads =
      useCopy &&
      lead.connection &&
      availableParallelism() >= THREADS_FROM_CORES &&
      pagesToRead >= THREADS_FROM_PAGES &&
      scanThreadsAvailable()
        ? Math.max(1, options.workers)
        : 0;
    // Scan in parallel: every reader joins the snapshot the lead exported.
    for (let i = 0; threads === 0 && i < options.workers; i++) {
      const session = await connect();
      sessions.push(session);
      await session.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      await session.query(`SET TRANSACTION SNAPSHOT '${snapshot.replace(/'/g, "''")}'`);
    }
    const runs = new Map<number, ChainRun[]>(heads.map((h) => [h.chainId, []]));
    const suspects: { table: string; chainId: number; row: ScanSuspect }[] = [];
    let checked = 0;
    const queue = [...units];
    const addRun = (run: ChainRun) => {
      const list = runs.get(run.chainId);
      if (list) list.push(run);
      else runs.set(run.chainId, [run]);
      checked += run.end - run.start + 1;
    };
    const progress = () =>
      options.onProgress?.({
        checked,
        total: Math.max(total, checked),
        elapsedMs: Date.now() - started,
      });
    const copyWork = async (session: Session) => {
      await session.query(`SET LOCAL statement_timeout = 0`);
      for (let unit = queue.shift(); unit; unit = queue.shift()) {
        const { table } = unit;
        const follower = new BinaryRunFollower(addRun, (suspect: ScanSuspect) =>
          suspects.push({ table, chainId: suspect.chainId, row: suspect }),
        );
        await session.copyOut!(copySql(unit), (message) => follower.message(message));
        follower.finish();
        progress();
      }
    };
    const work = async (session: Session) => {
      if (useCopy) return copyWork(session);
      // A partition is sorted by chain in memory; a scan may outlast a request's timeout.
      await session.query(`SET LOCAL work_mem = '256MB'`);
      await session.query(`SET LOCAL statement_timeout = 0`);
      if (!anchor && session !== lead) {
        // A whole partition is read: in file order and sorted in memory, not by random
        // visits along the chain index (measured about a quarter faster).
        await session.query(`SET LOCAL enable_indexscan = off`);
        await session.query(`SET LOCAL enable_bitmapscan = off`);
      }
      for (let unit = queue.shift(); unit; unit = queue.shift()) {
        const rows = (await session.query(
          scanSql(unit.table, unit.from !== undefined),
          unit.from !== undefined ? [unit.chainId, unit.from] : [],
        )) as ScanRow[];
        collectRuns(rows, addRun, (row) =>
          suspects.push({ table: unit.table, chainId: row.chainId, row }),
        );
        progress();
      }
    };
    const signatures = checkSignatures();
    signatures.catch(() => undefined); // awaited below, unless the scan fails first
    if (threads > 0) {
      await scanInThreads(
        units.map(copySql),
        { connection: lead.connection!, snapshot },
        threads,
        (index, scanned, found) => {
          for (const run of scanned) addRun(run);
          for (const suspect of found) {
            suspects.push({ table: units[index].table, chainId: suspect.chainId, row: suspect });
          }
          progress();
        },
      );
    } else {
      await Promise.all(sessions.length > 0 ? sessions.map(work) : [work(lead)]);
    }
    await signatures;
    const lastValid =
      [...validCheckpoint].at(-1) ??
      (anchor ? ([anchor.checkpointId, anchor.payload] as const) : undefined);

    // Rows PostgreSQL could not hash to their stored hash: the reference implementation decides.
    for (const { table, chainId, row } of suspects) {
      const [record] = (await lead.query(
        `SELECT ${AUDIT_RECORD_COLUMNS} FROM ${table}
         WHERE chain_id = $1 AND chain_seq = $2 AND seq = $3`,
        [chainId, row.chainSeq, row.seq],
      )) as (AuditRecord & { hash: string })[];
      if (!record) continue;
      const { hash, ...content } = record;
      if (auditHash(content) !== hash) {
        problems.add({
          seq: Number(row.seq),
          chain: chainId,
          kind: 'altered',
          detail: `seq ${row.seq} was altered: its content does not match its hash`,
        });
      }
    }

    // Stitch each chain's runs: live partitions, archived partitions, the trusted checkpoint.
    for (const head of heads) {
      const chain = head.chainId;
      const chainRuns = [
        ...runs.get(chain)!,
        ...archived.flatMap((a) => a.runs.filter((r) => r.chainId === chain)),
      ];
      chainRuns.sort((a, b) => a.start - b.start || a.startSeq - b.startSeq);
      // Incremental: the chain goes on from the head the trusted checkpoint signed.
      const trusted = anchorHead.get(chain);
      let expected = trusted ? trusted.chainSeq + 1 : 1;
      let prevHash = trusted ? trusted.hash : GENESIS_HASH;
      let lastSeq: number | null = trusted ? trusted.seq : null;
      for (const run of chainRuns) {
        if (run.start > expected) {
          problems.add({
            seq: run.startSeq,
            chain,
            kind: 'missing_before',
            detail: `events missing before seq ${run.startSeq}: chain ${chain} jumps from position ${expected - 1} to ${run.start}`,
          });
        } else if (run.start < expected) {
          problems.add({
            seq: run.startSeq,
            chain,
            kind: 'broken_link',
            detail: `seq ${run.startSeq} repeats position ${run.start} of chain ${chain}`,
          });
        } else if (run.startPrevHash !== prevHash) {
          problems.add({
            seq: run.startSeq,
            chain,
            kind: 'broken_link',
            detail: `seq ${run.startSeq} does not link to the event before it (chain ${chain})`,
          });
        }
        if (run.end + 1 >= expected) {
          expected = run.end + 1;
          prevHash = run.endHash;
          lastSeq = run.endSeq;
        }
      }
      const headPosition = Number(head.chainSeq);
      if (expected - 1 < headPosition) {
        problems.add({
          seq: Number(head.seq),
          chain,
          kind: 'missing_newest',
          detail: `the newest events of chain ${chain} are missing: its head is at position ${headPosition} (seq ${head.seq}) but the last event is at ${expected - 1}`,
        });
      } else if (expected - 1 > headPosition || (headPosition > 0 && prevHash !== head.hash)) {
        problems.add({
          seq: lastSeq ?? Number(head.seq),
          chain,
          kind: 'head_mismatch',
          detail: `chain ${chain} does not end where its head says`,
        });
      }
    }

    // Every row a valid checkpoint (since the trusted one) vouches for: there, and unaltered.
    const vouched = new Map<
      string,
      { id: number; payload: CheckpointPayload; head: CheckpointHead }
    >();
    for (const [id, payload] of validCheckpoint) {
      for (const head of payload.heads) {
        const inArchive = archived.some((a) =>
          a.runs.some(
            (r) => r.chainId === head.chainId && r.start <= head.chainSeq && head.chainSeq <= r.end,
          ),
        );
        if (inArchive) continue;
        const key = `${head.chainId}:${head.chainSeq}:${head.seq}:${head.hash}`;
        if (!vouched.has(key)) vouched.set(key, { id, payload, head });
      }
    }
    await checkVouched(lead, [...vouched.values()], problems);

    const headSeq = heads.reduce<number | null>(
      (max, h) => (h.seq && (max === null || Number(h.seq) > max) ? Number(h.seq) : max),
      null,
    );
    const first = problems.first;
    const untrustedKeys = untrusted.list();
    const status: VerifyStatus =
      problems.count > 0 ? 'tampered' : untrustedKeys.length > 0 ? 'unverifiable' : 'intact';
    return {
      ok: status === 'intact',
      status,
      mode: anchor ? 'incremental' : 'full',
      fromCheckpoint: anchor?.checkpointId ?? null,
      checked,
      headSeq,
      chains: heads.length,
      checkpoints: checkpoints.length,
      archives: archived.length,
      durationMs: Date.now() - started,
      ...(lastValid
        ? {
            lastCheckpoint: {
              id: lastValid[0],
              createdAt: lastValid[1].createdAt,
              headSeq: lastValid[1].headSeq,
            },
          }
        : {}),
      untrustedKeys,
      problems: [...problems.listed].sort((a, b) => (a.seq ?? 0) - (b.seq ?? 0)),
      problemCount: problems.count,
      ...(first
        ? { firstInvalidSeq: first.seq ?? 0, reason: first.detail }
        : untrustedKeys.length > 0
          ? { reason: untrustedKeys[0].detail }
          : {}),
    };
  } finally {
    for (const session of sessions) {
      await session.query('ROLLBACK').catch(() => undefined);
      await session.release();
    }
    await lead.query('ROLLBACK').catch(() => undefined);
    await lead.release();
  }
}

/** Checks that the vouched rows exist with the seq and hash that were signed, in batches. */
async function checkVouched(
  db: Queryable,
  vouched: { id: number; payload: CheckpointPayload; head: CheckpointHead }[],
  problems: Problems,
): Promise<void> {
  const reported = new Set<string>();
  for (let i = 0; i < vouched.length; i += 5000) {
    const batch = vouched.slice(i, i + 5000);
    const found = (await db.query(
      `SELECT e.chain_id AS "chainId", e.chain_seq::text AS "chainSeq", e.seq::text AS seq, e.hash
       FROM unnest($1::int[], $2::bigint[]) AS v(chain_id, chain_seq)
       JOIN audit_event e ON e.chain_id = v.chain_id AND e.chain_seq = v.chain_seq`,
      [batch.map((v) => v.head.chainId), batch.map((v) => v.head.chainSeq)],
    )) as { chainId: number; chainSeq: string; seq: string; hash: string }[];
    const stored = new Map(found.map((r) => [`${r.chainId}:${r.chainSeq}`, r]));
    for (const { id, payload, head } of batch) {
      const key = `${head.chainId}:${head.chainSeq}`;
      const row = stored.get(key);
      if (row && row.hash === head.hash && Number(row.seq) === head.seq) continue;
      if (reported.has(key)) continue;
      reported.add(key);
      problems.add({
        seq: head.seq,
        chain: head.chainId,
        kind: 'checkpoint_mismatch',
        checkpoint: id,
        detail: `seq ${head.seq}, vouched for by signed checkpoint ${id} of ${payload.createdAt}, is ${row ? 'altered' : 'missing'}`,
      });
    }
  }
}

interface ArchiveRecord {
  id: number;
  events: number;
  runs: ChainRun[];
}

/** Archive records (detached partitions): their signed runs stand in for the rows. */
async function readArchives(
  db: Queryable,
  keys: TrustedKeys,
  problems: Problems,
  untrusted: Untrusted,
): Promise<ArchiveRecord[]> {
  const rows = (await db.query(
    `SELECT id::int AS id,
       to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "createdAt",
       partition_name AS partition,
       to_char(range_from AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "from",
       to_char(range_to AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "to",
       events::int AS events, runs, file_name AS "fileName", file_sha256 AS "fileSha256",
       key_id AS "keyId", signature
     FROM audit_archive ORDER BY id`,
  )) as (ArchivePayload & { id: number; keyId: string; signature: string })[];
  const records: ArchiveRecord[] = [];
  for (const row of rows) {
    const { id, keyId, signature, ...payload } = row;
    const verdict = keys.check(keyId, Buffer.from(canonicalJson(payload)), signature);
    if (verdict === 'invalid') {
      problems.add({
        seq: null,
        chain: null,
        kind: 'checkpoint_invalid',
        detail: `archive record ${id} (${payload.partition}) has an invalid signature`,
      });
      continue;
    }
    if (verdict === 'untrusted') untrusted.add(keyId);
    // An untrusted record still says where the chains resume; its key is reported.
    records.push({ id, events: payload.events, runs: payload.runs });
  }
  return records;
}

/**
 * The newest verification mark signed by a trusted key, for a checkpoint whose own signature
 * holds; undefined when there is none (incremental verification then checks everything).
 */
async function latestMark(
  db: Queryable,
  keys: TrustedKeys,
): Promise<{ checkpointId: number; payload: CheckpointPayload } | undefined> {
  const marks = (await db.query(
    `SELECT to_char(m.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "createdAt",
       m.checkpoint_id::int AS "checkpointId", m.mode, m.checked::float8 AS checked,
       m.key_id AS "keyId", m.signature,
       to_char(c.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "cCreatedAt",
       c.head_seq::text AS "cHeadSeq", c.heads AS "cHeads", c.key_id AS "cKeyId",
       c.signature AS "cSignature"
     FROM audit_verification m JOIN audit_checkpoint c ON c.id = m.checkpoint_id
     ORDER BY m.id DESC LIMIT 20`,
  )) as (VerificationPayload & {
    keyId: string;
    signature: string;
    cCreatedAt: string;
    cHeadSeq: string | null;
    cHeads: CheckpointHead[];
    cKeyId: string;
    cSignature: string;
  })[];
  for (const mark of marks) {
    const payload: CheckpointPayload = {
      createdAt: mark.cCreatedAt,
      headSeq: mark.cHeadSeq === null ? null : Number(mark.cHeadSeq),
      heads: mark.cHeads,
    };
    const checkpointValid =
      keys.check(mark.cKeyId, Buffer.from(canonicalJson(payload)), mark.cSignature) === 'valid';
    if (!checkpointValid) continue;
    const signed: VerificationPayload = {
      createdAt: mark.createdAt,
      checkpointId: mark.checkpointId,
      checkpointSignature: mark.cSignature,
      mode: mark.mode,
      checked: mark.checked,
    };
    if (keys.check(mark.keyId, Buffer.from(canonicalJson(signed)), mark.signature) === 'valid') {
      return { checkpointId: mark.checkpointId, payload };
    }
  }
  return undefined;
}

/**
 * Records that the trail was found intact up to the newest valid checkpoint, signed so that
 * incremental verification can start there. Returns the mark's checkpoint id, or undefined
 * when there is no checkpoint to anchor on.
 */
export async function recordVerification(
  db: Queryable,
  result: VerifyResult,
  privateKey: KeyObject,
  keyId: string,
): Promise<number | undefined> {
  if (!result.ok || !result.lastCheckpoint) return undefined;
  const [row] = (await db.query(`SELECT signature FROM audit_checkpoint WHERE id = $1`, [
    result.lastCheckpoint.id,
  ])) as { signature: string }[];
  if (!row) return undefined;
  const payload: VerificationPayload = {
    createdAt: new Date().toISOString(),
    checkpointId: result.lastCheckpoint.id,
    checkpointSignature: row.signature,
    mode: result.mode,
    checked: result.checked,
  };
  await db.query(
    `INSERT INTO audit_verification (created_at, checkpoint_id, mode, checked, key_id, signature)
     VALUES ($1, $2, $3, $4, $5, $6)`,
    [
      payload.createdAt,
      payload.checkpointId,
      payload.mode,
      payload.checked,
      keyId,
      signPayload(payload, privateKey),
    ],
  );
  return payload.checkpointId;
}
