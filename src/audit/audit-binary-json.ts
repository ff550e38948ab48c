/**
 * Rows of `COPY ... TO STDOUT (FORMAT binary)` written as JSON text, byte by byte. PostgreSQL
 * sends each column as its type's binary form (a uuid is 16 bytes, a timestamptz 8, a text its
 * bytes), which costs the backend far less than printing them; this writes them into one
 * reused buffer without making a JavaScript string per value. The full check renders canonical
 * rows with it (audit-binary-scan) and the export its NDJSON lines (audit-export-copy).
 */

/** The file header of binary COPY: the signature, then flags and an extension length. */
const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');

/** Text as bytes (the JSON punctuation and keys between values). */
export const lit = (text: string) => Buffer.from(text, 'latin1');
export const L_NULL = lit('null');

/** Lower-case hex digits (as bytes) of every byte value: high nibble, low nibble. */
export const HEX = new Uint8Array(512);
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
export function int64(b: Buffer, at: number): number {
  const high = b.readInt32BE(at);
  if (high >= 0x200000 || high < -0x200000) return NaN;
  return high * TWO_32 + b.readUInt32BE(at + 4);
}

/**
 * One binary COPY row at a time: where each field starts and how long it is, and writers of
 * JSON values from those fields into `out`. Each writer takes the position to write at and
 * returns the position after what it wrote, or -1 for a value it cannot write exactly (the
 * caller decides what that means).
 */
export class BinaryJsonWriter {
  /** Field starts and lengths (-1: null) of the row being read. */
  protected readonly at: Int32Array;
  protected readonly length: Int32Array;
  /** What is being written; grown for an unusually long row. */
  protected out = Buffer.allocUnsafe(16_384);
  /** Views of the first n bytes of `out`, by n. */
  private views: (Buffer | undefined)[] = [];
  /** The date part (`YYYY-MM-DD`) of the last timestamp written, by day since 1970. */
  private day = NaN;
  private readonly date = Buffer.alloc(10);

  constructor(private readonly fields: number) {
    this.at = new Int32Array(fields);
    this.length = new Int32Array(fields);
  }

  /**
   * Reads one CopyData message (bytes [start, end) of `b`) into `at` and `length`: true for a
   * row (the first one after the file header), false for the trailer or a header alone.
   * PostgreSQL sends each row in a message of its own.
   */
  protected fieldsOf(b: Buffer, start: number, end: number): boolean {
    let p = start;
    if (end - p >= 19 && b.compare(SIGNATURE, 0, 11, p, p + 11) === 0) {
      p += 19 + b.readInt32BE(p + 15);
      if (p === end) return false;
    }
    const count = b.readInt16BE(p);
    if (count === -1) return false;
    if (count !== this.fields) {
      throw new Error(`a COPY row with ${count} columns, not ${this.fields}`);
    }
    p += 2;
    const at = this.at;
    const length = this.length;
    for (let i = 0; i < count; i++) {
      if (p + 4 > end) throw new Error('a COPY row shorter than its fields');
      const n = (b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3];
      p += 4;
      at[i] = p;
      length[i] = n;
      if (n > 0) p += n;
    }
    if (p !== end) throw new Error('a COPY row longer or shorter than its fields');
    return true;
  }

  /** Room for `n` more bytes at `o` in `out`. */
  protected room(o: number, n: number): void {
    if (o + n <= this.out.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(2 * this.out.length, o + n + 1024));
    this.out.copy(bigger, 0, 0, o);
    this.out = bigger;
    this.views = [];
  }

  /** The first `n` bytes of `out`, one view per length kept (no view made per row). */
  protected view(n: number): Buffer {
    let view = this.views[n];
    if (view === undefined) {
      view = this.out.subarray(0, n);
      this.views[n] = view;
    }
    return view;
  }

  protected lit(o: number, bytes: Buffer): number {
    this.room(o, bytes.length);
    const out = this.out;
    for (let i = 0; i < bytes.length; i++) out[o + i] = bytes[i];
    return o + bytes.length;
  }

  /** A decimal integer (exact below 2^53), written digit by digit (no string made). */
  protected int(o: number, value: number): number {
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

  /** An int8 field as a decimal number: exact at any size (past 2^53 through BigInt). */
  protected bigint(o: number, b: Buffer, field: number): number {
    if (this.length[field] !== 8) return -1;
    const value = int64(b, this.at[field]);
    if (value === value) return this.int(o, value);
    const digits = Buffer.from(b.readBigInt64BE(this.at[field]).toString(), 'latin1');
    return this.lit(o, digits);
  }

  /** A text value (bytes [from, from + n)) as a JSON string. */
  protected string(o: number, b: Buffer, from: number, n: number): number {
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
  protected text(o: number, b: Buffer, field: number): number {
    const n = this.length[field];
    if (n < 0) return this.lit(o, L_NULL);
    return this.string(o, b, this.at[field], n);
  }

  /** A uuid field: null, or its 16 bytes as `"xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx"`. */
  protected uuid(o: number, b: Buffer, field: number): number {
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
  protected array(o: number, b: Buffer, field: number): number {
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

  /**
   * A timestamptz (µs since 2000-01-01 UTC) as `YYYY-MM-DDTHH:MM:SS.mmmZ` (ms truncated, as
   * to_char prints it), without quotes; -1 outside four-digit years.
   */
  protected timestamp(o: number, b: Buffer, field: number): number {
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
}
