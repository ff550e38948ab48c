import { parentPort, workerData } from 'node:worker_threads';
import pg from 'pg';
import { BinaryRunFollower } from './audit-binary-scan.js';
import { copyOutRaw, type ScannedRun, type ScanSuspect } from './audit-copy-scan.js';
import type { ScanRequest, ScanThreadData, ScanThreadReply } from './audit-scan-threads.js';

/**
 * One thread of a full check: its own connection, in the snapshot the lead exported, reads the
 * stretches it is handed (binary COPY), hashes every row, and answers each stretch with its
 * runs and suspects. The main thread only hands out stretches and stitches.
 */
const { connection, snapshot } = workerData as ScanThreadData;
const port = parentPort!;
const reply = (message: ScanThreadReply) => port.postMessage(message);
const client = new pg.Client(connection);
client.on('error', () => undefined);

async function start(): Promise<void> {
  await client.connect();
  await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  await client.query(`SET TRANSACTION SNAPSHOT '${snapshot.replace(/'/g, "''")}'`);
  await client.query('SET LOCAL statement_timeout = 0');
}

async function scan(sql: string): Promise<void> {
  const runs: ScannedRun[] = [];
  const suspects: ScanSuspect[] = [];
  const follower = new BinaryRunFollower(
    (run) => runs.push(run),
    (suspect) => suspects.push(suspect),
  );
  await copyOutRaw(client, sql, (buffer, start, end) => follower.message(buffer, start, end));
  follower.finish();
  reply({ kind: 'scanned', runs, suspects, rows: follower.rows });
}

async function end(): Promise<void> {
  await client.query('ROLLBACK').catch(() => undefined);
  await client.end().catch(() => undefined);
  port.close();
}

const fail = (error: unknown) =>
  reply({ kind: 'failed', message: error instanceof Error ? error.message : String(error) });

port.on('message', (request: ScanRequest) => {
  if (request.kind === 'scan') scan(request.sql).catch(fail);
  else void end();
});
start()
  .then(() => reply({ kind: 'ready' }))
  .catch(fail);
