import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
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
export async function benchScale(): Promise<Record<string, unknown>> {
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
    const empty = await measure();
    const seeded = await seedScale(url.toString(), size, key);
    const full = await measure();
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
