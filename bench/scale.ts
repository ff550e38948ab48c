import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import {
  recordVerification,
  verifyAuditTrail,
  verifyWorkers,
  type VerifyMode,
} from '../src/audit/audit-verifier.js';
import { loadAuditSigningKey } from '../src/crypto/key-material.js';
import { TrustedKeys } from '../src/crypto/trusted-keys.js';
import { dataSourceOptions } from '../src/database/data-source-options.js';
import { startEmbeddedPostgres } from '../src/database/embedded-postgres.js';
import { scaleSize, seedScale } from './scale-seed.js';

const p95 = (samples: number[]) => {
  const sorted = [...samples].sort((a, b) => a - b);
  return Number(sorted[Math.floor(sorted.length * 0.95)].toFixed(2));
};

/** p95 (ms) of `sql` run `runs` times, each with parameters from `params(i)`. */
async function latency(db: pg.Client, sql: string, params: (i: number) => unknown[], runs = 200) {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = process.hrtime.bigint();
    await db.query(sql, params(i));
    samples.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  return p95(samples);
}

/**
 * `npm run bench -- scale`: the audit trail at national scale. Seeds a database in bulk
 * (SCALE_SIZE: tiny, small, medium, full), and measures on the empty and on the seeded database:
 * one prisoner's audit page (the query of GET /audit/events?prisonerId=, p95), full verification
 * (events/s) and incremental verification (ms) as the service runs them.
 */
/** What the HTTP part borrows from bench/run.ts. */
export interface ServiceHarness {
  startProcess(
    script: string,
    env: Record<string, string>,
    readyPath: string,
  ): Promise<{ base: string; pid: number; stop(): Promise<void> }>;
  login(base: string, username: string): Promise<string>;
  password: string;
  hashPassword(password: string): Promise<string>;
}

/** Resident memory (kB) of a process, from /proc (Linux); 0 elsewhere. */
function rssKb(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/**
 * Through the service (its own process, as in production): one prisoner's audit page
 * (GET /audit/events?prisonerId=, p95 of sequential requests) and the NDJSON export of one
 * facility's events (rows/s, and the service's resident memory before and at its peak).
 */
async function httpAudit(
  harness: ServiceHarness,
  url: string,
  dataDir: string,
): Promise<Record<string, number>> {
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  const [{ id: facilityId }] = (
    await db.query(
      `SELECT facility_id AS id FROM prisoner GROUP BY 1 ORDER BY count(*) DESC LIMIT 1`,
    )
  ).rows;
  const prisoners = (
    await db.query(`SELECT id FROM prisoner WHERE facility_id = $1 LIMIT 100`, [facilityId])
  ).rows.map((r: { id: string }) => r.id);
  const hash = await harness.hashPassword(harness.password);
  const [{ id: userId }] = (
    await db.query(
      `INSERT INTO app_user (username, display_name, password_hash, roles)
       VALUES ('scale.auditor', 'Scale auditor', $1, ARRAY['supervisor'])
       ON CONFLICT (username) DO UPDATE SET password_hash = EXCLUDED.password_hash RETURNING id`,
      [hash],
    )
  ).rows;
  await db.query(
    `INSERT INTO user_facility (user_id, facility_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`,
    [userId, facilityId],
  );
  await db.end();
  const service = await harness.startProcess(
    'src/main.js',
    {
      DATABASE_URL: url,
      DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      SEED_DEMO: 'false',
      NODE_ENV: 'production',
      RATE_LIMIT_PER_IP: '1000000000',
      RATE_LIMIT_PER_USER: '1000000000',
    },
    '/health/ready',
  );
  try {
    const token = await harness.login(service.base, 'scale.auditor');
    const headers = { authorization: `Bearer ${token}` };
    const samples: number[] = [];
    for (let i = 0; i < 200; i++) {
      const started = process.hrtime.bigint();
      const res = await fetch(
        `${service.base}/api/v1/audit/events?prisonerId=${prisoners[i % prisoners.length]}`,
        { headers },
      );
      if (!res.ok) throw new Error(`audit page: ${res.status}`);
      await res.arrayBuffer();
      samples.push(Number(process.hrtime.bigint() - started) / 1e6);
    }
    const rssBefore = rssKb(service.pid);
    let rssPeak = rssBefore;
    const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, rssKb(service.pid))), 100);
    const started = Date.now();
    const res = await fetch(`${service.base}/api/v1/audit/events/export?format=ndjson`, {
      headers,
    });
    if (!res.ok || !res.body) throw new Error(`export: ${res.status}`);
    let rows = 0;
    const decoder = new TextDecoder();
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      const text = decoder.decode(chunk, { stream: true });
      for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) rows += 1;
    }
    const ms = Date.now() - started;
    clearInterval(sampler);
    return {
      serviceRssBeforeExportMb: Math.round(rssBefore / 1024),
      serviceRssPeakDuringExportMb: Math.round(rssPeak / 1024),
      auditPageHttpP95Ms: p95(samples),
      exportRows: rows,
      exportRowsPerSecond: Math.round((rows / Math.max(1, ms)) * 1000),
    };
  } finally {
    await service.stop();
  }
}

