import pg from 'pg';
import { BinaryJsonWriter, lit, L_NULL } from './audit-binary-json.js';
import { copyOut, type CopyClient } from './audit-copy-scan.js';

/**
 * The export's reader: `COPY (SELECT ${EXPORT_COLUMNS} ...) TO STDOUT (FORMAT binary)`, each
 * row written as its NDJSON line (an AuditEventResponse: the same keys in the same order as the
 * API's items) straight into pieces of bytes that go to the socket as they are. The backend
 * only sends the columns' binary forms, which costs it about half of printing the line itself;
 * no JavaScript string is made per row.
 */
export const EXPORT_COLUMNS = `seq, chain_id, chain_seq, occurred_at, actor_id, actor_username,
  actor_roles, action, entity_type, entity_id, prisoner_id, facility_id, outcome, purpose,
  request_id, ip, user_agent, changed_fields, details, prev_hash, hash`;

const FIELDS = 21;
const L_SEQ = lit('{"seq":');
const L_CHAIN_ID = lit(',"chainId":');
const L_CHAIN_SEQ = lit(',"chainSeq":');
const L_OCCURRED_AT = lit(',"occurredAt":"');
const L_ACTOR_ID = lit('","actor":{"id":');
const L_USERNAME = lit(',"username":');
const L_ROLES = lit(',"roles":');
const L_ACTION = lit('},"action":');
const L_ENTITY_TYPE = lit(',"entityType":');
const L_ENTITY_ID = lit(',"entityId":');
const L_PRISONER_ID = lit(',"prisonerId":');
const L_FACILITY_ID = lit(',"facilityId":');
const L_OUTCOME = lit(',"outcome":');
const L_PURPOSE = lit(',"purpose":');
const L_REQUEST_ID = lit(',"requestId":');
const L_IP = lit(',"ip":');
const L_USER_AGENT = lit(',"userAgent":');
const L_CHANGED_FIELDS = lit(',"changedFields":');
const L_DETAILS = lit(',"details":');
const L_PREV_HASH = lit(',"prevHash":');
const L_HASH = lit(',"hash":');
const L_END = lit('}\n');

/** What a COPY read: its lines' bytes in pieces, how many, and the last one's seq. */
export interface CopiedLines {
  pieces: Buffer[];
  rows: number;
  /** The seq of the last row, or null when there was none. */
  lastSeq: bigint | null;
}

/** Bytes per piece: a socket write's worth, allocated outside the JavaScript heap. */
const PIECE_BYTES = 64 * 1024;

/** Writes each row of a binary COPY of EXPORT_COLUMNS as its NDJSON line into pieces. */
export class ExportLineWriter extends BinaryJsonWriter {
  readonly pieces: Buffer[] = [];
  rows = 0;
  lastSeq: bigint | null = null;
  private piece = Buffer.allocUnsafe(PIECE_BYTES);
  private used = 0;

  constructor() {
    super(FIELDS);
  }

  /** One CopyData message: a row (its line added to the pieces), or the trailer. */
  message(b: Buffer): void {
    if (!this.fieldsOf(b, 0, b.length)) return;
    const n = this.line(b);
    if (n < 0) throw new Error('an audit event the export cannot write as JSON');
    if (this.used + n > this.piece.length) {
      if (this.used > 0) this.pieces.push(this.piece.subarray(0, this.used));
      this.piece = Buffer.allocUnsafe(Math.max(PIECE_BYTES, n));
      this.used = 0;
    }
    this.out.copy(this.piece, this.used, 0, n);
    this.used += n;
    this.rows += 1;
    this.lastSeq = b.readBigInt64BE(this.at[0]);
  }

  /** Ends the last piece: the pieces are complete. */
  finish(): CopiedLines {
    if (this.used > 0) this.pieces.push(this.piece.subarray(0, this.used));
    this.used = 0;
    return { pieces: this.pieces, rows: this.rows, lastSeq: this.lastSeq };
  }

  /** The row's line (with its newline) written into `out`: its length, or -1. */
  private line(b: Buffer): number {
    let o = this.lit(0, L_SEQ);
    if ((o = this.bigint(o, b, 0)) < 0) return -1;
    o = this.lit(o, L_CHAIN_ID);
    if (this.length[1] !== 4) return -1;
    o = this.int(o, b.readInt32BE(this.at[1]));
    o = this.lit(o, L_CHAIN_SEQ);
    if ((o = this.bigint(o, b, 2)) < 0) return -1;
    o = this.lit(o, L_OCCURRED_AT);
    if ((o = this.timestamp(o, b, 3)) < 0) return -1;
    o = this.lit(o, L_ACTOR_ID);
    if ((o = this.uuid(o, b, 4)) < 0) return -1;
    o = this.lit(o, L_USERNAME);
    o = this.text(o, b, 5);
    o = this.lit(o, L_ROLES);
    if ((o = this.array(o, b, 6)) < 0) return -1;
    o = this.lit(o, L_ACTION);
    o = this.text(o, b, 7);
    o = this.lit(o, L_ENTITY_TYPE);
    o = this.text(o, b, 8);
    o = this.lit(o, L_ENTITY_ID);
    o = this.text(o, b, 9);
    o = this.lit(o, L_PRISONER_ID);
    if ((o = this.uuid(o, b, 10)) < 0) return -1;
    o = this.lit(o, L_FACILITY_ID);
    if ((o = this.uuid(o, b, 11)) < 0) return -1;
    o = this.lit(o, L_OUTCOME);
    o = this.text(o, b, 12);
    o = this.lit(o, L_PURPOSE);
    o = this.text(o, b, 13);
    o = this.lit(o, L_REQUEST_ID);
    o = this.text(o, b, 14);
    o = this.lit(o, L_IP);
    o = this.text(o, b, 15);
    o = this.lit(o, L_USER_AGENT);
    o = this.text(o, b, 16);
    o = this.lit(o, L_CHANGED_FIELDS);
    if ((o = this.array(o, b, 17)) < 0) return -1;
    o = this.lit(o, L_DETAILS);
    if ((o = this.jsonb(o, b, 18)) < 0) return -1;
    o = this.lit(o, L_PREV_HASH);
    o = this.text(o, b, 19);
    o = this.lit(o, L_HASH);
    o = this.text(o, b, 20);
    return this.lit(o, L_END);
  }

  /** A jsonb field (version 1, then its text as PostgreSQL prints it) as that text. */
  private jsonb(o: number, b: Buffer, field: number): number {
    const n = this.length[field];
    if (n < 0) return this.lit(o, L_NULL);
    const from = this.at[field];
    if (n < 2 || b[from] !== 1) return -1;
    this.room(o, n - 1);
    b.copy(this.out, o, from + 1, from + n);
    return o + n - 1;
  }
}

/**
 * Runs `COPY (SELECT ${EXPORT_COLUMNS} ...) TO STDOUT (FORMAT binary)` (the connection's
 * `query_timeout` applies) and resolves with its rows as NDJSON lines. pg's buffer is reused,
 * so each line is written into pieces of its own as its row comes.
 */
export async function copyLines(client: CopyClient, sql: string): Promise<CopiedLines> {
  const writer = new ExportLineWriter();
  await copyOut(client, sql, (row) => writer.message(row), { bounded: true });
  return writer.finish();
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
