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
import { benchScale } from './scale.js';

/**
 * `npm run bench [-- scenario...]` (scenarios: instrument-evaluation, prisoner-read,
 * assessment-read; `scale` only when named, see bench/scale.ts): load benchmarks against a real PostgreSQL (embedded, or BENCH_DATABASE_URL
 * naming a server whose `vep_bench` database may be dropped and re-created). HTTP scenarios run
 * the built service as its own process, as in production (LOG_LEVEL info), and prisoner-read
 * compares it with a bare baseline measured in the same run on the same database.
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

async function measure(url: string, headers: Record<string, string>): Promise<HttpResult> {
  await load(url, headers, WARMUP);
  return load(url, headers, DURATION);
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
    cwd: root,
    env: { ...process.env, ...env, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const base = `http://127.0.0.1:${port}`;
  await waitForReady(`${base}${readyPath}`, child);
  return {
    base,
    pid: child.pid ?? 0,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

async function api<T>(
  base: string,
  path: string,
  init: { method?: string; token?: string; body?: unknown; ifMatch?: number } = {},
): Promise<T> {
  const res = await fetch(`${base}/api/v1${path}`, {
    method: init.method ?? 'GET',
    headers: {
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
      ...(init.ifMatch ? { 'if-match': String(init.ifMatch) } : {}),
    },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  if (!res.ok)
    throw new Error(`${init.method ?? 'GET'} ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

const login = async (base: string, username: string) =>
  (
    await api<{ accessToken: string }>(base, '/auth/login', {
      method: 'POST',
      body: { username, password: PASSWORD },
    })
  ).accessToken;

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
  const hash = await hashPassword(PASSWORD);
  for (const [username, role] of [
    ['bench.officer', 'security_officer'],
    ['bench.psychologist', 'psychologist'],
    ['bench.psychologist2', 'psychologist'],
  ]) {
    const [{ id }] = await dataSource.query(
      `INSERT INTO app_user (username, display_name, password_hash, roles) VALUES ($1, $1, $2, ARRAY[$3]) RETURNING id`,
      [username, hash, role],
    );
    await dataSource.query(`INSERT INTO user_facility (user_id, facility_id) VALUES ($1, $2)`, [
      id,
      facilityId,
    ]);
    if (role === 'psychologist') {
      await dataSource.query(
        `INSERT INTO certification (user_id, instrument_key, valid_until) VALUES ($1, 've-risk-spj', '2099-12-31')`,
        [id],
      );
    }
  }
  await dataSource.query(
    `INSERT INTO prisoner (prison_number, given_name, family_name, date_of_birth, sex, legal_status, facility_id)
     SELECT 'B-' || g, 'Given' || g, 'Family' || g, date '1980-01-01' + g, 'male', 'sentenced', $1
     FROM generate_series(1, 1000) g`,
    [facilityId],
  );
  await dataSource.destroy();
  return url.toString();
}

/** An approved ve-risk-spj assessment made through the API, every item rated with evidence. */
async function approvedAssessment(base: string, prisonerId: string): Promise<string> {
  const author = await login(base, 'bench.psychologist');
  const second = await login(base, 'bench.psychologist2');
  const version = await api<{ definition: { domains: { items: { code: string }[] }[] } }>(
    base,
    '/instruments/ve-risk-spj/versions/1.0.0',
    { token: author },
  );
  const items = version.definition.domains.flatMap((d) => d.items);
  const ratings = Object.fromEntries(
    items.map((item, i) => [
      item.code,
      i % 5 === 0
        ? {
            value: 'moderate',
            evidenceFor:
              'Reported in two interviews and the intake file; consistent over three months. '.repeat(
                3,
              ),
            evidenceAgainst:
              'Not repeated in the last month; engages with education staff. '.repeat(2),
            sources: ['interview', 'file_review'],
            reliability: 'medium',
          }
        : { value: 'low', evidenceFor: 'No indication in interview or file review.' },
    ]),
  );
  const draft = await api<{ id: string; version: number }>(
    base,
    `/prisoners/${prisonerId}/assessments`,
    {
      method: 'POST',
      token: author,
      body: { instrumentKey: 've-risk-spj', reason: 'intake' },
    },
  );
  await api(base, `/assessments/${draft.id}`, {
    method: 'PATCH',
    token: author,
    ifMatch: draft.version,
    body: {
      ratings,
      formulation: 'A formulation of several paragraphs. '.repeat(40),
      finalRiskLevel: 'moderate',
      finalRationale: 'Weighed against the protective factors recorded in domain PF.',
      recommendations: [
        { text: 'Standard searches', tag: 'security' },
        { text: 'Mentoring', tag: 'programme' },
        { text: 'Trauma-focused work', tag: 'clinical' },
      ],
      prisonerParticipation: {
        informedOn: '2026-11-01',
        participated: 'yes',
        prisonerComments: 'Agrees in part.',
      },
    },
  });
  await api(base, `/assessments/${draft.id}/submit`, { method: 'POST', token: author });
  await api(base, `/assessments/${draft.id}/countersign`, {
    method: 'POST',
    token: second,
    body: { decision: 'approve' },
  });
  return draft.id;
}

