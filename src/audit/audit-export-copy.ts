import pg from 'pg';
import { copyOut, type CopyClient } from './audit-copy-scan.js';

/**
 * The export's reader: `COPY (SELECT line ...) TO STDOUT` in CSV format with a delimiter and a
 * quote character that JSON text never contains (control characters, which JSON escapes), so
 * PostgreSQL prints each rendered line as it is, followed by a newline: exactly an NDJSON line.
 * Each row arrives as a Buffer and is never decoded: the bytes go to the socket as they came,
 * with no JavaScript string made, encoded or collected for them.
 */
export const COPY_VERBATIM = `WITH (FORMAT csv, DELIMITER E'\\x02', QUOTE E'\\x01')`;

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
 * Runs `COPY (query) TO STDOUT ...` (the connection's `query_timeout` applies) and resolves with
 * its rows' bytes, each row (one CopyData message, with its newline) copied into pieces of its
 * own as it comes: pg's buffer is reused, so its views cannot be kept.
 */
export async function copyRows(client: CopyClient, sql: string): Promise<CopiedRows> {
  const pieces: Buffer[] = [];
  let piece = Buffer.allocUnsafe(PIECE_BYTES);
  let used = 0;
  let lastStart = -1;
  let rows = 0;
  await copyOut(
    client,
    sql,
    (row) => {
      if (used + row.length > piece.length) {
        if (used > 0) pieces.push(piece.subarray(0, used));
        piece = Buffer.allocUnsafe(Math.max(PIECE_BYTES, row.length));
        used = 0;
      }
      row.copy(piece, used);
      lastStart = used;
      used += row.length;
      rows += 1;
    },
    { bounded: true },
  );
  const last = rows > 0 ? piece.subarray(lastStart, used) : null;
  if (used > 0) pieces.push(piece.subarray(0, used));
  return { pieces, rows, last };
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
