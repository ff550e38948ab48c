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

export interface VerifyResult {
  ok: boolean;
  checked: number;
  headSeq: number | null;
  chains: number;
  checkpoints: number;
  lastCheckpoint?: { id: number; createdAt: string; headSeq: number | null };
  firstInvalidSeq?: number;
  reason?: string;
}

interface Failure {
  seq: number;
  reason: string;
}

const BATCH = 2000;

/** Ed25519 signs the canonical payload itself (no separate digest, hence algorithm null). */
export function signCheckpoint(payload: CheckpointPayload, privateKey: KeyObject): string {
  return sign(null, Buffer.from(canonicalJson(payload)), privateKey).toString('base64');
}

/**
 * Checks the whole trail: every chain is gap-free and each row hashes to what it claims and to
 * what the next row links to; the chain heads match the last rows (so newest rows cannot
 * vanish silently); checkpoint signatures hold and the rows they vouch for still exist. Run it
 * in a REPEATABLE READ transaction so appends during the check do not look like tampering.
 */
export async function verifyAuditTrail(
  db: Queryable,
  publicKey: KeyObject,
  keyId: string,
): Promise<VerifyResult> {
  const failures: Failure[] = [];
  const heads = (await db.query(
    `SELECT chain_id AS "chainId", chain_seq::text AS "chainSeq", seq::text AS seq, hash
     FROM audit_chain_head ORDER BY chain_id`,
  )) as { chainId: number; chainSeq: string; seq: string | null; hash: string }[];
  let checked = 0;

  for (const head of heads) {
    let expected = 1n;
    let prevHash = GENESIS_HASH;
    let lastSeq: string | null = null;
    let broken = false;
    for (;;) {
      const rows = (await db.query(
        `SELECT ${AUDIT_RECORD_COLUMNS} FROM audit_event
         WHERE chain_id = $1 AND chain_seq >= $2 ORDER BY chain_seq LIMIT $3`,
        [head.chainId, expected.toString(), BATCH],
      )) as (AuditRecord & { hash: string })[];
      for (const row of rows) {
        checked += 1;
        const position = BigInt(row.chainSeq);
        if (position !== expected) {
          failures.push({
            seq: Number(row.seq),
            reason: `events missing before seq ${row.seq}: chain ${head.chainId} jumps from position ${expected - 1n} to ${position}`,
          });
        } else if (row.prevHash !== prevHash) {
          failures.push({
            seq: Number(row.seq),
            reason: `seq ${row.seq} does not link to the event before it (chain ${head.chainId})`,
          });
        } else {
          const { hash, ...record } = row;
          if (auditHash(record) !== hash) {
            failures.push({
              seq: Number(row.seq),
              reason: `seq ${row.seq} was altered: its content does not match its hash`,
            });
          }
        }
        if (failures.length > 0 && failures[failures.length - 1].seq === Number(row.seq)) {
          broken = true;
          break;
        }
        expected = position + 1n;
        prevHash = row.hash;
        lastSeq = row.seq;
      }
      if (broken || rows.length < BATCH) break;
    }
    if (broken) continue;
    const headPosition = BigInt(head.chainSeq);
    if (expected - 1n < headPosition) {
      failures.push({
        seq: Number(head.seq),
        reason: `the newest events of chain ${head.chainId} are missing: its head is at position ${headPosition} (seq ${head.seq}) but the last event is at ${expected - 1n}`,
      });
    } else if (expected - 1n > headPosition || (headPosition > 0n && prevHash !== head.hash)) {
      failures.push({
        seq: Number(lastSeq ?? head.seq),
        reason: `chain ${head.chainId} does not end where its head says`,
      });
    }
  }

  const checkpointCheck = await verifyCheckpoints(db, publicKey, keyId);
  failures.push(...checkpointCheck.failures);
  const first = failures.reduce<Failure | undefined>(
    (a, f) => (!a || f.seq < a.seq ? f : a),
    undefined,
  );
  const headSeq = heads.reduce<number | null>(
    (max, h) => (h.seq && (max === null || Number(h.seq) > max) ? Number(h.seq) : max),
    null,
  );
  return {
    ok: failures.length === 0,
    checked,
    headSeq,
    chains: heads.length,
    checkpoints: checkpointCheck.count,
    ...(checkpointCheck.last ? { lastCheckpoint: checkpointCheck.last } : {}),
    ...(first ? { firstInvalidSeq: first.seq, reason: first.reason } : {}),
  };
}

async function verifyCheckpoints(db: Queryable, publicKey: KeyObject, keyId: string) {
  const failures: Failure[] = [];
  let count = 0;
  let last: { id: number; payload: CheckpointPayload } | undefined;
  let afterId = 0;
  for (;;) {
    const rows = (await db.query(
      `SELECT id::int AS id, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "createdAt",
              head_seq::text AS "headSeq", heads, key_id AS "keyId", signature
       FROM audit_checkpoint WHERE id > $1 ORDER BY id LIMIT $2`,
      [afterId, BATCH],
    )) as {
      id: number;
      createdAt: string;
      headSeq: string | null;
      heads: CheckpointHead[];
      keyId: string;
      signature: string;
    }[];
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
        failures.push({
          seq: payload.headSeq ?? 0,
          reason:
            row.keyId === keyId
              ? `checkpoint ${row.id} has an invalid signature`
              : `checkpoint ${row.id} is signed by a key this service does not hold (${row.keyId.slice(0, 12)}…)`,
        });
        continue;
      }
      last = { id: row.id, payload };
    }
    if (rows.length < BATCH) break;
  }
  if (last) {
    for (const head of last.payload.heads) {
      const rows = (await db.query(
        `SELECT hash FROM audit_event WHERE chain_id = $1 AND chain_seq = $2`,
        [head.chainId, head.chainSeq],
      )) as { hash: string }[];
      if (rows.length === 0 || rows[0].hash !== head.hash) {
        failures.push({
          seq: head.seq,
          reason: `seq ${head.seq}, vouched for by signed checkpoint ${last.id} of ${last.payload.createdAt}, is ${rows.length === 0 ? 'missing' : 'altered'}`,
        });
      }
    }
  }
  return {
    failures,
    count,
    last: last && { id: last.id, createdAt: last.payload.createdAt, headSeq: last.payload.headSeq },
  };
}
