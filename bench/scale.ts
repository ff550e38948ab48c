import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import {
  recordVerification,
  pgSession,
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

/** Sequential requests per HTTP measure (fewer at the CI size, to stay within its minute). */
const HTTP_RUNS = Number(
  process.env.SCALE_HTTP_RUNS ?? ((process.env.SCALE_SIZE ?? 'small') === 'tiny' ? 30 : 100),
);

/** Untimed requests before each HTTP measure. */
const WARM_UP = 10;

/**
 * CPU time (ms, user and system) a process has used, from /proc (Linux); 0 elsewhere. On a
 * shared machine this, unlike the wall time, hardly depends on what else runs.
 */
/** The parent of a process (0 when unknown), from /proc (Linux). */
function parentPid(pid: number): number {
  try {
    return Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')[1]);
  } catch {
    return 0;
  }
}

/** CPU time (ms) of the children a process has waited for (ended ones), from /proc (Linux). */
function childrenCpuMs(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[13]) + Number(fields[14])) * 10;
  } catch {
    return 0;
  }
}

function cpuMs(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return 0;
  }
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
): Promise<Record<string, number | null | Record<string, number>>> {
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  const [{ id: facilityId }] = (
    await db.query(
      `SELECT facility_id AS id FROM prisoner GROUP BY 1 ORDER BY count(*) DESC LIMIT 1`,
    )
  ).rows;
  const prisonerRows = (
    await db.query(`SELECT id, prison_number FROM prisoner WHERE facility_id = $1 LIMIT 100`, [
      facilityId,
    ])
  ).rows as { id: string; prison_number: string }[];
  const prisoners = prisonerRows.map((r) => r.id);
  const assessments = (
    await db.query(
      `SELECT a.id FROM assessment a JOIN prisoner p ON p.id = a.prisoner_id
       WHERE p.facility_id = $1 AND a.status = 'approved' LIMIT 100`,
      [facilityId],
    )
  ).rows.map((r: { id: string }) => r.id);
  const plans = (
    await db.query(
      `SELECT pl.id FROM programme_plan pl JOIN prisoner p ON p.id = pl.prisoner_id
       WHERE p.facility_id = $1 LIMIT 100`,
      [facilityId],
    )
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
    /** p95 (ms) of `runs` sequential GETs of `path(i)`; null when there is nothing to read. */
    const httpP95 = async (
      name: string,
      ids: string[] | null,
      path: (id: string) => string,
      runs = HTTP_RUNS,
    ): Promise<number | null> => {
      if (ids !== null && ids.length === 0) return null;
      // Untimed first: a new connection's first queries cost several times a warm one's (its
      // backend maps the shared buffers page by page), which a running service has paid.
      for (let i = 0; i < WARM_UP; i++) {
        const res = await fetch(`${service.base}/api/v1${path(ids ? ids[i % ids.length] : '')}`, {
          headers,
        });
        await res.arrayBuffer();
      }
      const samples: number[] = [];
      for (let i = 0; i < runs; i++) {
        const started = process.hrtime.bigint();
        const res = await fetch(`${service.base}/api/v1${path(ids ? ids[i % ids.length] : '')}`, {
          headers,
        });
        if (!res.ok) throw new Error(`${name}: ${res.status}`);
        await res.arrayBuffer();
        samples.push(Number(process.hrtime.bigint() - started) / 1e6);
      }
      return p95(samples);
    };
    const auditPage = await httpP95(
      'audit page',
      prisoners,
      (id) => `/audit/events?prisonerId=${id}`,
      2 * HTTP_RUNS,
    );
    // A search by the start of a prison number, given or family name, as a user types it.
    const terms = prisonerRows.map((r, i) =>
      i % 2 === 0 ? r.prison_number.slice(0, 4) : `Family${r.prison_number.slice(-3)}`,
    );
    const prisonerSearch = await httpP95(
      'prisoner search',
      terms,
      (q) => `/prisoners?q=${encodeURIComponent(q)}&facilityId=${facilityId}`,
    );
    const assessmentRead = await httpP95(
      'assessment read',
      assessments,
      (id) => `/assessments/${id}`,
    );
    const planRead = await httpP95('plan read', plans, (id) => `/plans/${id}`);
    const reviewsDue = await httpP95('reviews due', null, () => `/reviews/due`);
    /**
     * The NDJSON export as `auth` sees it: rows, rows/s, the service's CPU per row, and its
     * resident memory before and at its peak (sampled every 100 ms).
     */
    const exportMeasure = async (auth: Record<string, string>) => {
      const before = rssKb(service.pid);
      let peak = before;
      const sampler = setInterval(() => (peak = Math.max(peak, rssKb(service.pid))), 100);
      const started = Date.now();
      const cpuBefore = cpuMs(service.pid);
      // Read with node:http, counting lines in the bytes as they come: the client shares the two
      // cores with the service and PostgreSQL, and fetch's web streams cost it several times more.
      const rows = await new Promise<number>((resolve, reject) => {
        const request = http.get(
          `${service.base}/api/v1/audit/events/export?format=ndjson`,
          { headers: auth },
          (response) => {
            if (response.statusCode !== 200) {
              response.resume();
              reject(new Error(`export: ${response.statusCode}`));
              return;
            }
            let lines = 0;
            response.on('data', (chunk: Buffer) => {
              for (let i = chunk.indexOf(10); i >= 0; i = chunk.indexOf(10, i + 1)) lines += 1;
            });
            response.on('end', () => resolve(lines));
            response.on('error', reject);
          },
        );
        request.on('error', reject);
      });
      const ms = Date.now() - started;
      const cpu = cpuMs(service.pid) - cpuBefore;
      clearInterval(sampler);
      return { rows, ms, cpu, before, peak };
    };
    const facilityExport = await exportMeasure(headers);
    const { rows, ms, cpu: exportCpuMs, before: rssBefore, peak: rssPeak } = facilityExport;
    // The same export again: the first after start-up also pays for the database's new backend
    // mapping the shared buffers and for reading the facility's pages into them.
    const again = await exportMeasure(headers);
    // SCALE_EXPORT_ALL=true: then every event, as a supervisor of every facility: the memory
    // check over the whole trail (about 40 s at `medium`).
    let everything: Record<string, number> | undefined;
    if (process.env.SCALE_EXPORT_ALL === 'true') {
      const all = new pg.Client({ connectionString: url });
      await all.connect();
      const [{ id: allId }] = (
        await all.query(
          `INSERT INTO app_user (username, display_name, password_hash, roles)
           VALUES ('scale.exporter', 'Scale exporter', $1, ARRAY['supervisor'])
           ON CONFLICT (username) DO UPDATE SET password_hash = EXCLUDED.password_hash
           RETURNING id`,
          [hash],
        )
      ).rows;
      await all.query(
        `INSERT INTO user_facility (user_id, facility_id) SELECT $1, id FROM facility
         ON CONFLICT DO NOTHING`,
        [allId],
      );
      await all.end();
      const token = await harness.login(service.base, 'scale.exporter');
      const m = await exportMeasure({ authorization: `Bearer ${token}` });
      everything = {
        rows: m.rows,
        rowsPerSecond: Math.round((m.rows / Math.max(1, m.ms)) * 1000),
        serviceCpuUsPerRow: Number(((m.cpu * 1000) / Math.max(1, m.rows)).toFixed(2)),
        serviceRssBeforeMb: Math.round(m.before / 1024),
        serviceRssPeakMb: Math.round(m.peak / 1024),
      };
    }
    return {
      serviceRssBeforeExportMb: Math.round(rssBefore / 1024),
      exportServiceCpuUsPerRow: rows > 0 ? Number(((exportCpuMs * 1000) / rows).toFixed(2)) : null,
      serviceRssPeakDuringExportMb: Math.round(rssPeak / 1024),
      auditPageHttpP95Ms: auditPage,
      prisonerSearchP95Ms: prisonerSearch,
      assessmentReadP95Ms: assessmentRead,
      planReadP95Ms: planRead,
      reviewsDueP95Ms: reviewsDue,
      exportRows: rows,
      exportRowsPerSecond: Math.round((rows / Math.max(1, ms)) * 1000),
      exportAgainRowsPerSecond: Math.round((again.rows / Math.max(1, again.ms)) * 1000),
      serviceRssPeakDuringExportAgainMb: Math.round(again.peak / 1024),
      ...(everything ? { exportEverything: everything } : {}),
    };
  } finally {
    await service.stop();
  }
}

