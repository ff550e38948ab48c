import { hash as oneShotHash } from 'node:crypto';
import { canonicalJson } from '../crypto/canonical-json.js';
import type { ScannedRun, ScanSuspect } from './audit-copy-scan.js';

/**
 * The full check's row reader in COPY's binary format. PostgreSQL sends each column as its
 * type's binary form (a uuid is 16 bytes, a timestamptz 8, a text its bytes), which costs the
 * backend far less than printing them, and nothing here has to undo COPY's text escapes. Each
 * row's canonical JSON (what `auditHash` hashes) is written from those fields into one reused
 * buffer and hashed; the digest is compared with the stored hash byte by byte. Anything this
 * rendering does not know (a multi-dimensional array, an infinite timestamp, a position past
 * 2^53, details that do not parse) makes the row a suspect, decided by `auditHash` itself.
 */

/** `COPY (...) TO STDOUT (FORMAT binary)` of a stretch of a partition, columns in this order. */
export const BINARY_SCAN_COLUMNS = `chain_id, chain_seq, seq, prev_hash, hash, occurred_at, action,
  actor_id, actor_roles, actor_username, changed_fields, details, entity_id, entity_type,
  facility_id, ip, outcome, prisoner_id, purpose, request_id, user_agent`;

const FIELDS = 21;
/** The file header of binary COPY: the signature, then flags and an extension length. */
const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');

/** The constant parts of the canonical row, as bytes. */
const lit = (text: string) => Buffer.from(text, 'latin1');
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
const L_NULL = lit('null');

/** Lower-case hex digits (as bytes) of every byte value: high nibble, low nibble. */
const HEX = new Uint8Array(512);
for (let i = 0; i < 256; i++) {
  const hex = i.toString(16).padStart(2, '0');
  HEX[2 * i] = hex.charCodeAt(0);
  HEX[2 * i + 1] = hex.charCodeAt(1);
}

const TWO_32 = 4_294_967_296;
/** 2000-01-01T00:00:00Z (PostgreSQL's timestamp epoch) in ms since 1970. */
const PG_EPOCH_MS = 946_684_800_000;
const DAY_MS = 86_400_000;
/** Days (since 1970) of 1000-01-01 and 9999-12-31: four-digit years, as to_char prints them. */
const FIRST_DAY = Date.UTC(1000, 0, 1) / DAY_MS;
const LAST_DAY = Date.UTC(9999, 11, 31) / DAY_MS;

/** A signed 64-bit integer field, or NaN when it is past 2^53 (not exact as a number). */
function int64(b: Buffer, at: number): number {
  const high = b.readInt32BE(at);
  if (high >= 0x200000 || high < -0x200000) return NaN;
  return high * TWO_32 + b.readUInt32BE(at + 4);
}

