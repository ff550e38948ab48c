import { hash as oneShotHash } from 'node:crypto';
import { canonicalJson } from '../crypto/canonical-json.js';
import { BinaryJsonWriter, HEX, int64, lit, L_NULL } from './audit-binary-json.js';
import type { ScannedRun, ScanSuspect } from './audit-copy-scan.js';

/**
 * The full check's row reader in COPY's binary format (see audit-binary-json). Each row's
 * canonical JSON (what `auditHash` hashes) is written from its fields into one reused buffer
 * and hashed; the digest is compared with the stored hash byte by byte. Anything this
 * rendering does not know (a multi-dimensional array, an infinite timestamp, a position past
 * 2^53, details that do not parse) makes the row a suspect, decided by `auditHash` itself.
 */

/** `COPY (...) TO STDOUT (FORMAT binary)` of a stretch of a partition, columns in this order. */
export const BINARY_SCAN_COLUMNS = `chain_id, chain_seq, seq, prev_hash, hash, occurred_at, action,
  actor_id, actor_roles, actor_username, changed_fields, details, entity_id, entity_type,
  facility_id, ip, outcome, prisoner_id, purpose, request_id, user_agent`;

const FIELDS = 21;

/** The constant parts of the canonical row, as bytes. */
const L_ACTION = lit('{"action":');
const L_ACTOR_ID = lit(',"actorId":');
const L_ACTOR_ROLES = lit(',"actorRoles":');
const L_ACTOR_USERNAME = lit(',"actorUsername":');
const L_CHAIN_ID = lit(',"chainId":');
const L_CHAIN_SEQ = lit(',"chainSeq":"');
const L_CHANGED_FIELDS = lit('","changedFields":');
const L_DETAILS = lit(',"details":');
const L_ENTITY_ID = lit(',"entityId":');
const L_ENTITY_TYPE = lit(',"entityType":');
const L_FACILITY_ID = lit(',"facilityId":');
const L_IP = lit(',"ip":');
const L_OCCURRED_AT = lit(',"occurredAt":"');
const L_OUTCOME = lit('","outcome":');
const L_PRISONER_ID = lit(',"prisonerId":');
const L_PURPOSE = lit(',"purpose":');
const L_REQUEST_ID = lit(',"requestId":');
const L_SEQ = lit(',"seq":"');
const L_USER_AGENT = lit('","userAgent":');

/**
 * The digest (its 32 bytes as a 'binary', i.e. latin1, string: far cheaper to get from `hash`
 * than a Buffer) as lower-case hex equals the stored hash's 64 bytes at `at`.
 */
function matches(digest: string, b: Buffer, at: number): boolean {
  for (let i = 0; i < 32; i++) {
    const d = digest.charCodeAt(i) << 1;
    if (b[at + 2 * i] !== HEX[d] || b[at + 2 * i + 1] !== HEX[d + 1]) return false;
  }
  return true;
}

/** 64 bytes of `b` at `at` are those of `hash` (a loop here is cheaper than Buffer.compare). */
function same64(hash: Buffer, b: Buffer, at: number): boolean {
  for (let i = 0; i < 64; i++) if (hash[i] !== b[at + i]) return false;
  return true;
}

/** `text` is exactly the bytes [from, to) of `b`. */
function sameBytes(text: Buffer, b: Buffer, from: number, to: number): boolean {
  if (text.length !== to - from) return false;
  for (let i = 0; i < text.length; i++) if (text[i] !== b[from + i]) return false;
  return true;
}

/** Copies 64 bytes of `b` at `at` into `hash`. */
function copy64(b: Buffer, at: number, hash: Buffer): void {
  for (let i = 0; i < 64; i++) hash[i] = b[at + i];
}

/**
 * Follows the rows of one binary COPY: renders and hashes each, keeps each chain's open run
 * (its last hash as bytes, so continuing a run builds no string), reports closed runs and
 * suspects. Nothing per row is kept.
 */
export class BinaryRunFollower extends BinaryJsonWriter {
  rows = 0;
  private readonly open = new Map<number, OpenRun>();
  /** Canonical details (as bytes) by a hash of their jsonb text (the same few shapes recur). */
  private readonly detailsCache = new Map<number, { text: Buffer; json: Buffer }>();

  constructor(
    private readonly onRun: (run: ScannedRun) => void,
    private readonly onSuspect: (suspect: ScanSuspect) => void,
  ) {
    super(FIELDS);
  }

  /** One CopyData message (bytes [start, end) of `b`): a row, or the trailer. */
  message(b: Buffer, start = 0, end = b.length): void {
    if (this.fieldsOf(b, start, end)) this.row(b);
  }

  private row(b: Buffer): void {
    this.rows += 1;
    const at = this.at;
    const length = this.length;
    if (length[0] !== 4 || length[1] !== 8 || length[2] !== 8 || length[3] < 0) {
      throw new Error('a COPY row without its chain, position, seq or previous hash');
    }
    const chainId = b.readInt32BE(at[0]);
    let position = int64(b, at[1]);
    let seq = int64(b, at[2]);
    // Past 2^53 a number is not exact: such a row is rendered by the reference, not here.
    const exact = !Number.isNaN(position) && !Number.isNaN(seq);
    if (Number.isNaN(position)) position = Number(b.readBigInt64BE(at[1]));
    if (Number.isNaN(seq)) seq = Number(b.readBigInt64BE(at[2]));
    const hashAt = at[4];
    const hashOk = length[4] === 64;
    let ok = false;
    if (hashOk && exact) {
      try {
        const n = this.render(b, chainId, position, seq);
        ok = n >= 0 && matches(oneShotHash('sha256', this.view(n), 'binary'), b, hashAt);
      } catch {
        ok = false;
      }
    }
    if (!ok) {
      this.onSuspect({
        chainId,
        chainSeq: b.readBigInt64BE(at[1]).toString(),
        seq: b.readBigInt64BE(at[2]).toString(),
      });
    }
    const run = this.open.get(chainId);
    if (
      run &&
      run.endHashText === undefined &&
      position === run.end + 1 &&
      length[3] === 64 &&
      same64(run.endHash, b, at[3])
    ) {
      run.end = position;
      run.endSeq = seq;
      if (hashOk) copy64(b, hashAt, run.endHash);
      else run.endHashText = this.hashText(b);
      return;
    }
    if (run) this.onRun(closed(run));
    const endHash = Buffer.alloc(64);
    if (hashOk) copy64(b, hashAt, endHash);
    this.open.set(chainId, {
      chainId,
      start: position,
      startSeq: seq,
      startPrevHash: b.toString('utf8', at[3], at[3] + length[3]),
      end: position,
      endSeq: seq,
      endHash,
      endHashText: hashOk ? undefined : this.hashText(b),
    });
  }

