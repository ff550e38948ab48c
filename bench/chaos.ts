/**
 * `npm run chaos`: fault injection against the built service on 127.0.0.1 with its embedded
 * database, in a throw-away DATA_DIR. Prints one JSON line per scenario and exits 1 when any
 * property failed. Sizes come from the environment (CI runs a small one):
 *
 *   CHAOS_SERVICE_KILLS (30)  kill -9 of the service mid-write, then a restart
 *   CHAOS_DB_KILLS (20)       kill -9 of PostgreSQL mid-write, the service left running
 *   CHAOS_SIGTERM (1)         SIGTERM under load
 *   CHAOS_POOL_SECONDS (10)   DATABASE_POOL_SIZE=2 under 64 concurrent clients
 *   CHAOS_TIME_LIMIT (900)    seconds: the run stops (and fails) past it
 *
 * Properties checked: no acknowledged create lost or duplicated (a create is sent with an
 * Idempotency-Key; unanswered ones are retried with the same key after the fault); every
 * acknowledged create has its audit event; GET /audit/verify ok after every cycle; while the
 * database is down only 503 problems (never a 500, never a hang past the client timeout) and
 * /health/ready says 503; recovery without help; SIGTERM lets requests in flight finish, stops
 * the embedded database and exits within SHUTDOWN_TIMEOUT; a pool of 2 answers 64 clients.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chmodSync, createWriteStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { freePort } from '../src/database/embedded-postgres.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const int = (name: string, fallback: number) => {
  const value = Number(process.env[name]);
  return Number.isInteger(value) && value >= 0 ? value : fallback;
};
const SERVICE_KILLS = int('CHAOS_SERVICE_KILLS', 30);
const DB_KILLS = int('CHAOS_DB_KILLS', 20);
const SIGTERMS = int('CHAOS_SIGTERM', 1);
const POOL_SECONDS = int('CHAOS_POOL_SECONDS', 10);
const TIME_LIMIT = int('CHAOS_TIME_LIMIT', 900);
const CLIENT_TIMEOUT_MS = 20_000;
const PASSWORD = 'chaos demo password';
const WRITERS = 4;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const failures: string[] = [];
const fail = (what: string) => {
  failures.push(what);
  console.error(`FAIL: ${what}`);
};

interface Service {
  child: ChildProcess;
  readyMs: number;
}

class Harness {
  readonly work = mkdtempSync(join(tmpdir(), 'vep-chaos-'));
  readonly dataDir = join(this.work, 'data');
  port = 0;
  base = '';
  service?: Service;
  private tokens = new Map<string, string>();
  facilityId = '';
  /** Every create the service acknowledged (201), by prison number. */
  readonly acked = new Map<string, string>();
  /** Creates without an answer: retried with the same key after the fault. */
  unanswered: { key: string; body: Record<string, unknown> }[] = [];
  readonly log = createWriteStream(join(this.work, 'service.log'));

  constructor() {
    chmodSync(this.work, 0o755);
  }

  async start(extra: Record<string, string> = {}): Promise<Service> {
    this.port ||= await freePort();
    this.base = `http://127.0.0.1:${this.port}`;
    const started = performance.now();
    const child = spawn(process.execPath, ['dist/src/main.js'], {
      cwd: ROOT,
      env: {
        ...process.env,
        DATA_DIR: this.dataDir,
        PORT: String(this.port),
        HOST: '127.0.0.1',
        SEED_DEMO: 'true',
        DEMO_PASSWORD: PASSWORD,
        LOG_LEVEL: 'warn',
        ACCESS_TOKEN_TTL: '1h',
        RATE_LIMIT_PER_IP: '1000000',
        RATE_LIMIT_PER_USER: '1000000',
        NODE_ENV: 'production',
        ...extra,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.pipe(this.log, { end: false });
    child.stderr?.pipe(this.log, { end: false });
    let exited = false;
    child.on('exit', () => (exited = true));
    for (;;) {
      if (exited) throw new Error(`the service exited during start-up (see ${this.work})`);
      if (performance.now() - started > 60_000) throw new Error('not ready within 60 s');
      try {
        const res = await fetch(`${this.base}/health/ready`, { signal: AbortSignal.timeout(2000) });
        await res.arrayBuffer();
        if (res.status === 200) break;
      } catch {
        // not listening yet
      }
      await sleep(50);
    }
    this.service = { child, readyMs: Math.round(performance.now() - started) };
    await this.token('demo.security');
    return this.service;
  }

  async token(username: string): Promise<string> {
    const known = this.tokens.get(username);
    if (known) return known;
    const res = await fetch(`${this.base}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password: PASSWORD }),
    });
    const body = (await res.json()) as {
      accessToken: string;
      user?: { facilities?: { id: string }[] };
      facilities?: { id: string }[];
    };
    if (res.status !== 200) throw new Error(`login of ${username}: ${res.status}`);
    this.tokens.set(username, body.accessToken);
    if (username === 'demo.security') {
      const me = await fetch(`${this.base}/api/v1/auth/me`, {
        headers: { authorization: `Bearer ${body.accessToken}` },
      });
      const facilities = ((await me.json()) as { facilities: { id: string }[] }).facilities;
      this.facilityId = facilities[0].id;
    }
    return body.accessToken;
  }

  newCreate(): { key: string; body: Record<string, unknown> } {
    return {
      key: randomUUID(),
      body: {
        prisonNumber: `C-${randomUUID().slice(0, 13)}`,
        givenName: 'Chaos',
        familyName: 'Writer',
        dateOfBirth: '1990-01-01',
        sex: 'male',
        legalStatus: 'sentenced',
        facilityId: this.facilityId,
      },
    };
  }

  /** The problem code of the last answer of create(). */
  lastCode?: string;

  /** One create; the answer's status, or 0 when there was none (connection lost; -1: timeout). */
  async create(c: { key: string; body: Record<string, unknown> }): Promise<number> {
    this.lastCode = undefined;
    const token = await this.token('demo.security');
    try {
      const res = await fetch(`${this.base}/api/v1/prisoners`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${token}`,
          'idempotency-key': c.key,
        },
        body: JSON.stringify(c.body),
        signal: AbortSignal.timeout(CLIENT_TIMEOUT_MS),
      });
      const body = (await res.json()) as { id?: string; code?: string };
      this.lastCode = body.code;
      if (res.status === 201 && body.id) this.acked.set(String(c.body.prisonNumber), body.id);
      return res.status;
    } catch (error) {
      if ((error as Error).name === 'TimeoutError') return -1;
      return 0;
    }
  }

  /** Writers until `stop` resolves; unanswered creates are kept for the retry. */
  async write(stop: Promise<void>, statuses: Map<number, number>): Promise<void> {
    let stopped = false;
    void stop.then(() => (stopped = true));
    const writer = async () => {
      while (!stopped) {
        const c = this.newCreate();
        const status = await this.create(c);
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        if (status !== 201) this.unanswered.push(c);
        if (status === 503 || status === 0) await sleep(100);
      }
    };
    await Promise.all(Array.from({ length: WRITERS }, writer));
  }

  /** Retries every unanswered create with its key; 201 (new or replayed), or its answer lost. */
  async retryUnanswered(): Promise<Record<string, number>> {
    const counts: Record<string, number> = {};
    const pending = this.unanswered;
    this.unanswered = [];
    for (const c of pending) {
      let status = 0;
      for (let attempt = 0; attempt < 40; attempt++) {
        status = await this.create(c);
        if (status === 201 || status === 400 || status === 422) break;
        if (status === 409 && this.lastCode !== 'idempotency_in_progress') {
          // A retry that found the record made (prison_number_taken): the key did not replay.
          if (this.lastCode !== 'idempotency_answer_lost') {
            fail(`retry with the same key answered 409 ${this.lastCode}`);
          }
          // idempotency_answer_lost: the create committed, its answer was not kept.
          const res = await this.lookupByNumber(String(c.body.prisonNumber));
          if (res) {
            this.acked.set(String(c.body.prisonNumber), res);
            break;
          }
        }
        await sleep(250);
      }
      if (status === 409 && !this.acked.has(String(c.body.prisonNumber))) {
        // Still `idempotency_in_progress`: its key row exists, so the create committed just
        // before the fault and its answer was never sent. It must be in the database.
        const id = await this.lookupByNumber(String(c.body.prisonNumber));
        if (id) this.acked.set(String(c.body.prisonNumber), id);
        else fail('a create whose key says committed is not in the database');
      }
      counts[status] = (counts[status] ?? 0) + 1;
      if (![201, 409].includes(status)) fail(`retry of an unanswered create answered ${status}`);
    }
    return counts;
  }

  private async db(): Promise<pg.Client> {
    const pidFile = readFileSync(join(this.dataDir, 'postgres', 'postmaster.pid'), 'utf8');
    const port = Number(pidFile.split('\n')[3]);
    const password = readFileSync(
      join(this.dataDir, 'keys', 'embedded-postgres.password'),
      'utf8',
    ).trim();
    const client = new pg.Client({
      host: '127.0.0.1',
      port,
      user: 'postgres',
      password,
      database: 'vep',
    });
    await client.connect();
    return client;
  }

  /** How many of the unanswered creates were committed all the same (their answer was lost). */
  async committedUnanswered(): Promise<number> {
    const client = await this.db();
    try {
      const { rows } = await client.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM prisoner WHERE prison_number = ANY($1::text[])`,
        [this.unanswered.map((c) => String(c.body.prisonNumber))],
      );
      return rows[0].n;
    } finally {
      await client.end();
    }
  }

  private async lookupByNumber(prisonNumber: string): Promise<string | undefined> {
    const client = await this.db();
    try {
      const { rows } = await client.query<{ id: string }>(
        `SELECT id FROM prisoner WHERE prison_number = $1`,
        [prisonNumber],
      );
      return rows[0]?.id;
    } finally {
      await client.end();
    }
  }

  /** Every acknowledged create stored once with its audit event, and the trail verifies. */
  async check(label: string): Promise<void> {
    const client = await this.db();
    try {
      const numbers = [...this.acked.keys()];
      const { rows } = await client.query<{ prison_number: string; id: string; events: number }>(
        `SELECT p.prison_number, p.id,
           (SELECT count(*)::int FROM audit_event e
             WHERE e.entity_id = p.id::text AND e.action = 'prisoner.create') AS events
         FROM prisoner p WHERE p.prison_number = ANY($1::text[])`,
        [numbers],
      );
      const found = new Map(rows.map((r) => [r.prison_number, r]));
      const lost = numbers.filter((n) => !found.has(n));
      if (lost.length > 0) fail(`${label}: ${lost.length} acknowledged creates lost`);
      const wrongId = numbers.filter((n) => found.get(n) && found.get(n)!.id !== this.acked.get(n));
      if (wrongId.length > 0) fail(`${label}: ${wrongId.length} acknowledged ids differ`);
      const unaudited = rows.filter((r) => r.events !== 1);
      if (unaudited.length > 0) {
        fail(`${label}: ${unaudited.length} acknowledged creates without exactly one audit event`);
      }
      const { rows: duplicates } = await client.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM (
           SELECT prison_number FROM prisoner WHERE given_name = 'Chaos'
           GROUP BY prison_number HAVING count(*) > 1) d`,
      );
      if (duplicates[0].n > 0) fail(`${label}: ${duplicates[0].n} duplicated creates`);
    } finally {
      await client.end();
    }
    const token = await this.token('demo.supervisor');
    const res = await fetch(`${this.base}/api/v1/audit/verify`, {
      headers: { authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(CLIENT_TIMEOUT_MS * 3),
    });
    const result = (await res.json()) as { ok?: boolean };
    if (res.status !== 200 || result.ok !== true) {
      fail(`${label}: audit verify answered ${res.status} ${JSON.stringify(result).slice(0, 300)}`);
    }
  }

  postmasterPid(): number | undefined {
    try {
      const pid = Number(
        readFileSync(join(this.dataDir, 'postgres', 'postmaster.pid'), 'utf8').split('\n')[0],
      );
      return alive(pid) ? pid : undefined;
    } catch {
      return undefined;
    }
  }

  async stopService(): Promise<void> {
    const child = this.service?.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }

  cleanup(): void {
    this.service?.child.kill('SIGKILL');
    const pid = this.postmasterPid();
    if (pid) process.kill(pid, 'SIGINT');
    this.log.end();
    if (failures.length === 0) rmSync(this.work, { recursive: true, force: true });
  }
}

