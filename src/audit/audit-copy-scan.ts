import { hash as oneShotHash } from 'node:crypto';
import { canonicalJson } from '../crypto/canonical-json.js';

/**
 * The full check's reader: `COPY (SELECT ...) TO STDOUT` of a stretch of a partition, read in
 * the order it lies on disk, each row rendered as the canonical JSON `auditHash` hashes and
 * hashed here as it streams in. PostgreSQL only reads and prints the columns (its cheapest
 * work); rendering a row in SQL cost several times more than printing it. Rows are followed
 * chain by chain as they come: a row that continues the chain's open run (next position,
 * linking to its hash) extends it; any other row closes that run and opens one. The runs are
 * stitched in chain order afterwards, so rows stored out of order cost a few more runs, never a
 * false alarm. A row whose hash this rendering does not reproduce (or that it cannot parse) is
 * a suspect for the reference implementation to decide.
 */

/** The connection method pg calls a submittable with (unused during COPY TO). */
interface CopyConnection {
  query(text: string): void;
}

/** Anything pg can submit a query object to: a Client, a PoolClient. */
export interface CopyClient {
  query(submittable: object): unknown;
}

/**
 * COPY ... TO STDOUT through node-postgres without another dependency: a submittable that
 * hands each row (one CopyData message, text format, with its newline) to `onRow` as it
 * arrives. Resolves with the row count once the server is ready again.
 */
class CopyTo {
  private resolve!: (rows: number) => void;
  private reject!: (error: Error) => void;
  private error?: Error;
  private rows = 0;
  /**
   * A COPY of a large table runs for minutes: no client-side read timeout (a connection's
   * `query_timeout` would otherwise apply). pg wraps `callback` to clear its timer.
   */
  readonly query_timeout = 2_147_483_647;
  callback?: (error: Error | null, rows?: number) => void;
  readonly done = new Promise<number>((resolve, reject) => {
    this.resolve = resolve;
    this.reject = reject;
  });

  constructor(
    private readonly text: string,
    private readonly onRow: (row: Buffer) => void,
  ) {}

  submit(connection: CopyConnection): void {
    connection.query(this.text);
  }

  handleCopyData(message: { chunk: Buffer }): void {
    if (this.error) return;
    try {
      this.onRow(message.chunk);
    } catch (error) {
      this.error = error as Error;
    }
  }

  handleCommandComplete(message: { text?: string }): void {
    this.rows = Number(/(\d+)$/.exec(message.text ?? '')?.[1] ?? 0);
  }

  handleReadyForQuery(): void {
    this.callback?.(this.error ?? null, this.rows);
    if (this.error) this.reject(this.error);
    else this.resolve(this.rows);
  }

  /** A server error (ReadyForQuery follows) or a lost connection (nothing follows). */
  handleError(error: Error): void {
    this.error = error;
    // Clears pg's read timer now: after a lost connection no ReadyForQuery follows.
    this.callback?.(error);
    this.reject(error);
  }

  /** pg calls these on other message kinds; nothing to do. */
  handleRowDescription(): void {}
  handleDataRow(): void {}
  handleEmptyQuery(): void {}
  handlePortalSuspended(): void {}
}

/** Runs a `COPY ... TO STDOUT` (text format), handing every row to `onRow`. */
export function copyOut(
  client: CopyClient,
  sql: string,
  onRow: (row: Buffer) => void,
): Promise<number> {
  const copy = new CopyTo(sql, onRow);
  void client.query(copy);
  return copy.done;
}

/**
 * The columns of a row as the scan prints them, in this order. `occurred_at` comes out in the
 * ISO style in UTC (the session's TimeZone is set to UTC for the scan).
 */
export const COPY_SCAN_COLUMNS = `chain_id, chain_seq, seq, prev_hash, hash, occurred_at, action,
  actor_id, actor_roles, actor_username, changed_fields, details, entity_id, entity_type,
  facility_id, ip, outcome, prisoner_id, purpose, request_id, user_agent`;

