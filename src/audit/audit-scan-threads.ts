import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type pg from 'pg';
import type { ScannedRun, ScanSuspect } from './audit-copy-scan.js';

/**
 * The full check spread over threads: one per reader, each with its own connection joining the
 * lead's exported snapshot, hashing the stretches it is handed (see audit-scan-worker). What
 * comes back per stretch is small: the runs (about one per chain) and any suspects.
 */

/** What a thread needs to open its connection (no functions: it is copied to the thread). */
export type ScanConnection = Pick<
  pg.ClientConfig,
  'user' | 'password' | 'host' | 'port' | 'database' | 'ssl' | 'options' | 'application_name'
>;

export interface ScanThreadData {
  connection: ScanConnection;
  snapshot: string;
}

export type ScanRequest = { kind: 'scan'; sql: string } | { kind: 'end' };

export type ScanThreadReply =
  | { kind: 'ready' }
  | { kind: 'scanned'; runs: ScannedRun[]; suspects: ScanSuspect[]; rows: number }
  | { kind: 'failed'; message: string };

/** The thread's module, built beside this one (absent when running from TypeScript sources). */
const workerUrl = new URL('./audit-scan-worker.js', import.meta.url);

/** Whether this build can scan in threads (the compiled worker module is there). */
export const scanThreadsAvailable = () =>
  workerUrl.protocol === 'file:' && existsSync(fileURLToPath(workerUrl));

/**
 * How a pg client connects, for a thread to connect the same way; undefined when that cannot be
 * copied to a thread (a password given as a function, an ssl option holding functions).
 */
export function scanConnection(client: unknown): ScanConnection | undefined {
  const p = (client as { connectionParameters?: Record<string, unknown> }).connectionParameters;
  if (!p || typeof p.password === 'function') return undefined;
  const connection: ScanConnection = {
    user: p.user as string | undefined,
    password: p.password as string | undefined,
    host: p.host as string | undefined,
    port: p.port as number | undefined,
    database: p.database as string | undefined,
    ssl: p.ssl as ScanConnection['ssl'],
    options: p.options as string | undefined,
    application_name: p.application_name as string | undefined,
  };
  try {
    structuredClone(connection);
  } catch {
    return undefined;
  }
  return connection;
}

/**
 * Runs every COPY in `sqls` on `threads` threads (each takes the next when it finishes one),
 * handing each stretch's runs and suspects, with the stretch's index, to `onScanned` (on this
 * thread). `worker`: the thread's module (another build of it, in tests).
 */
export async function scanInThreads(
  sqls: string[],
  data: ScanThreadData,
  threads: number,
  onScanned: (index: number, runs: ScannedRun[], suspects: ScanSuspect[], rows: number) => void,
  worker: URL = workerUrl,
): Promise<void> {
  const queue = sqls.map((_, index) => index);
  const threadsStarted: Worker[] = [];
  try {
    await Promise.all(
      Array.from({ length: Math.max(1, Math.min(threads, sqls.length)) }, () => {
        const thread = new Worker(worker, { workerData: data });
        threadsStarted.push(thread);
        return new Promise<void>((resolve, reject) => {
          let ended = false;
          let current = -1;
          const next = () => {
            const index = queue.shift();
            if (index === undefined) {
              ended = true;
              thread.postMessage({ kind: 'end' } satisfies ScanRequest);
            } else {
              current = index;
              thread.postMessage({ kind: 'scan', sql: sqls[index] } satisfies ScanRequest);
            }
          };
          thread.on('message', (reply: ScanThreadReply) => {
            if (reply.kind === 'failed') {
              reject(new Error(reply.message));
              return;
            }
            try {
              if (reply.kind === 'scanned')
                onScanned(current, reply.runs, reply.suspects, reply.rows);
              next();
            } catch (error) {
              reject(error as Error);
            }
          });
          thread.on('error', reject);
          thread.on('exit', (code) =>
            ended && code === 0 ? resolve() : reject(new Error(`scan thread stopped (${code})`)),
          );
        });
      }),
    );
  } finally {
    await Promise.all(threadsStarted.map((thread) => thread.terminate()));
  }
}