const percentile = (values: number[], p: number) => {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
};
const record = (counts: Map<number, number>) =>
  Object.fromEntries([...counts].sort(([a], [b]) => a - b));

async function serviceKills(h: Harness) {
  const readyMs: number[] = [];
  const dbStopMs: number[] = [];
  const statuses = new Map<number, number>();
  const retries: Record<string, number> = {};
  let orphans = 0;
  for (let cycle = 1; cycle <= SERVICE_KILLS; cycle++) {
    const service = await h.start();
    readyMs.push(service.readyMs);
    for (const [k, v] of Object.entries(await h.retryUnanswered())) {
      retries[k] = (retries[k] ?? 0) + v;
    }
    await h.check(`service kill ${cycle}: after restart`);
    const writing = h.write(sleep(300 + Math.random() * 1200), statuses);
    await sleep(200 + Math.random() * 1000);
    const postmaster = h.postmasterPid();
    const exited = new Promise((r) => service.child.once('exit', r));
    service.child.kill('SIGKILL');
    await exited;
    const killedAt = performance.now();
    await writing;
    while (postmaster && alive(postmaster) && performance.now() - killedAt < 15_000) {
      await sleep(20);
    }
    console.error(`service kill ${cycle}/${SERVICE_KILLS}: ${h.acked.size} acknowledged`);
    if (postmaster && alive(postmaster)) {
      orphans++;
      fail(
        `service kill ${cycle}: postgres ${postmaster} still running 15 s after the service died`,
      );
    } else {
      dbStopMs.push(Math.round(performance.now() - killedAt));
    }
  }
  await h.start();
  const finalRetries = await h.retryUnanswered();
  for (const [k, v] of Object.entries(finalRetries)) retries[k] = (retries[k] ?? 0) + v;
  await h.check('service kills: final');
  return {
    scenario: 'service-kill',
    cycles: SERVICE_KILLS,
    writes: record(statuses),
    retriedWithSameKey: retries,
    acknowledged: h.acked.size,
    orphanedDatabases: orphans,
    readyMs: { p50: percentile(readyMs, 50), max: Math.max(...readyMs) },
    databaseStoppedAfterKillMs: { p50: percentile(dbStopMs, 50), max: Math.max(0, ...dbStopMs) },
  };
}