/** Where a scan's row starts, ends or could not be hashed here (as the SQL scan reports). */
export interface ScannedRun {
  chainId: number;
  start: number;
  startSeq: number;
  startPrevHash: string;
  end: number;
  endSeq: number;
  endHash: string;
}

export interface ScanSuspect {
  chainId: number;
  chainSeq: string;
  seq: string;
}

/** COPY text format: a field with backslash escapes, decoded (\N, a null, is handled before). */
function unescapeCopy(value: string): string {
  return value.replace(/\\(.)/g, (_, c: string) => {
    switch (c) {
      case 'n':
        return '\n';
      case 'r':
        return '\r';
      case 't':
        return '\t';
      case 'b':
        return '\b';
      case 'f':
        return '\f';
      case 'v':
        return '\v';
      default:
        return c;
    }
  });
}

/** A one-dimensional text[] as PostgreSQL prints it, as canonical JSON. */
function arrayJson(text: string): string {
  if (text === '{}') return '[]';
  if (text.charCodeAt(0) !== 123 /* { */ || text.charCodeAt(text.length - 1) !== 125 /* } */) {
    throw new Error('not a one-dimensional array');
  }
  const body = text.slice(1, -1);
  if (body.indexOf('"') < 0 && body.indexOf('\\') < 0 && body.indexOf('{') < 0) {
    const items = body.split(',');
    let out = '[';
    for (let i = 0; i < items.length; i++) {
      if (i > 0) out += ',';
      const item = items[i];
      out += item.toUpperCase() === 'NULL' ? 'null' : JSON.stringify(item);
    }
    return out + ']';
  }
  // Quoted elements: "..." with \" and \\ inside; unquoted NULL is a null.
  const items: (string | null)[] = [];
  let i = 0;
  while (i < body.length) {
    if (body[i] === '"') {
      let value = '';
      i += 1;
      while (i < body.length && body[i] !== '"') {
        if (body[i] === '\\') i += 1;
        value += body[i];
        i += 1;
      }
      if (body[i] !== '"') throw new Error('unterminated array element');
      items.push(value);
      i += 1;
    } else {
      const comma = body.indexOf(',', i);
      const raw = body.slice(i, comma < 0 ? body.length : comma);
      if (raw.includes('{') || raw.includes('\\')) throw new Error('nested array');
      items.push(raw.toUpperCase() === 'NULL' ? null : raw);
      i += raw.length;
    }
    if (i < body.length) {
      if (body[i] !== ',') throw new Error('malformed array');
      i += 1;
    }
  }
  return canonicalJson(items);
}

/** `2026-01-31 23:59:59.123456+00` as `auditHash` sees it: `2026-01-31T23:59:59.123Z`. */
function isoMillis(text: string): string {
  const n = text.length;
  if (text.charCodeAt(10) !== 32 || !text.endsWith('+00') || text.charCodeAt(4) !== 45) {
    throw new Error('timestamp not in ISO style, UTC');
  }
  const seconds = text.slice(11, 19);
  let ms = '000';
  if (text.charCodeAt(19) === 46 /* . */) ms = (text.slice(20, n - 3) + '00').slice(0, 3);
  else if (n !== 22) throw new Error('timestamp not in ISO style, UTC');
  return `${text.slice(0, 10)}T${seconds}.${ms}Z`;
}

const NULL_FIELD = '\\N';

/** A string field as canonical JSON (null, or the JSON string). */
const text = (value: string) =>
  value === NULL_FIELD
    ? 'null'
    : JSON.stringify(value.indexOf('\\') < 0 ? value : unescapeCopy(value));
/** A text[] field as canonical JSON. */
const arr = (value: string) =>
  value === NULL_FIELD ? 'null' : arrayJson(value.indexOf('\\') < 0 ? value : unescapeCopy(value));

