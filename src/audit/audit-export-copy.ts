import pg from 'pg';

/**
 * The export's reader: `COPY (SELECT line ...) TO STDOUT` in CSV format with a delimiter and a
 * quote character that JSON text never contains (control characters, which JSON escapes), so
 * PostgreSQL prints each rendered line as it is, followed by a newline: exactly an NDJSON line.
 * Each row arrives as a Buffer and is never decoded: the bytes go to the socket as they came,
 * with no JavaScript string made, encoded or collected for them.
 */
export const COPY_VERBATIM = `WITH (FORMAT csv, DELIMITER E'\\x02', QUOTE E'\\x01')`;

/** The connection method pg calls a submittable with (unused during COPY TO). */
interface CopyConnection {
  query(text: string): void;
}

/** Anything pg can submit a query object to: a Client, a PoolClient. */
export interface CopySubmitter {
  query(submittable: object): unknown;
}

/** What a COPY read: its rows' bytes in pieces, how many rows, and the last row. */
export interface CopiedRows {
  pieces: Buffer[];
  rows: number;
  /** The last row's bytes (with its newline), or null when there was none. */
  last: Buffer | null;
}

/** Bytes per piece: a socket write's worth, allocated outside the JavaScript heap. */
const PIECE_BYTES = 64 * 1024;

/**
 * COPY ... TO STDOUT through node-postgres without another dependency: a submittable that
 * copies each row (one CopyData message, with its newline) into pieces of its own as it comes
 * (pg's buffer is reused, so its views cannot be kept).
 */
class CopyRows {
  private resolve!: (rows: CopiedRows) => void;
  private reject!: (error: Error) => void;
  private error?: Error;
  private readonly pieces: Buffer[] = [];
  private piece = Buffer.allocUnsafe(PIECE_BYTES);
  private used = 0;
  private lastStart = -1;
  private lastEnd = -1;
  private rows = 0;
  callback?: (error: Error | null) => void;
  readonly done = new Promise<CopiedRows>((resolve, reject) => {
    this.resolve = resolve;
    this.reject = reject;
  });

  constructor(private readonly text: string) {}

  submit(connection: CopyConnection): void {
    connection.query(this.text);
  }

  handleCopyData(message: { chunk: Buffer }): void {
    const row = message.chunk;
    if (this.used + row.length > this.piece.length) {
      if (this.used > 0) this.pieces.push(this.piece.subarray(0, this.used));
      this.piece = Buffer.allocUnsafe(Math.max(PIECE_BYTES, row.length));
      this.used = 0;
    }
    row.copy(this.piece, this.used);
    this.lastStart = this.used;
    this.used += row.length;
    this.lastEnd = this.used;
    this.rows += 1;
  }

  handleReadyForQuery(): void {
    this.callback?.(this.error ?? null);
    if (this.error) return this.reject(this.error);
    const last = this.rows > 0 ? this.piece.subarray(this.lastStart, this.lastEnd) : null;
    if (this.used > 0) this.pieces.push(this.piece.subarray(0, this.used));
    this.resolve({ pieces: this.pieces, rows: this.rows, last });
  }

  /** A server error (ReadyForQuery follows) or a lost connection (nothing follows). */
  handleError(error: Error): void {
    this.error = error;
    this.callback?.(error);
    this.reject(error);
  }

  /** pg calls these on other message kinds; nothing to do. */
  handleCommandComplete(): void {}
  handleRowDescription(): void {}
  handleDataRow(): void {}
  handleEmptyQuery(): void {}
  handlePortalSuspended(): void {}
}

/** Runs `COPY (query) TO STDOUT ...` and resolves with its rows' bytes. */
export function copyRows(client: CopySubmitter, sql: string): Promise<CopiedRows> {
  const copy = new CopyRows(sql);
  void client.query(copy);
  return copy.done;
}

/** A parameter as an SQL literal; text through pg's quoting, which escapes quotes and backslashes. */
function literal(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'string') return pg.escapeLiteral(value);
  if (typeof value === 'number' && Number.isFinite(value)) return `(${value})`;
  if (typeof value === 'bigint') return `(${value})`;
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (Array.isArray(value)) {
    return value.length === 0 ? `'{}'` : `ARRAY[${value.map(literal).join(', ')}]`;
  }
  throw new Error(`cannot write a ${typeof value} as an SQL literal`);
}

/**
 * COPY takes no bind parameters: `$n` in `sql` (which must hold no other `$`) replaced by its
 * value as a literal. Values are quoted, never pasted: a string is always one literal.
 */
export function inlineParameters(sql: string, params: unknown[]): string {
  return sql.replace(/\$(\d+)/g, (_, n: string) => {
    const index = Number(n) - 1;
    if (index < 0 || index >= params.length) throw new Error(`no value for $${n}`);
    return literal(params[index]);
  });
}