export async function benchScale(harness?: ServiceHarness): Promise<Record<string, unknown>> {
  const size = scaleSize();
  const work = mkdtempSync(join(tmpdir(), 'vep-scale-'));
  chmodSync(work, 0o755);
  let stop: () => Promise<void> = async () => undefined;
  try {
    let adminUrl = process.env.BENCH_DATABASE_URL;
    if (!adminUrl) {
      const server = await startEmbeddedPostgres({
        clusterDir: join(work, 'postgres'),
        passwordFile: join(work, 'keys', 'pg-password'),
        database: 'postgres_bench',
        postgresFlags: ['-c', 'shared_buffers=1GB', '-c', 'max_wal_size=8GB'],
      });
      adminUrl = server.url;
      stop = server.stop;
    }
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query('DROP DATABASE IF EXISTS vep_bench_scale WITH (FORCE)');
    await admin.query('CREATE DATABASE vep_bench_scale');
    await admin.end();
    const url = new URL(adminUrl);
    url.pathname = '/vep_bench_scale';
    const dataSource = new DataSource(dataSourceOptions(url.toString(), 1));
    await dataSource.initialize();
    await dataSource.runMigrations();
    await dataSource.destroy();

    const db = new pg.Client({ connectionString: url.toString() });
    await db.connect();
    db.on('error', () => undefined);
    const key = loadAuditSigningKey(undefined, join(work, 'data'));
    const trustedKeys = new TrustedKeys([key.publicKey]);
    const pool = new pg.Pool({ connectionString: url.toString(), max: verifyWorkers() + 1 });
    pool.on('error', () => undefined);
    const verify = async (mode: VerifyMode) => {
      const result = await verifyAuditTrail(
        async () => {
          const client = await pool.connect();
          return {
            query: async (sql, params) => (await client.query(sql, params as unknown[])).rows,
            release: async () => client.release(),
          };
        },
        { mode, trustedKeys, workers: verifyWorkers() },
      );
      if (!result.ok) {
        throw new Error(`verification failed: ${JSON.stringify(result.problems.slice(0, 3))}`);
      }
      const rows = {
        query: async (sql: string, params?: unknown[]) => (await db.query(sql, params)).rows,
      };
      await recordVerification(rows, result, key.privateKey, key.keyId);
      return result;
    };
    const auditPage = `SELECT seq FROM audit_event WHERE prisoner_id = $1 AND facility_id = ANY($2)
      ORDER BY seq DESC LIMIT 51`;
    const measure = async () => {
      const prisoners = (await db.query(`SELECT id, facility_id FROM prisoner LIMIT 200`)).rows;
      const page =
        prisoners.length === 0
          ? null
          : await latency(db, auditPage, (i) => {
              const p = prisoners[i % prisoners.length];
              return [p.id, [p.facility_id]];
            });
      const full = await verify('full');
      const incremental = await verify('incremental');
      return {
        auditPageP95Ms: page,
        fullVerify: {
          events: full.checked,
          ms: full.durationMs,
          eventsPerSecond: Math.round((full.checked / Math.max(1, full.durationMs)) * 1000),
        },
        incrementalVerifyMs: incremental.durationMs,
        incrementalMode: incremental.mode,
      };
    };

    await db.query(
      `INSERT INTO app_user (username, display_name, password_hash, roles)
       SELECT 'scale.user' || g, 'Scale user ' || g, 'not-a-login', ARRAY['security_officer']
       FROM generate_series(1, 100) g`,
    );
    await db.query(`INSERT INTO facility (code, name) VALUES ('EMPTY', 'Empty') RETURNING id`);
    await db.query(
      `INSERT INTO prisoner (prison_number, given_name, family_name, date_of_birth, sex, legal_status, facility_id)
       SELECT 'E' || g, 'Given', 'Family', date '1980-01-01', 'male', 'sentenced', id
       FROM facility, generate_series(1, 10) g WHERE code = 'EMPTY'`,
    );
    const empty = {
      ...(await measure()),
      ...(harness ? await httpAudit(harness, url.toString(), join(work, 'data')) : {}),
    };
    const seeded = await seedScale(url.toString(), size, key);
    const full = {
      ...(await measure()),
      ...(harness ? await httpAudit(harness, url.toString(), join(work, 'data')) : {}),
    };
    await pool.end();
    await db.end();
    const ratio = (a: number | null, b: number | null) =>
      a && b ? Number((a / b).toFixed(2)) : null;
    return {
      scenario: 'scale',
      size,
      seedSeconds: Math.round(seeded.seconds),
      empty,
      seeded: full,
      auditPageRatio: ratio(full.auditPageP95Ms, empty.auditPageP95Ms),
    };
  } finally {
    await stop();
    rmSync(work, { recursive: true, force: true });
  }
}