/** The constant parts of the canonical row, as bytes. */
const L = Object.fromEntries(
  Object.entries({
    action: '{"action":',
    actorId: ',"actorId":',
    actorRoles: ',"actorRoles":',
    actorUsername: ',"actorUsername":',
    chainId: ',"chainId":',
    chainSeq: ',"chainSeq":"',
    changedFields: '","changedFields":',
    details: ',"details":',
    entityId: ',"entityId":',
    entityType: ',"entityType":',
    facilityId: ',"facilityId":',
    ip: ',"ip":',
    occurredAt: ',"occurredAt":"',
    outcome: '","outcome":',
    prisonerId: ',"prisonerId":',
    purpose: ',"purpose":',
    requestId: ',"requestId":',
    seq: ',"seq":"',
    userAgent: '","userAgent":',
    null: 'null',
  }).map(([k, v]) => [k, Buffer.from(v, 'latin1')]),
) as Record<string, Buffer>;

/**
 * Finds the 21 fields of a COPY row (tab-separated, newline-terminated) and marks those holding
 * a byte JSON would escape or a COPY escape (a backslash). False when the count is wrong.
 */
function splitRow(b: Buffer, f: Int32Array, special: Uint8Array): boolean {
  special.fill(0);
  let field = 0;
  f[0] = 0;
  const end = b.length - 1;
  for (let i = 0; i < end; i++) {
    const c = b[i];
    if (c === 9) {
      field += 1;
      if (field > 20) return false;
      f[field] = i + 1;
    } else if (c === 92 || c === 34 || c < 32) {
      special[field] = 1;
    }
  }
  f[21] = end + 1;
  return field === 20;
}

/** A field that is exactly `\N` (COPY's null). */
const isNull = (b: Buffer, from: number, to: number) =>
  to - from === 2 && b[from] === 92 && b[from + 1] === 78;

/** A non-negative integer field. */
function digits(b: Buffer, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) n = n * 10 + (b[i] - 48);
  return n;
}

function lit(out: Buffer, o: number, bytes: Buffer): number {
  for (let i = 0; i < bytes.length; i++) out[o + i] = bytes[i];
  return o + bytes.length;
}

function put(out: Buffer, o: number, b: Buffer, from: number, to: number): number {
  for (let i = from; i < to; i++) out[o++] = b[i];
  return o;
}

/** A plain string field (nothing to escape; checked by splitRow) as JSON: null or "...". */
function str(out: Buffer, o: number, b: Buffer, from: number, to: number): number {
  if (isNull(b, from, to)) return lit(out, o, L.null);
  out[o++] = 34;
  o = put(out, o, b, from, to);
  out[o++] = 34;
  return o;
}

/** `{a,b}` (no quotes, no escapes) as `["a","b"]`; -1 for an element that is NULL. */
function arrayBytes(out: Buffer, o: number, b: Buffer, from: number, to: number): number {
  if (isNull(b, from, to)) return lit(out, o, L.null);
  if (b[from] !== 123 || b[to - 1] !== 125) return -1;
  if (to - from === 2) {
    out[o] = 91;
    out[o + 1] = 93;
    return o + 2;
  }
  out[o++] = 91;
  out[o++] = 34;
  let element = from + 1;
  for (let i = from + 1; i < to; i++) {
    const c = b[i];
    if (c === 44 || c === 125) {
      if (i - element === 4 && (b[element] | 32) === 110 && (b[element + 1] | 32) === 117) {
        if ((b[element + 2] | 32) === 108 && (b[element + 3] | 32) === 108) return -1;
      }
      out[o++] = 34;
      if (c === 44) {
        out[o++] = 44;
        out[o++] = 34;
      }
      element = i + 1;
    } else if (c === 123) {
      return -1;
    } else {
      out[o++] = c;
    }
  }
  out[o++] = 93;
  return o;
}

/** `2026-01-31 23:59:59.123456+00` as `2026-01-31T23:59:59.123Z` (-1 for any other shape). */
function timestampBytes(out: Buffer, o: number, b: Buffer, from: number, to: number): number {
  const n = to - from;
  if (n < 22 || b[from + 4] !== 45 || b[from + 10] !== 32) return -1;
  if (b[to - 3] !== 43 || b[to - 2] !== 48 || b[to - 1] !== 48) return -1;
  o = put(out, o, b, from, from + 10);
  out[o++] = 84; // T
  o = put(out, o, b, from + 11, from + 19);
  out[o++] = 46; // .
  if (n === 22) {
    out[o++] = 48;
    out[o++] = 48;
    out[o++] = 48;
  } else {
    if (b[from + 19] !== 46) return -1;
    const fraction = to - 3 - (from + 20);
    for (let i = 0; i < 3; i++) out[o++] = i < fraction ? b[from + 20 + i] : 48;
  }
  out[o++] = 90; // Z
  return o;
}