async function databaseKills(h: Harness) {
  if (!h.service || h.service.child.exitCode !== null) await h.start();
  const statuses = new Map<number, number>();
  const readiness = new Map<number, number>();
  const recoveryMs: number[] = [];
  const retries: Record<string, number> = {};
  for (let cycle = 1; cycle <= DB_KILLS; cycle++) {
    let done!: () => void;
    const stop = new Promise<void>((r) => (done = r));
    const writing = h.write(stop, statuses);
    let watching = true;
    const watchReady = (async () => {
      while (watching) {
        try {
          const res = await fetch(`${h.base}/health/ready`, {
            signal: AbortSignal.timeout(CLIENT_TIMEOUT_MS),
          });
          await res.arrayBuffer();
          readiness.set(res.status, (readiness.get(res.status) ?? 0) + 1);
        } catch {
          readiness.set(0, (readiness.get(0) ?? 0) + 1);
        }
        await sleep(100);
      }
    })();
    await sleep(300 + Math.random() * 700);
    const pid = h.postmasterPid();
    if (!pid) {
      fail(`database kill ${cycle}: no postmaster`);
      done();
      break;
    }
    process.kill(pid, 'SIGKILL');
    const killedAt = performance.now();
    // Recovered: a create answered 201 after the kill.
    let recovered = false;
    while (performance.now() - killedAt < 60_000) {
      await sleep(200);
      const c = h.newCreate();
      const status = await h.create(c);
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
      if (status === 201) {
        recovered = true;
        break;
      }
      h.unanswered.push(c);
    }
    if (!recovered) fail(`database kill ${cycle}: no recovery within 60 s`);
    else recoveryMs.push(Math.round(performance.now() - killedAt));
    await sleep(300);
    done();
    await writing;
    watching = false;
    await watchReady;
    for (const [k, v] of Object.entries(await h.retryUnanswered())) {
      retries[k] = (retries[k] ?? 0) + v;
    }
    await h.check(`database kill ${cycle}`);
    console.error(`database kill ${cycle}/${DB_KILLS}: ${h.acked.size} acknowledged`);
  }
  const bad = [...statuses.keys()].filter((s) => ![201, 503, 409, 0].includes(s));
  if (bad.length > 0) fail(`database kills: answers other than 201/503: ${bad.join(', ')}`);
  if ((statuses.get(-1) ?? 0) > 0) fail(`database kills: ${statuses.get(-1)} requests hung`);
  if (DB_KILLS > 0 && !readiness.has(503)) fail('database kills: /health/ready never said 503');
  return {
    scenario: 'database-kill',
    cycles: DB_KILLS,
    writes: record(statuses),
    ready: record(readiness),
    retriedWithSameKey: retries,
    acknowledged: h.acked.size,
    recoveryMs: { p50: percentile(recoveryMs, 50), max: Math.max(0, ...recoveryMs) },
  };
}