async function httpScenarios(
  databaseUrl: string,
  dataDir: string,
  wanted: (name: string) => boolean,
) {
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  const { rows } = await db.query(`SELECT id FROM prisoner ORDER BY prison_number LIMIT 2`);
  await db.end();
  const [readPrisoner, assessedPrisoner] = rows.map((r: { id: string }) => r.id);
  const results: Record<string, unknown>[] = [];

  const service = await startProcess(
    'src/main.js',
    {
      DATABASE_URL: databaseUrl,
      DATA_DIR: dataDir,
      LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'info',
      SEED_DEMO: 'false',
      NODE_ENV: 'production',
      DATABASE_POOL_SIZE: String(POOL_SIZE),
      // One user from one address makes every request: far past the default request limits.
      RATE_LIMIT_PER_IP: '1000000000',
      RATE_LIMIT_PER_USER: '1000000000',
      // BENCH_AUDIT_CHAINS=1 measures the single-chain design the multi-chain one replaced.
      ...(process.env.BENCH_AUDIT_CHAINS ? { AUDIT_CHAINS: process.env.BENCH_AUDIT_CHAINS } : {}),
    },
    '/health/ready',
  );
  let prisonerRead: HttpResult | undefined;
  try {
    if (wanted('prisoner-read')) {
      const token = await login(service.base, 'bench.officer');
      prisonerRead = await measure(`${service.base}/api/v1/prisoners/${readPrisoner}`, {
        authorization: `Bearer ${token}`,
      });
    }
    if (wanted('assessment-read')) {
      const id = await approvedAssessment(service.base, assessedPrisoner);
      for (const [username, view] of [
        ['bench.psychologist', 'full'],
        ['bench.officer', 'security'],
      ]) {
        const token = await login(service.base, username);
        const result = await measure(`${service.base}/api/v1/assessments/${id}`, {
          authorization: `Bearer ${token}`,
        });
        results.push({
          scenario: 'assessment-read',
          view,
          connections: CONNECTIONS,
          seconds: DURATION,
          service: result,
        });
      }
    }
  } finally {
    await service.stop();
  }

  if (prisonerRead) {
    const baseline = await startProcess(
      'bench/baseline-server.js',
      { DATABASE_URL: databaseUrl, POOL_SIZE: String(POOL_SIZE) },
      `/prisoners/${readPrisoner}`,
    );
    try {
      const baselineResult = await measure(`${baseline.base}/prisoners/${readPrisoner}`, {});
      results.unshift({
        scenario: 'prisoner-read',
        connections: CONNECTIONS,
        seconds: DURATION,
        service: prisonerRead,
        baseline: baselineResult,
        ratio: Number(
          (prisonerRead.requestsPerSecond / baselineResult.requestsPerSecond).toFixed(3),
        ),
      });
    } finally {
      await baseline.stop();
    }
  }
  return results;
}

const http = (r: HttpResult) =>
  `${r.requestsPerSecond.toFixed(0)} req/s p50 ${r.p50} ms p99 ${r.p99} ms` +
  (r.errors + r.non2xx > 0 ? ` (errors ${r.errors}, non-2xx ${r.non2xx})` : '');

async function main(): Promise<void> {
  const names = process.argv.slice(2);
  const wanted = (name: string) => names.length === 0 || names.includes(name);
  const results: Record<string, unknown>[] = [];

  if (wanted('instrument-evaluation')) results.push({ ...(await benchInstrumentEvaluation()) });
  // Heavy (it seeds SCALE_SIZE in bulk): only when named, `npm run bench -- scale`.
  if (names.includes('scale')) {
    results.push(await benchScale({ startProcess, login, password: PASSWORD, hashPassword }));
  }

  if (wanted('prisoner-read') || wanted('assessment-read')) {
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
      results.push(...(await httpScenarios(databaseUrl, join(work, 'service-data'), wanted)));
    } finally {
      await stopServer();
      rmSync(work, { recursive: true, force: true });
    }
  }

  for (const r of results) console.log(JSON.stringify(r));
  console.log('');
  for (const r of results) {
    if (r.scenario === 'prisoner-read') {
      console.log(
        `prisoner-read (${CONNECTIONS} connections): service ${http(r.service as HttpResult)}; ` +
          `baseline ${http(r.baseline as HttpResult)}; ratio ${r.ratio}`,
      );
    } else if (r.scenario === 'assessment-read') {
      console.log(
        `assessment-read, ${r.view} view (${CONNECTIONS} connections): ${http(r.service as HttpResult)}`,
      );
    } else if (r.scenario === 'scale') {
      console.log(`scale: ${JSON.stringify(r)}`);
    } else {
      console.log(
        `${r.scenario}: ${(r.evaluationsPerSecond as number).toFixed(0)} evaluations/s on one core`,
      );
    }
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