/**
 * Follows the rows of one scan: hashes each, keeps each chain's open run, reports closed runs
 * and suspects. Small objects per chain, nothing per row kept.
 */
export class RunFollower {
  private readonly open = new Map<number, ScannedRun>();
  /** Canonical details by their printed jsonb (the same few shapes recur). */
  private readonly detailsCache = new Map<string, string>();
  rows = 0;

  constructor(
    private readonly onRun: (run: ScannedRun) => void,
    private readonly onSuspect: (suspect: ScanSuspect) => void,
  ) {}

  /** Printed jsonb (COPY-escaped) as canonical JSON. */
  private details(value: string): string {
    let json = this.detailsCache.get(value);
    if (json === undefined) {
      json = canonicalJson(JSON.parse(value.indexOf('\\') < 0 ? value : unescapeCopy(value)));
      if (this.detailsCache.size > 10_000) this.detailsCache.clear();
      this.detailsCache.set(value, json);
    }
    return json;
  }

  /** One COPY row (text format, ending in a newline), columns as in COPY_SCAN_COLUMNS. */
  row(buffer: Buffer): void {
    this.rows += 1;
    const f = this.fields;
    if (!splitRow(buffer, f, this.special)) throw new Error('a COPY row without 21 columns');
    const chainId = digits(buffer, f[0], f[1] - 1);
    const position = digits(buffer, f[1], f[2] - 1);
    const seqNumber = digits(buffer, f[2], f[3] - 1);
    const prevHash = buffer.toString('latin1', f[3], f[4] - 1);
    const hash = buffer.toString('latin1', f[4], f[5] - 1);
    let ok: boolean;
    try {
      const length = this.render(buffer);
      ok =
        length >= 0
          ? oneShotHash('sha256', this.out.subarray(0, length), 'hex') === hash
          : this.renderSlowly(buffer) === hash;
    } catch {
      ok = false;
    }
    if (!ok) {
      this.onSuspect({
        chainId,
        chainSeq: buffer.toString('latin1', f[1], f[2] - 1),
        seq: buffer.toString('latin1', f[2], f[3] - 1),
      });
    }
    const run = this.open.get(chainId);
    if (run && position === run.end + 1 && prevHash === run.endHash) {
      run.end = position;
      run.endSeq = seqNumber;
      run.endHash = hash;
      return;
    }
    if (run) this.onRun(run);
    this.open.set(chainId, {
      chainId,
      start: position,
      startSeq: seqNumber,
      startPrevHash: prevHash,
      end: position,
      endSeq: seqNumber,
      endHash: hash,
    });
  }

  /** Field starts (the 22nd: one past the row's end, so field i is [f[i], f[i+1] - 1)). */
  private readonly fields = new Int32Array(22);
  /** Per field: 1 when it holds a byte JSON would escape (or a COPY escape). */
  private readonly special = new Uint8Array(21);
  /** The canonical bytes of the row being hashed (rows longer than this go the slow way). */
  private readonly out = Buffer.allocUnsafe(16_384);

