import { sign, verify as verifySignature, type KeyObject } from 'node:crypto';
import { canonicalJson } from '../crypto/canonical-json.js';
import { AUDIT_RECORD_COLUMNS, auditHash, GENESIS_HASH, type AuditRecord } from './audit-event.js';

/** Anything that runs SQL: a TypeORM manager in the service, a pg client in the CLI. */
export interface Queryable {
  query(sql: string, params?: unknown[]): Promise<unknown>;
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

/**
 * What the verifier can find wrong. Each problem names the event (seq) and chain it concerns:
 * - `altered`: the event's content does not match its hash;
 * - `broken_link`: the event's prev_hash is not the hash of the event before it in its chain;
 * - `missing_before`: positions are missing in the chain before this event (rows removed);
 * - `missing_newest`: the chain head is beyond the chain's last event (newest rows removed);
 * - `head_mismatch`: the chain does not end where its head says (rows past the head, or
 *   another hash);
 * - `checkpoint_invalid`: a checkpoint's signature does not verify with the service's key
 *   (seq: the checkpoint's headSeq; chain: null);
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

export interface VerifyResult {
  ok: boolean;
  checked: number;
  headSeq: number | null;
  chains: number;
  checkpoints: number;
  lastCheckpoint?: { id: number; createdAt: string; headSeq: number | null };
  /** Every problem found (up to MAX_REPORTED_PROBLEMS), in seq order. */
  problems: AuditProblem[];
  problemCount: number;
  /** The lowest seq among the problems, and that problem's detail. */
  firstInvalidSeq?: number;
  reason?: string;
}

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

const BATCH = 2000;

/** Ed25519 signs the canonical payload itself (no separate digest, hence algorithm null). */
export function signCheckpoint(payload: CheckpointPayload, privateKey: KeyObject): string {
  return sign(null, Buffer.from(canonicalJson(payload)), privateKey).toString('base64');
}

/**
 * Checks the whole trail and reports every problem it finds: every chain is read to its end
 * (gap-free positions, each row hashing to what it claims and linking to the row before it);
 * the chain heads match the last rows (so newest rows cannot vanish silently); every
 * checkpoint's signature holds and every row a valid checkpoint vouches for still exists
 * unaltered. Run it in a REPEATABLE READ transaction so appends during the check do not look
 * like tampering.
 */
export async function verifyAuditTrail(
  db: Queryable,
  publicKey: KeyObject,
  keyId: string,
): Promise<VerifyResult> {
  const problems = new Problems();
  const heads = (await db.query(
    `SELECT chain_id AS "chainId", chain_seq::text AS "chainSeq", seq::text AS seq, hash
     FROM audit_chain_head ORDER BY chain_id`,
  )) as { chainId: number; chainSeq: string; seq: string | null; hash: string }[];
  let checked = 0;

  for (const head of heads) {
    const chain = head.chainId;
    let expected = 1n;
    let prevHash = GENESIS_HASH;
    let lastSeq: string | null = null;
    for (;;) {
      const rows = (await db.query(
        `SELECT ${AUDIT_RECORD_COLUMNS} FROM audit_event
         WHERE chain_id = $1 AND chain_seq >= $2 ORDER BY audit_event.chain_seq LIMIT $3`,
        [chain, expected.toString(), BATCH],
      )) as (AuditRecord & { hash: string })[];
      for (const row of rows) {
        checked += 1;
        const seq = Number(row.seq);
        const position = BigInt(row.chainSeq);
        if (position !== expected) {
          problems.add({
            seq,
            chain,
            kind: 'missing_before',
            detail: `events missing before seq ${row.seq}: chain ${chain} jumps from position ${expected - 1n} to ${position}`,
          });
        } else if (row.prevHash !== prevHash) {
          problems.add({
            seq,
            chain,
            kind: 'broken_link',
            detail: `seq ${row.seq} does not link to the event before it (chain ${chain})`,
          });
        }
        const { hash, ...record } = row;
        if (auditHash(record) !== hash) {
          problems.add({
            seq,
            chain,
            kind: 'altered',
            detail: `seq ${row.seq} was altered: its content does not match its hash`,
          });
        }
        // Go on from the row as stored: one bad row is reported once, and what follows it is
        // still checked against it.
        expected = position + 1n;
        prevHash = row.hash;
        lastSeq = row.seq;
      }
      if (rows.length < BATCH) break;
    }
    const headPosition = BigInt(head.chainSeq);
    if (expected - 1n < headPosition) {
      problems.add({
        seq: Number(head.seq),
        chain,
        kind: 'missing_newest',
        detail: `the newest events of chain ${chain} are missing: its head is at position ${headPosition} (seq ${head.seq}) but the last event is at ${expected - 1n}`,
      });
    } else if (expected - 1n > headPosition || (headPosition > 0n && prevHash !== head.hash)) {
      problems.add({
        seq: Number(lastSeq ?? head.seq),
        chain,
        kind: 'head_mismatch',
        detail: `chain ${chain} does not end where its head says`,
      });
    }
  }

  const checkpoints = await verifyCheckpoints(db, publicKey, keyId, problems);
  const headSeq = heads.reduce<number | null>(
    (max, h) => (h.seq && (max === null || Number(h.seq) > max) ? Number(h.seq) : max),
    null,
  );
  const first = problems.first;
  return {
    ok: problems.count === 0,
    checked,
    headSeq,
    chains: heads.length,
    checkpoints: checkpoints.count,
    ...(checkpoints.last ? { lastCheckpoint: checkpoints.last } : {}),
    problems: [...problems.listed].sort((a, b) => (a.seq ?? 0) - (b.seq ?? 0)),
    problemCount: problems.count,
    ...(first ? { firstInvalidSeq: first.seq ?? 0, reason: first.detail } : {}),
  };
}

