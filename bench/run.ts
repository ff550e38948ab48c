import autocannon from 'autocannon';
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../src/database/data-source-options.js';
import { freePort, startEmbeddedPostgres } from '../src/database/embedded-postgres.js';
import { hashPassword } from '../src/users/password-hasher.js';
import { benchInstrumentEvaluation } from './instrument-evaluation.js';

/**
 * `npm run bench [-- scenario...]`: load benchmarks against a real PostgreSQL (embedded, or
 * BENCH_DATABASE_URL naming a server whose database may be dropped and re-created).
 * HTTP scenarios run the built service as its own process, like production, and compare it
 * with a baseline measured in the same run on the same database.
 */
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
const DURATION = Number(process.env.BENCH_SECONDS ?? 10);
const WARMUP = 3;
// Database connections per server process, the same for the service and the baseline.
const POOL_SIZE = Number(process.env.BENCH_POOL_SIZE ?? 10);
const PASSWORD = 'bench passphrase long enough';
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

interface HttpResult {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
}

async function load(
  url: string,
  headers: Record<string, string>,
  seconds: number,
): Promise<HttpResult> {
  const result = await autocannon({ url, connections: CONNECTIONS, duration: seconds, headers });
  return {
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors,
    non2xx: result.non2xx,
  };
}

async function waitForReady(url: string, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 120; i++) {
    if (child.exitCode !== null) throw new Error(`${url} exited with ${child.exitCode}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`${url} not ready after 60 s`);
}

async function startProcess(script: string, env: Record<string, string>, readyPath: string) {
  const port = await freePort();
  const child = spawn(process.execPath, [join(root, 'dist', script)], {
    env: { ...process.env, ...env, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const base = `http://127.0.0.1:${port}`;
  await waitForReady(`${base}${readyPath}`, child);
  return {
    base,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

async function prepareDatabase(adminUrl: string): Promise<string> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query('DROP DATABASE IF EXISTS vep_bench WITH (FORCE)');
  await admin.query('CREATE DATABASE vep_bench');
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = '/vep_bench';
  const dataSource = new DataSource(dataSourceOptions(url.toString(), 2));
  await dataSource.initialize();
  await dataSource.runMigrations();
  await dataSource.query(`
    CREATE TABLE bench_baseline_audit (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, occurred_at timestamptz NOT NULL DEFAULT now(),
      action text NOT NULL, entity_id text, request_id text, ip text)`);
  const [{ id: facilityId }] = await dataSource.query(
    `INSERT INTO facility (code, name) VALUES ('BENCH', 'Bench') RETURNING id`,
  );
  const [{ id: userId }] = await dataSource.query(
    `INSERT INTO app_user (username, display_name, password_hash, roles) VALUES ('bench.officer', 'Bench', $1, '{security_officer}') RETURNING id`,
    [await hashPassword(PASSWORD)],
  );
  await dataSource.query(`INSERT INTO user_facility (user_id, facility_id) VALUES ($1, $2)`, [
    userId,
    facilityId,
  ]);
  await dataSource.query(
    `INSERT INTO prisoner (prison_number, given_name, family_name, date_of_birth, sex, legal_status, facility_id)
     SELECT 'B-' || g, 'Given' || g, 'Family' || g, date '1980-01-01' + g, 'male', 'sentenced', $1
     FROM generate_series(1, 1000) g`,
    [facilityId],
  );
  await dataSource.destroy();
  return url.toString();
}

async function prisonerRead(
  databaseUrl: string,
  dataDir: string,
): Promise<Record<string, unknown>> {
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  const { rows } = await db.query(`SELECT id FROM prisoner ORDER BY prison_number LIMIT 1`);
  await db.end();
  const prisonerId = rows[0].id as string;

  const service = await startProcess(
    'src/main.js',
    {
      DATABASE_URL: databaseUrl,
      DATA_DIR: dataDir,
      LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'info',
      SEED_DEMO: 'false',
      NODE_ENV: 'production',
      DATABASE_POOL_SIZE: String(POOL_SIZE),
    },
    '/health/ready',
  );
  let serviceResult: HttpResult;
  try {
    const login = await fetch(`${service.base}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'bench.officer', password: PASSWORD }),
    });
    const { accessToken } = (await login.json()) as { accessToken: string };
    const url = `${service.base}/api/v1/prisoners/${prisonerId}`;
    const headers = { authorization: `Bearer ${accessToken}` };
    await load(url, headers, WARMUP);
    serviceResult = await load(url, headers, DURATION);
  } finally {
    await service.stop();
  }

  const baseline = await startProcess(
    'bench/baseline-server.js',
    { DATABASE_URL: databaseUrl, POOL_SIZE: String(POOL_SIZE) },
    `/prisoners/${prisonerId}`,
  );
  let baselineResult: HttpResult;
  try {
    const url = `${baseline.base}/prisoners/${prisonerId}`;
    await load(url, {}, WARMUP);
    baselineResult = await load(url, {}, DURATION);
  } finally {
    await baseline.stop();
  }
  return {
    scenario: 'prisoner-read',
    connections: CONNECTIONS,
    seconds: DURATION,
    service: serviceResult,
    baseline: baselineResult,
    ratio: Number((serviceResult.requestsPerSecond / baselineResult.requestsPerSecond).toFixed(3)),
  };
}

async function main(): Promise<void> {
  const wanted = process.argv.slice(2);
  const selected = (name: string) => wanted.length === 0 || wanted.includes(name);
  const results: Record<string, unknown>[] = [];

  if (selected('instrument-evaluation')) results.push({ ...(await benchInstrumentEvaluation()) });

  if (selected('prisoner-read')) {
    const work = mkdtempSync(join(tmpdir(), 'vep-bench-'));
    chmodSync(work, 0o755);
    let stopServer: () => Promise<void> = async () => undefined;
    try {
      let adminUrl = process.env.BENCH_DATABASE_URL;
      if (!adminUrl) {
        const server = await startEmbeddedPostgres({
          clusterDir: join(work, 'postgres'),
          passwordFile: join(work, 'keys', 'pg-password'),
          database: 'postgres_bench',
        });
        adminUrl = server.url;
        stopServer = server.stop;
      }
      const databaseUrl = await prepareDatabase(adminUrl);
      results.push(await prisonerRead(databaseUrl, join(work, 'service-data')));
    } finally {
      await stopServer();
      rmSync(work, { recursive: true, force: true });
    }
  }

  for (const r of results) console.log(JSON.stringify(r));
  console.log('\nscenario               | measure');
  for (const r of results) {
    if (r.scenario === 'prisoner-read') {
      const s = r.service as HttpResult;
      const b = r.baseline as HttpResult;
      console.log(
        `prisoner-read          | service ${s.requestsPerSecond.toFixed(0)} req/s p50 ${s.p50} ms p99 ${s.p99} ms; ` +
          `baseline ${b.requestsPerSecond.toFixed(0)} req/s p50 ${b.p50} ms p99 ${b.p99} ms; ratio ${r.ratio}` +
          (s.errors + s.non2xx > 0 ? ` (service errors ${s.errors}, non-2xx ${s.non2xx})` : ''),
      );
    } else {
      console.log(`${String(r.scenario).padEnd(22)} | ${JSON.stringify(r)}`);
    }
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