  /**
   * The bytes `auditHash` hashes, written straight from the COPY row into `out`; -1 when the
   * row needs the string path (an escape, a quote or a control character in a field other
   * than details, an array element that is NULL, an odd timestamp, a long row).
   */
  private render(b: Buffer): number {
    const f = this.fields;
    const special = this.special;
    const out = this.out;
    if (b.length > 8_000) return -1;
    for (let i = 0; i < 21; i++) {
      if (special[i] === 1 && i !== 11 && !isNull(b, f[i], f[i + 1] - 1)) return -1;
    }
    let o = put(out, 0, b, f[3], f[4] - 1);
    o = lit(out, o, L.action);
    o = str(out, o, b, f[6], f[7] - 1);
    o = lit(out, o, L.actorId);
    o = str(out, o, b, f[7], f[8] - 1);
    o = lit(out, o, L.actorRoles);
    o = arrayBytes(out, o, b, f[8], f[9] - 1);
    if (o < 0) return -1;
    o = lit(out, o, L.actorUsername);
    o = str(out, o, b, f[9], f[10] - 1);
    o = lit(out, o, L.chainId);
    o = put(out, o, b, f[0], f[1] - 1);
    o = lit(out, o, L.chainSeq);
    o = put(out, o, b, f[1], f[2] - 1);
    o = lit(out, o, L.changedFields);
    o = arrayBytes(out, o, b, f[10], f[11] - 1);
    if (o < 0) return -1;
    o = lit(out, o, L.details);
    if (isNull(b, f[11], f[12] - 1)) o = lit(out, o, L.null);
    else o += out.write(this.details(b.toString('utf8', f[11], f[12] - 1)), o, 'utf8');
    o = lit(out, o, L.entityId);
    o = str(out, o, b, f[12], f[13] - 1);
    o = lit(out, o, L.entityType);
    o = str(out, o, b, f[13], f[14] - 1);
    o = lit(out, o, L.facilityId);
    o = str(out, o, b, f[14], f[15] - 1);
    o = lit(out, o, L.ip);
    o = str(out, o, b, f[15], f[16] - 1);
    o = lit(out, o, L.occurredAt);
    o = timestampBytes(out, o, b, f[5], f[6] - 1);
    if (o < 0) return -1;
    o = lit(out, o, L.outcome);
    o = str(out, o, b, f[16], f[17] - 1);
    o = lit(out, o, L.prisonerId);
    o = str(out, o, b, f[17], f[18] - 1);
    o = lit(out, o, L.purpose);
    o = str(out, o, b, f[18], f[19] - 1);
    o = lit(out, o, L.requestId);
    o = str(out, o, b, f[19], f[20] - 1);
    o = lit(out, o, L.seq);
    o = put(out, o, b, f[2], f[3] - 1);
    o = lit(out, o, L.userAgent);
    o = str(out, o, b, f[20], f[21] - 1);
    out[o] = 125; // }
    return o + 1;
  }

  /** The string path: every field decoded, escaped as JSON.stringify does; the hash (hex). */
  private renderSlowly(buffer: Buffer): string {
    const f = buffer.toString('utf8', 0, buffer.length - 1).split('\t');
    const canonical =
      `${f[3]}{"action":${text(f[6])},"actorId":${text(f[7])},"actorRoles":${arr(f[8])}` +
      `,"actorUsername":${text(f[9])},"chainId":${Number(f[0])},"chainSeq":"${f[1]}"` +
      `,"changedFields":${arr(f[10])},"details":${f[11] === NULL_FIELD ? 'null' : this.details(f[11])}` +
      `,"entityId":${text(f[12])},"entityType":${text(f[13])},"facilityId":${text(f[14])}` +
      `,"ip":${text(f[15])},"occurredAt":"${isoMillis(f[5])}","outcome":${text(f[16])}` +
      `,"prisonerId":${text(f[17])},"purpose":${text(f[18])},"requestId":${text(f[19])}` +
      `,"seq":"${f[2]}","userAgent":${text(f[20])}}`;
    return oneShotHash('sha256', canonical, 'hex');
  }

  /** Closes every open run (the scan ended). */
  finish(): void {
    for (const run of this.open.values()) this.onRun(run);
    this.open.clear();
  }
}

/** A pg client's socket (pg keeps it as `connection.stream`). */
interface ClientWithStream {
  connection?: { stream?: NodeJS.EventEmitter & { write(data: Buffer): boolean } };
}