/**
 * Checks every checkpoint's signature, and that every row a validly signed checkpoint vouches
 * for is still there with the hash it had: a chain rewritten below a checkpoint (rows removed,
 * the rest re-hashed and renumbered, the head moved) cannot match what was signed.
 */
async function verifyCheckpoints(
  db: Queryable,
  publicKey: KeyObject,
  keyId: string,
  problems: Problems,
) {
  let count = 0;
  let last: { id: number; payload: CheckpointPayload } | undefined;
  let afterId = 0;
  const reported = new Set<string>();
  for (;;) {
    const rows = (await db.query(
      `SELECT id::int AS id, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "createdAt",
              head_seq::text AS "headSeq", heads, key_id AS "keyId", signature
       FROM audit_checkpoint WHERE id > $1 ORDER BY audit_checkpoint.id LIMIT $2`,
      [afterId, BATCH],
    )) as {
      id: number;
      createdAt: string;
      headSeq: string | null;
      heads: CheckpointHead[];
      keyId: string;
      signature: string;
    }[];
    const vouched: { id: number; payload: CheckpointPayload; head: CheckpointHead }[] = [];
    for (const row of rows) {
      count += 1;
      afterId = row.id;
      const payload: CheckpointPayload = {
        createdAt: row.createdAt,
        headSeq: row.headSeq === null ? null : Number(row.headSeq),
        heads: row.heads,
      };
      const valid =
        row.keyId === keyId &&
        verifySignature(
          null,
          Buffer.from(canonicalJson(payload)),
          publicKey,
          Buffer.from(row.signature, 'base64'),
        );
      if (!valid) {
        problems.add({
          seq: payload.headSeq,
          chain: null,
          kind: 'checkpoint_invalid',
          checkpoint: row.id,
          detail:
            row.keyId === keyId
              ? `checkpoint ${row.id} has an invalid signature`
              : `checkpoint ${row.id} is signed by a key this service does not hold (${row.keyId.slice(0, 12)}…)`,
        });
        continue;
      }
      last = { id: row.id, payload };
      for (const head of payload.heads) vouched.push({ id: row.id, payload, head });
    }
    if (vouched.length > 0) {
      const found = (await db.query(
        `SELECT e.chain_id AS "chainId", e.chain_seq::text AS "chainSeq", e.seq::text AS seq, e.hash
         FROM unnest($1::int[], $2::bigint[]) AS v(chain_id, chain_seq)
         JOIN audit_event e ON e.chain_id = v.chain_id AND e.chain_seq = v.chain_seq`,
        [vouched.map((v) => v.head.chainId), vouched.map((v) => v.head.chainSeq)],
      )) as { chainId: number; chainSeq: string; seq: string; hash: string }[];
      const stored = new Map(found.map((r) => [`${r.chainId}:${r.chainSeq}`, r]));
      for (const { id, payload, head } of vouched) {
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
    if (rows.length < BATCH) break;
  }
  return {
    count,
    last: last && { id: last.id, createdAt: last.payload.createdAt, headSeq: last.payload.headSeq },
  };
}