  /** The stored hash of the row being read, as text (a hash that is not 64 bytes long). */
  private hashText(b: Buffer): string {
    return this.length[4] < 0 ? '' : b.toString('utf8', this.at[4], this.at[4] + this.length[4]);
  }

  /** A jsonb field (version 1, then its text) as canonical JSON. */
  private details(o: number, b: Buffer, field: number): number {
    const n = this.length[field];
    if (n < 0) return this.lit(o, L_NULL);
    const from = this.at[field];
    if (n < 1 || b[from] !== 1) return -1;
    // The cache is keyed by a hash of the bytes; an entry is used only when its bytes match.
    let key = 0x811c9dc5;
    for (let i = from + 1; i < from + n; i++) key = Math.imul(key ^ b[i], 0x01000193);
    let cached = this.detailsCache.get(key);
    if (cached === undefined || !sameBytes(cached.text, b, from + 1, from + n)) {
      const text = b.toString('utf8', from + 1, from + n);
      cached = {
        text: Buffer.from(b.subarray(from + 1, from + n)),
        json: Buffer.from(canonicalJson(JSON.parse(text)), 'utf8'),
      };
      if (this.detailsCache.size > 10_000) this.detailsCache.clear();
      this.detailsCache.set(key, cached);
    }
    return this.lit(o, cached.json);
  }

  /**
   * The bytes `auditHash` hashes (prev_hash, then the row's canonical JSON), written into
   * `out`; the count, or -1 when the row has a field this rendering does not know.
   */
  private render(b: Buffer, chainId: number, position: number, seq: number): number {
    const length = this.length;
    this.room(0, length[3] + 1024);
    const out = this.out;
    for (let i = 0, from = this.at[3]; i < length[3]; i++) out[i] = b[from + i];
    let o = length[3];
    o = this.lit(o, L_ACTION);
    if ((o = this.text(o, b, 6)) < 0) return -1;
    o = this.lit(o, L_ACTOR_ID);
    if ((o = this.uuid(o, b, 7)) < 0) return -1;
    o = this.lit(o, L_ACTOR_ROLES);
    if ((o = this.array(o, b, 8)) < 0) return -1;
    o = this.lit(o, L_ACTOR_USERNAME);
    o = this.text(o, b, 9);
    o = this.lit(o, L_CHAIN_ID);
    o = this.int(o, chainId);
    o = this.lit(o, L_CHAIN_SEQ);
    o = this.int(o, position);
    o = this.lit(o, L_CHANGED_FIELDS);
    if ((o = this.array(o, b, 10)) < 0) return -1;
    o = this.lit(o, L_DETAILS);
    if ((o = this.details(o, b, 11)) < 0) return -1;
    o = this.lit(o, L_ENTITY_ID);
    o = this.text(o, b, 12);
    o = this.lit(o, L_ENTITY_TYPE);
    o = this.text(o, b, 13);
    o = this.lit(o, L_FACILITY_ID);
    if ((o = this.uuid(o, b, 14)) < 0) return -1;
    o = this.lit(o, L_IP);
    o = this.text(o, b, 15);
    o = this.lit(o, L_OCCURRED_AT);
    if ((o = this.timestamp(o, b, 5)) < 0) return -1;
    o = this.lit(o, L_OUTCOME);
    o = this.text(o, b, 16);
    o = this.lit(o, L_PRISONER_ID);
    if ((o = this.uuid(o, b, 17)) < 0) return -1;
    o = this.lit(o, L_PURPOSE);
    o = this.text(o, b, 18);
    o = this.lit(o, L_REQUEST_ID);
    o = this.text(o, b, 19);
    o = this.lit(o, L_SEQ);
    o = this.int(o, seq);
    o = this.lit(o, L_USER_AGENT);
    o = this.text(o, b, 20);
    this.room(o, 1);
    this.out[o] = 125; // }
    return o + 1;
  }

  /** Closes every open run (the scan ended). */
  finish(): void {
    for (const run of this.open.values()) this.onRun(closed(run));
    this.open.clear();
  }
}

/** A run still open: its last hash kept as bytes, compared with the next row's link. */
interface OpenRun extends Omit<ScannedRun, 'endHash'> {
  /** The last row's hash, as its 64 bytes (when it had 64). */
  endHash: Buffer;
  /** The last row's hash when it was not 64 bytes long (such a run never continues). */
  endHashText?: string;
}

const closed = (run: OpenRun): ScannedRun => ({
  chainId: run.chainId,
  start: run.start,
  startSeq: run.startSeq,
  startPrevHash: run.startPrevHash,
  end: run.end,
  endSeq: run.endSeq,
  endHash: run.endHashText ?? run.endHash.toString('utf8'),
});