/**
 * `COPY ... TO STDOUT` read straight from the connection's socket, for a connection nothing
 * else uses meanwhile (a full check's thread): the messages are found in the socket's chunks
 * and each row is handed over as a place in a chunk (`buffer`, `start`, `end`), without the
 * object and buffer pg makes for every message. pg's own reader is put back when the server is
 * ready again. Resolves with the number of rows the server says it sent; rejects with the
 * server's error, or when the connection is lost.
 */
export function copyOutRaw(
  client: unknown,
  sql: string,
  onRow: (buffer: Buffer, start: number, end: number) => void,
): Promise<number> {
  const stream = (client as ClientWithStream).connection?.stream;
  if (!stream) return Promise.reject(new Error('no socket to read the COPY from'));
  const pgReaders = stream.listeners('data') as ((chunk: Buffer) => void)[];
  return new Promise<number>((resolve, reject) => {
    let pending: Buffer | undefined;
    let failure: Error | undefined;
    let rows = 0;
    const restore = () => {
      stream.off('data', onData);
      stream.off('close', onClose);
      for (const reader of pgReaders) stream.on('data', reader);
    };
    const onClose = () => {
      restore();
      reject(new Error('the connection closed during the COPY'));
    };
    /** One message (bytes [p, end) of `b`); true when the server is ready again. */
    const handle = (b: Buffer, p: number, end: number): boolean => {
      const type = b[p];
      if (type === 100 /* d: CopyData */) {
        if (!failure) {
          try {
            onRow(b, p + 5, end);
          } catch (error) {
            failure = error as Error;
          }
        }
      } else if (type === 67 /* C: CommandComplete, "COPY n" */) {
        rows = Number(/(\d+)$/.exec(b.toString('latin1', p + 5, end - 1))?.[1] ?? 0);
      } else if (type === 69 /* E: ErrorResponse */) {
        failure = new Error(serverMessage(b, p + 5, end));
      } else if (type === 90 /* Z: ReadyForQuery */) {
        restore();
        // Anything after it (nothing is expected) goes to pg's reader.
        if (end < b.length) stream.emit('data', b.subarray(end));
        if (failure) reject(failure);
        else resolve(rows);
        return true;
      }
      return false;
    };
    const onData = (chunk: Buffer) => {
      let p = 0;
      if (pending) {
        // A message began in an earlier chunk: complete it alone (no copy of the whole chunk).
        if (pending.length < 5) {
          p = Math.min(5 - pending.length, chunk.length);
          pending = Buffer.concat([pending, chunk.subarray(0, p)]);
          if (pending.length < 5) return;
        }
        const missing = 1 + pending.readInt32BE(1) - pending.length;
        if (chunk.length - p < missing) {
          pending = Buffer.concat([pending, chunk.subarray(p)]);
          return;
        }
        const whole = Buffer.concat([pending, chunk.subarray(p, p + missing)]);
        pending = undefined;
        p += missing;
        if (handle(whole, 0, whole.length)) {
          if (p < chunk.length) stream.emit('data', chunk.subarray(p));
          return;
        }
      }
      while (chunk.length - p >= 5) {
        const end = p + 1 + chunk.readInt32BE(p + 1);
        if (end > chunk.length) break;
        if (handle(chunk, p, end)) return;
        p = end;
      }
      if (p < chunk.length) pending = chunk.subarray(p);
    };
    for (const reader of pgReaders) stream.off('data', reader);
    stream.on('data', onData);
    stream.on('close', onClose);
    const text = Buffer.from(sql, 'utf8');
    const query = Buffer.alloc(6 + text.length);
    query[0] = 81; // Q: a simple query
    query.writeInt32BE(5 + text.length, 1);
    text.copy(query, 5);
    stream.write(query);
  });
}

/** The message field (M) of an ErrorResponse. */
function serverMessage(b: Buffer, start: number, end: number): string {
  let p = start;
  while (p < end && b[p] !== 0) {
    const code = b[p];
    const stop = b.indexOf(0, p + 1);
    if (stop < 0 || stop > end) break;
    if (code === 77 /* M */) return b.toString('utf8', p + 1, stop);
    p = stop + 1;
  }
  return 'the server refused the COPY';
}
