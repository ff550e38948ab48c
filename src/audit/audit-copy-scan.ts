/**
 * `COPY ... TO STDOUT` through node-postgres (any connection) or straight from a connection's
 * socket (a connection of its own), each row handed over as it arrives, and what a full check's
 * scan of a stretch reports: where runs of each chain start and end, and suspect rows. The rows
 * themselves are read by audit-binary-scan.
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
 * hands each CopyData message (a row; in binary format the first also carries the header, and
 * a last one the trailer) to `onRow` as it arrives. Resolves with the row count once the server
 * is ready again.
 */
class CopyTo {
  private resolve!: (rows: number) => void;
  private reject!: (error: Error) => void;
  private error?: Error;
  private rows = 0;
  /**
   * Unset: the connection's `query_timeout` applies. A COPY of a large table runs for minutes,
   * so a scan asks for none. pg wraps `callback` to clear its timer.
   */
  readonly query_timeout?: number;
  callback?: (error: Error | null, rows?: number) => void;
  readonly done = new Promise<number>((resolve, reject) => {
    this.resolve = resolve;
    this.reject = reject;
  });

  constructor(
    private readonly text: string,
    private readonly onRow: (row: Buffer) => void,
    unbounded: boolean,
  ) {
    if (unbounded) this.query_timeout = 2_147_483_647;
  }

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

/**
 * Runs a `COPY ... TO STDOUT` (any format), handing every CopyData message to `onRow`. With
 * `bounded`, the connection's `query_timeout` applies; without, none (a scan of a whole table).
 */
export function copyOut(
  client: CopyClient,
  sql: string,
  onRow: (row: Buffer) => void,
  { bounded = false }: { bounded?: boolean } = {},
): Promise<number> {
  const copy = new CopyTo(sql, onRow, !bounded);
  void client.query(copy);
  return copy.done;
}

/**
 * Where one chain's rows run without a break in a scan: from position `start` (linking to
 * `startPrevHash`) to `end` (whose hash is `endHash`).
 */
export interface ScannedRun {
  chainId: number;
  start: number;
  startSeq: number;
  startPrevHash: string;
  end: number;
  endSeq: number;
  endHash: string;
}

/** A row whose hash the scan did not reproduce: for the reference implementation to decide. */
export interface ScanSuspect {
  chainId: number;
  chainSeq: string;
  seq: string;
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