/**
 * The digest (its 32 bytes as a 'binary', i.e. latin1, string: far cheaper to get from `hash` than a
 * Buffer)
 * as lower-case hex equals the stored hash's 64 bytes at `at`.
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
export class BinaryRunFollower {
  rows = 0;
  private readonly open = new Map<number, OpenRun>();
  /** Canonical details (as bytes) by a hash of their jsonb text (the same few shapes recur). */
  private readonly detailsCache = new Map<number, { text: Buffer; json: Buffer }>();
  /** Field starts and lengths (-1: null) of the row being read. */
  private readonly at = new Int32Array(FIELDS);
  private readonly length = new Int32Array(FIELDS);
  /** The canonical bytes of the row being hashed; grown for an unusually long row. */
  private out = Buffer.allocUnsafe(16_384);
  /** Views of the first n bytes of `out`, by n. */
  private views: (Buffer | undefined)[] = [];
  /** The date part (`YYYY-MM-DD`) of the last timestamp rendered, by day since 1970. */
  private day = NaN;
  private readonly date = Buffer.alloc(10);

  constructor(
    private readonly onRun: (run: ScannedRun) => void,
    private readonly onSuspect: (suspect: ScanSuspect) => void,
  ) {}

  /**
   * One CopyData message (bytes [start, end) of `b`): a row (the first one after the file
   * header), or the trailer. PostgreSQL sends each row in a message of its own.
   */
  message(b: Buffer, start = 0, end = b.length): void {
    let p = start;
    if (end - p >= 19 && b.compare(SIGNATURE, 0, 11, p, p + 11) === 0) {
      p += 19 + b.readInt32BE(p + 15);
      if (p === end) return;
    }
    const count = b.readInt16BE(p);
    if (count === -1) return;
    if (count !== FIELDS) throw new Error(`a COPY row with ${count} columns, not ${FIELDS}`);
    p += 2;
    const at = this.at;
    const length = this.length;
    for (let i = 0; i < FIELDS; i++) {
      if (p + 4 > end) throw new Error('a COPY row shorter than its fields');
      const n = (b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3];
      p += 4;
      at[i] = p;
      length[i] = n;
      if (n > 0) p += n;
    }
    if (p !== end) throw new Error('a COPY row longer or shorter than its fields');
    this.row(b);
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

  /** Room for `n` more bytes at `o` in `out`. */
  private room(o: number, n: number): void {
    if (o + n <= this.out.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(2 * this.out.length, o + n + 1024));
    this.out.copy(bigger, 0, 0, o);
    this.out = bigger;
    this.views = [];
  }

  /** The first `n` bytes of `out`, one view per length kept (no view made per row). */
  private view(n: number): Buffer {
    let view = this.views[n];
    if (view === undefined) {
      view = this.out.subarray(0, n);
      this.views[n] = view;
    }
    return view;
  }

  private lit(o: number, bytes: Buffer): number {
    this.room(o, bytes.length);
    const out = this.out;
    for (let i = 0; i < bytes.length; i++) out[o + i] = bytes[i];
    return o + bytes.length;
  }

  /** A decimal integer (exact below 2^53), written digit by digit (no string made). */
  private int(o: number, value: number): number {
    this.room(o, 24);
    const out = this.out;
    if (value < 0) {
      out[o++] = 45; // -
      value = -value;
    }
    let digits = 1;
    for (let rest = value; rest >= 10; rest = Math.floor(rest / 10)) digits += 1;
    for (let i = o + digits - 1, rest = value; i >= o; i--) {
      const next = Math.floor(rest / 10);
      out[i] = 48 + rest - next * 10;
      rest = next;
    }
    return o + digits;
  }

  /** A text value (bytes [from, from + n)) as a JSON string. */
  private string(o: number, b: Buffer, from: number, n: number): number {
    this.room(o, n + 2);
    const out = this.out;
    out[o] = 34;
    let i = 0;
    for (; i < n; i++) {
      const c = b[from + i];
      if (c < 32 || c === 34 || c === 92) break;
      out[o + 1 + i] = c;
    }
    if (i === n) {
      out[o + 1 + n] = 34;
      return o + n + 2;
    }
    // Something to escape: as JSON.stringify escapes it.
    const json = JSON.stringify(b.toString('utf8', from, from + n));
    const bytes = Buffer.byteLength(json, 'utf8');
    this.room(o, bytes);
    return o + this.out.write(json, o, 'utf8');
  }

  /** A text field: null, or a JSON string. */
  private text(o: number, b: Buffer, field: number): number {
    const n = this.length[field];
    if (n < 0) return this.lit(o, L_NULL);
    return this.string(o, b, this.at[field], n);
  }

  /** A uuid field: null, or its 16 bytes as `"xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx"`. */
  private uuid(o: number, b: Buffer, field: number): number {
    const n = this.length[field];
    if (n < 0) return this.lit(o, L_NULL);
    if (n !== 16) return -1;
    this.room(o, 38);
    const out = this.out;
    let from = this.at[field];
    out[o++] = 34;
    for (let i = 0; i < 16; i++) {
      if (i === 4 || i === 6 || i === 8 || i === 10) out[o++] = 45;
      const d = b[from++] << 1;
      out[o++] = HEX[d];
      out[o++] = HEX[d + 1];
    }
    out[o++] = 34;
    return o;
  }

  /** A one-dimensional text[] field (lower bound 1) as a JSON array; -1 for any other shape. */
  private array(o: number, b: Buffer, field: number): number {
    const n = this.length[field];
    if (n < 0) return this.lit(o, L_NULL);
    let p = this.at[field];
    this.room(o, 64);
    const dimensions = b.readInt32BE(p);
    if (dimensions === 0) {
      this.out[o++] = 91;
      this.out[o++] = 93;
      return o;
    }
    if (dimensions !== 1 || b.readInt32BE(p + 16) !== 1) return -1;
    const items = b.readInt32BE(p + 12);
    p += 20;
    this.out[o++] = 91;
    for (let i = 0; i < items; i++) {
      if (i > 0) this.out[o++] = 44;
      const size = b.readInt32BE(p);
      p += 4;
      if (size < 0) o = this.lit(o, L_NULL);
      else {
        o = this.string(o, b, p, size);
        p += size;
      }
      this.room(o, 64);
    }
    this.out[o++] = 93;
    return o;
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

  /** A timestamptz (µs since 2000-01-01 UTC) as `YYYY-MM-DDTHH:MM:SS.mmm` (ms truncated). */
  private timestamp(o: number, b: Buffer, field: number): number {
    if (this.length[field] !== 8) return -1;
    const micros = int64(b, this.at[field]);
    if (micros !== micros) return -1;
    const ms = Math.floor(micros / 1000) + PG_EPOCH_MS;
    const day = Math.floor(ms / DAY_MS);
    if (day !== this.day) {
      if (day < FIRST_DAY || day > LAST_DAY) return -1;
      this.date.write(new Date(day * DAY_MS).toISOString().slice(0, 10), 0, 'latin1');
      this.day = day;
    }
    o = this.lit(o, this.date);
    this.room(o, 16);
    const out = this.out;
    let rest = ms - day * DAY_MS;
    const hours = Math.floor(rest / 3_600_000);
    rest -= hours * 3_600_000;
    const minutes = Math.floor(rest / 60_000);
    rest -= minutes * 60_000;
    const seconds = Math.floor(rest / 1000);
    const millis = rest - seconds * 1000;
    out[o++] = 84; // T
    out[o++] = 48 + Math.floor(hours / 10);
    out[o++] = 48 + (hours % 10);
    out[o++] = 58;
    out[o++] = 48 + Math.floor(minutes / 10);
    out[o++] = 48 + (minutes % 10);
    out[o++] = 58;
    out[o++] = 48 + Math.floor(seconds / 10);
    out[o++] = 48 + (seconds % 10);
    out[o++] = 46;
    out[o++] = 48 + Math.floor(millis / 100);
    out[o++] = 48 + (Math.floor(millis / 10) % 10);
    out[o++] = 48 + (millis % 10);
    out[o++] = 90; // Z
    return o;
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