async function sigterm(h: Harness) {
  const results = [];
  for (let cycle = 1; cycle <= SIGTERMS; cycle++) {
    if (!h.service || h.service.child.exitCode !== null) await h.start();
    const { child } = h.service!;
    const statuses = new Map<number, number>();
    let done!: () => void;
    const stop = new Promise<void>((r) => (done = r));
    const writing = h.write(stop, statuses);
    await sleep(1000);
    const postmaster = h.postmasterPid();
    const exited = new Promise((r) => child.once('exit', r));
    const sent = performance.now();
    child.kill('SIGTERM');
    const code = await Promise.race([exited, sleep(15_000).then(() => 'timeout')]);
    const stopMs = Math.round(performance.now() - sent);
    done();
    await writing;
    if (code === 'timeout') fail(`sigterm ${cycle}: still running 15 s after SIGTERM`);
    if (code !== 0) fail(`sigterm ${cycle}: exit code ${String(code)}`);
    if (postmaster && alive(postmaster)) fail(`sigterm ${cycle}: postgres left running`);
    if ((statuses.get(500) ?? 0) > 0) fail(`sigterm ${cycle}: 500 answers`);
    // Requests sent after the stop began find nobody listening: retried after the restart. Each
    // request the service took was finished and answered: none of the unanswered was committed.
    await h.start();
    const cut = await h.committedUnanswered();
    if (cut > 0) fail(`sigterm ${cycle}: ${cut} creates committed without an answer`);
    await h.retryUnanswered();
    await h.check(`sigterm ${cycle}`);
    results.push({ stopMs, writes: record(statuses), committedWithoutAnswer: cut });
  }
  return { scenario: 'sigterm-under-load', cycles: SIGTERMS, results };
}

