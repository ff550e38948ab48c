import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Writable } from 'node:stream';
import pg from 'pg';
import { Factories, type TestFacility, type TestUser } from './factories/index.js';
import { createTestApp, type TestApp } from './support/test-app.js';
import { createTestDatabase, dropTestDatabase } from './support/test-database.js';
import { TcpProxy } from './support/tcp-proxy.js';

class MemoryLog extends Writable {
  lines: Record<string, unknown>[] = [];
  override _write(chunk: Buffer, _enc: string, done: () => void) {
    for (const l of chunk.toString().split('\n').filter(Boolean)) this.lines.push(JSON.parse(l));
    done();
  }
  count(msg: RegExp) {
    return this.lines.filter((l) => msg.test(String(l.msg))).length;
  }
}

async function until(what: string, check: () => Promise<boolean>, ms = 15_000) {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Holds an ACCESS EXCLUSIVE lock on the prisoner table until release() (a stuck migration, say). */
async function lockPrisoners(url: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query('BEGIN');
  await client.query('LOCK TABLE prisoner IN ACCESS EXCLUSIVE MODE');
  return {
    release: async () => {
      await client.query('ROLLBACK');
      await client.end();
    },
  };
}

describe('database faults: 503 problems, never 500 or a hang', () => {
  let database: { name: string; url: string };
  let proxy: TcpProxy;
  let proxiedUrl: string;
  let t: TestApp;
  let f: Factories;
  let facility: TestFacility;
  let reader: TestUser;
  const log = new MemoryLog();

  beforeAll(async () => {
    database = await createTestDatabase();
    const proxied = await TcpProxy.for(database.url);
    proxy = proxied.proxy;
    proxiedUrl = proxied.url;
    t = await createTestApp({
      database: { name: database.name, url: proxied.url },
      logDestination: log,
      env: { DATABASE_LOCK_TIMEOUT: '1', DATABASE_QUERY_TIMEOUT: '3' },
    });
    f = new Factories(t);
    facility = await f.facility();
    reader = await f.user(['psychologist'], [facility]);
    await f.prisoner(facility);
  });
  afterAll(async () => {
    proxy.up();
    await t.close();
    await proxy.close();
    await dropTestDatabase(database.name);
  });

  it('answers 503 database_unavailable with Retry-After while the database is down, logs the outage once and recovers by itself', async () => {
    log.lines.length = 0;
    proxy.down();
    try {
      await outage();
    } finally {
      proxy.up();
    }
    await until(
      'requests succeed again',
      async () =>
        (await t.http.get('/api/v1/prisoners').set('authorization', reader.auth)).status === 200,
    );
    await t.http.get('/health/ready').expect(200);
    await until('the recovery is logged', async () => log.count(/^database available again/) === 1);
  }, 60_000);

  async function outage() {
    const statuses: number[] = [];
    for (let i = 0; i < 15; i++) {
      const res = await t.http.get('/api/v1/prisoners').set('authorization', reader.auth);
      statuses.push(res.status);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.headers['retry-after']).toBe('5');
      expect(res.body).toMatchObject({
        type: '/problems/database_unavailable',
        status: 503,
        code: 'database_unavailable',
      });
    }
    expect(new Set(statuses)).toEqual(new Set([503]));
    const ready = await t.http.get('/health/ready').expect(503);
    expect(ready.body).toMatchObject({ code: 'not_ready', detail: 'Failing: database' });
    expect(ready.body.checks.database.status).toBe('down');
    expect(ready.headers['retry-after']).toBe('5');

    expect(log.count(/^database unavailable/)).toBe(1);
    expect(log.count(/^request failed$/)).toBe(0);
    expect(JSON.stringify(log.lines)).not.toMatch(/\n\s+at /);
  }

  it('answers 503 database_timeout when lock_timeout fires', async () => {
    const lock = await lockPrisoners(database.url);
    try {
      const started = Date.now();
      const res = await t.http.get('/api/v1/prisoners').set('authorization', reader.auth);
      expect(res.status).toBe(503);
      expect(res.body.code).toBe('database_timeout');
      expect(res.headers['retry-after']).toBe('2');
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      await lock.release();
    }
    await t.http.get('/api/v1/prisoners').set('authorization', reader.auth).expect(200);
  }, 30_000);

  it('answers 503 database_timeout when statement_timeout fires', async () => {
    const other = await createTestApp({
      database: { name: database.name, url: database.url },
      env: { DATABASE_STATEMENT_TIMEOUT: '1', DATABASE_LOCK_TIMEOUT: '0' },
    });
    try {
      const user = await new Factories(other).user(['psychologist'], [facility]);
      const lock = await lockPrisoners(database.url);
      try {
        const res = await other.http.get('/api/v1/prisoners').set('authorization', user.auth);
        expect(res.status).toBe(503);
        expect(res.body.code).toBe('database_timeout');
      } finally {
        await lock.release();
      }
    } finally {
      await other.close();
    }
  }, 30_000);

  it('answers 503 instead of hanging when the database stops answering (frozen)', async () => {
    proxy.freeze();
    try {
      const started = Date.now();
      const res = await t.http.get('/api/v1/prisoners').set('authorization', reader.auth);
      expect(res.status).toBe(503);
      expect(Date.now() - started).toBeLessThan(12_000);
      // A connection opened during the freeze is frozen too (the pool may open one).
      const late = new pg.Client({ connectionString: proxiedUrl, connectionTimeoutMillis: 1000 });
      await expect(late.connect()).rejects.toThrow();
      await late.end().catch(() => undefined);
    } finally {
      proxy.up();
    }
    await until(
      'requests succeed again',
      async () =>
        (await t.http.get('/api/v1/prisoners').set('authorization', reader.auth)).status === 200,
    );
  }, 60_000);
});
