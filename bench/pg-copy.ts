import type pg from 'pg';

/** The connection methods pg calls a submittable with during COPY FROM STDIN. */
interface CopyConnection {
  query(text: string): void;
  sendCopyFromChunk(chunk: Buffer): void;
  endCopyFrom(): void;
}

/**
 * COPY ... FROM STDIN through node-postgres without another dependency: a submittable that
 * sends the rows (already in COPY text format) when the server asks for them.
 */
class CopyFrom {
  private resolve!: (rows: number) => void;
  private reject!: (error: Error) => void;
  private error?: Error;
  private rows = 0;
  readonly done = new Promise<number>((resolve, reject) => {
    this.resolve = resolve;
    this.reject = reject;
  });

  constructor(
    private readonly text: string,
    private readonly data: Buffer,
  ) {}

  submit(connection: CopyConnection): void {
    connection.query(this.text);
  }

  handleCopyInResponse(connection: CopyConnection): void {
    const step = 1 << 20;
    for (let i = 0; i < this.data.length; i += step) {
      connection.sendCopyFromChunk(this.data.subarray(i, i + step));
    }
    connection.endCopyFrom();
  }

  handleCommandComplete(message: { text?: string }): void {
    this.rows = Number(/(\d+)$/.exec(message.text ?? '')?.[1] ?? 0);
  }

  handleReadyForQuery(): void {
    if (this.error) this.reject(this.error);
    else this.resolve(this.rows);
  }

  handleError(error: Error): void {
    this.error = error;
  }
}

/** Escapes one value for COPY text format (null as \N). */
export function copyValue(value: string | number | null): string {
  if (value === null) return '\\N';
  return String(value).replace(/[\\\t\n\r]/g, (c) =>
    c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r',
  );
}

/** Runs `COPY table (columns) FROM STDIN` with rows already escaped, tab-separated. */
export async function copyFrom(
  client: pg.Client | pg.PoolClient,
  table: string,
  columns: string[],
  lines: string[],
): Promise<number> {
  const copy = new CopyFrom(
    `COPY ${table} (${columns.join(', ')}) FROM STDIN`,
    Buffer.from(lines.join('\n') + '\n'),
  );
  void client.query(copy as unknown as pg.QueryConfig);
  return copy.done;
}