async function smallPool(h: Harness) {
  await h.stopService();
  await h.start({ DATABASE_POOL_SIZE: '2' });
  const token = await h.token('demo.security');
  const statuses = new Map<number, number>();
  const latencies: number[] = [];
  const until = performance.now() + POOL_SECONDS * 1000;
  const client = async (n: number) => {
    while (performance.now() < until) {
      const started = performance.now();
      let status: number;
      if (n % 4 === 0) {
        status = await h.create(h.newCreate());
      } else {
        try {
          const res = await fetch(`${h.base}/api/v1/prisoners?limit=20`, {
            headers: { authorization: `Bearer ${token}` },
            signal: AbortSignal.timeout(CLIENT_TIMEOUT_MS),
          });
          await res.arrayBuffer();
          status = res.status;
        } catch (error) {
          status = (error as Error).name === 'TimeoutError' ? -1 : 0;
        }
      }
      latencies.push(performance.now() - started);
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
    }
  };
  await Promise.all(Array.from({ length: 64 }, (_, n) => client(n)));
  const bad = [...statuses.keys()].filter((s) => ![200, 201, 503].includes(s));
  if (bad.length > 0) fail(`pool of 2: answers other than 200/201/503: ${bad.join(', ')}`);
  h.unanswered = [];
  await h.check('pool of 2');
  await h.stopService();
  return {
    scenario: 'pool-2-clients-64',
    seconds: POOL_SECONDS,
    answers: record(statuses),
    latencyMs: {
      p50: Math.round(percentile(latencies, 50)),
      p99: Math.round(percentile(latencies, 99)),
      max: Math.round(Math.max(0, ...latencies)),
    },
  };
}

async function main(): Promise<void> {
  const h = new Harness();
  process.on('unhandledRejection', (error) => fail(`unhandled: ${String(error)}`));
  const limit = setTimeout(() => {
    fail(`CHAOS_TIME_LIMIT (${TIME_LIMIT} s) reached`);
    h.cleanup();
    process.exit(1);
  }, TIME_LIMIT * 1000);
  limit.unref();
  const started = performance.now();
  const results: Record<string, unknown>[] = [];
  try {
    console.error(`chaos: working in ${h.work}`);
    if (SERVICE_KILLS > 0) results.push(await serviceKills(h));
    if (DB_KILLS > 0) results.push(await databaseKills(h));
    if (SIGTERMS > 0) results.push(await sigterm(h));
    if (POOL_SECONDS > 0) results.push(await smallPool(h));
    await h.stopService();
  } catch (error) {
    fail(`aborted: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    h.cleanup();
  }
  for (const r of results) console.log(JSON.stringify(r));
  console.log(
    JSON.stringify({
      ok: failures.length === 0,
      failures,
      seconds: Math.round((performance.now() - started) / 1000),
      machine: `${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}`,
      date: new Date().toISOString(),
    }),
  );
  process.exit(failures.length === 0 ? 0 : 1);
}

void main();