export async function benchScale(harness?: ServiceHarness): Promise<Record<string, unknown>> {
  const size = scaleSize();
  // SCALE_WORK_DIR keeps the cluster, its key and the seeded database between runs: a later run
  // with the same directory measures the seeded database again without seeding it.
  const kept = process.env.SCALE_WORK_DIR;
  const seededBefore = kept !== undefined && existsSync(join(kept, 'seeded'));
  if (kept) mkdirSync(kept, { recursive: true });
  const work = kept ?? mkdtempSync(join(tmpdir(), 'vep-scale-'));
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
    const url = new URL(adminUrl);
    url.pathname = '/vep_bench_scale';
    if (!seededBefore) {
      const admin = new pg.Client({ connectionString: adminUrl });
      await admin.connect();
      await admin.query('DROP DATABASE IF EXISTS vep_bench_scale WITH (FORCE)');
      await admin.query('CREATE DATABASE vep_bench_scale');
      await admin.end();
    }
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
    // CPU of the database's backends (local server only): what a verification costs there.
    // A full check's threads open connections of their own and close them before it returns:
    // their backends' CPU is then the postmaster's, as CPU of children it has waited for.
    const [{ pid: ownBackend }] = (await db.query(`SELECT pg_backend_pid() AS pid`)).rows;
    const postmaster = parentPid(ownBackend);
    const backendsCpuMs = async () => {
      const pids = (
        await db.query(`SELECT pid FROM pg_stat_activity WHERE datname = current_database()`)
      ).rows.map((r: { pid: number }) => r.pid);
      return new Map<number, number>(pids.map((pid: number) => [pid, cpuMs(pid)]));
    };
    let lastVerifyCpu = { node: 0, database: 0 };
    const verify = async (mode: VerifyMode) => {
      const backendsBefore = await backendsCpuMs();
      const endedBefore = postmaster ? childrenCpuMs(postmaster) : 0;
      const nodeBefore = process.cpuUsage();
      const result = await verifyAuditTrail(
        async () => {
          const client = await pool.connect();
          return pgSession(client, () => client.release());
        },
        { mode, trustedKeys, workers: verifyWorkers() },
      );
      const node = process.cpuUsage(nodeBefore);
      const backendsAfter = await backendsCpuMs();
      const ended = (postmaster ? childrenCpuMs(postmaster) : 0) - endedBefore;
      lastVerifyCpu = {
        node: (node.user + node.system) / 1000,
        // Live backends' growth, plus backends that ended (less what they had used before).
        database:
          [...backendsAfter].reduce(
            (sum, [pid, ms]) => sum + ms - (backendsBefore.get(pid) ?? 0),
            0,
          ) +
          ended -
          [...backendsBefore]
            .filter(([pid]) => !backendsAfter.has(pid))
            .reduce((sum, [, ms]) => sum + ms, 0),
      };
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
      const fullCpu = lastVerifyCpu;
      const incremental = await verify('incremental');
      const perEvent = (ms: number) =>
        full.checked > 0 ? Number(((ms * 1000) / full.checked).toFixed(2)) : null;
      return {
        auditPageP95Ms: page,
        fullVerify: {
          events: full.checked,
          ms: full.durationMs,
          eventsPerSecond: Math.round((full.checked / Math.max(1, full.durationMs)) * 1000),
          // CPU per event, this process (all its threads) and the database's backends (local
          // server only), and the most two otherwise idle cores could give at that cost (the
          // reading and hashing run in one thread per core, the backends on both cores).
          cpuUsPerEvent: { node: perEvent(fullCpu.node), database: perEvent(fullCpu.database) },
          eventsPerSecondBoundOnTwoIdleCores:
            full.checked > 0 && fullCpu.database > 0
              ? Math.round((2 * full.checked * 1000) / (fullCpu.node + fullCpu.database))
              : null,
        },
        incrementalVerifyMs: incremental.durationMs,
        incrementalMode: incremental.mode,
      };
    };

    let empty: Record<string, unknown> = {};
    let seedSeconds: number | null = null;
    if (!seededBefore) {
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
      empty = {
        ...(await measure()),
        ...(harness ? await httpAudit(harness, url.toString(), join(work, 'data')) : {}),
      };
      seedSeconds = Math.round((await seedScale(url.toString(), size, key)).seconds);
      if (kept) writeFileSync(join(kept, 'seeded'), `${JSON.stringify({ size, empty })}\n`);
    } else {
      empty = (JSON.parse(readFileSync(join(work, 'seeded'), 'utf8')) as { empty: typeof empty })
        .empty;
    }
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
      seedSeconds,
      empty,
      seeded: full,
      auditPageRatio: ratio(full.auditPageP95Ms, empty.auditPageP95Ms as number | null),
      ...(harness
        ? {
            ratios: Object.fromEntries(
              [
                'auditPageHttpP95Ms',
                'prisonerSearchP95Ms',
                'assessmentReadP95Ms',
                'planReadP95Ms',
                'reviewsDueP95Ms',
              ].map((k) => [
                k,
                ratio(
                  (full as Record<string, unknown>)[k] as number | null,
                  (empty as Record<string, unknown>)[k] as number | null,
                ),
              ]),
            ),
          }
        : {}),
    };
  } finally {
    await stop();
    if (!kept) rmSync(work, { recursive: true, force: true });
  }
}
