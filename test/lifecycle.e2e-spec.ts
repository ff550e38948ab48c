import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import pg from 'pg';
import { stopGracefully } from '../src/lifecycle/graceful-shutdown.js';
import { Factories, TEST_PASSWORD } from './factories/index.js';
import { createTestApp } from './support/test-app.js';
import { createTestDatabase, dropTestDatabase } from './support/test-database.js';

/** A raw keep-alive HTTP/1.1 connection whose request body is sent in two parts. */
function slowRequest(port: number, body: string, split: number) {
  const socket: Socket = connect(port, '127.0.0.1');
  let received = '';
  socket.on('data', (c: Buffer) => (received += c.toString()));
  socket.on('error', () => undefined);
  const ended = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  socket.write(
    'POST /api/v1/auth/login HTTP/1.1\r\nHost: localhost\r\nConnection: keep-alive\r\n' +
      `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n` +
      body.slice(0, split),
  );
  return {
    finish: () => socket.write(body.slice(split)),
    response: () => received,
    ended,
    socket,
  };
}

async function checkpoints(
  url: string,
): Promise<{ count: number; headSeq: number; maxSeq: number }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query(
      `SELECT (SELECT count(*)::int FROM audit_checkpoint) AS count,
              (SELECT coalesce(max(head_seq), 0)::int FROM audit_checkpoint) AS "headSeq",
              (SELECT coalesce(max(seq), 0)::int FROM audit_chain_head) AS "maxSeq"`,
    );
    return rows[0] as { count: number; headSeq: number; maxSeq: number };
  } finally {
    await client.end();
  }
}

describe('lifecycle: graceful stop, checkpoints at start and stop', () => {
  let database: { name: string; url: string };

  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(() => dropTestDatabase(database.name));

  async function listening() {
    const t = await createTestApp({ database });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const address = t.app.getHttpServer().address();
    const port = typeof address === 'object' && address ? address.port : 0;
    return { t, port };
  }

  it('lets a keep-alive request in flight finish, closes its connection and stops at once', async () => {
    const { t, port } = await listening();
    const user = await new Factories(t).user(['psychologist']);
    const body = JSON.stringify({ username: user.username, password: TEST_PASSWORD });
    const client = slowRequest(port, body, 10);
    await new Promise((r) => setTimeout(r, 200));
    const stopping = stopGracefully(t.app, 10_000);
    await new Promise((r) => setTimeout(r, 200));
    client.finish();
    const report = await stopping;
    await client.ended;
    expect(client.response()).toMatch(/^HTTP\/1\.1 200/);
    expect(client.response()).toMatch(/\r\nconnection: close\r\n/i);
    expect(report.forced).toBe(false);
    // Before: the server waited for the keep-alive timeout (72 s) of the connection.
    expect(report.drainMs).toBeLessThan(3000);
    // The sign-in wrote audit events: signed at stop.
    const after = await checkpoints(database.url);
    expect(report.checkpoint).toBeDefined();
    expect(after.headSeq).toBe(after.maxSeq);
  }, 30_000);

  it('cuts a request that does not finish by the deadline', async () => {
    const { t, port } = await listening();
    const client = slowRequest(port, JSON.stringify({ username: 'x', password: 'y' }), 5);
    await new Promise((r) => setTimeout(r, 200));
    const started = Date.now();
    const report = await stopGracefully(t.app, 1000);
    await client.ended;
    expect(report.forced).toBe(true);
    expect(Date.now() - started).toBeLessThan(4000);
    expect(client.socket.destroyed).toBe(true);
  }, 30_000);

  it('signs what arrived since the last checkpoint at start-up (a run that ended without signing)', async () => {
    const t = await createTestApp({ database });
    const f = new Factories(t);
    const reader = await f.user(['psychologist'], [await f.facility()]);
    await t.http.get('/api/v1/prisoners').set('authorization', reader.auth).expect(200);
    // Ends like a killed process: no graceful stop, so no checkpoint of these events.
    await t.app.close();
    const before = await checkpoints(database.url);
    expect(before.headSeq).toBeLessThan(before.maxSeq);

    const again = await createTestApp({ database });
    try {
      const after = await checkpoints(database.url);
      expect(after.count).toBe(before.count + 1);
      expect(after.headSeq).toBe(before.maxSeq);
    } finally {
      await again.app.close();
    }
  }, 30_000);

  it('counts events since the last checkpoint in the database, across instances', async () => {
    // No time-based checkpoint in this test: only the count can trigger one.
    const env = {
      AUDIT_CHECKPOINT_EVERY: '6',
      AUDIT_CHECKPOINT_SECONDS: '3600',
      TOKEN_SIGNING_KEY: randomBytes(32).toString('base64'),
    };
    const one = await createTestApp({ database, env: { ...env } });
    const two = await createTestApp({ database, env: { ...env } });
    try {
      const f = new Factories(one);
      const reader = await f.user(['psychologist'], [await f.facility()]);
      const start = await checkpoints(database.url);
      // Three events in each instance: neither reaches six on its own count.
      for (const t of [one, two]) {
        for (let i = 0; i < 3; i++) {
          await t.http.get('/api/v1/prisoners').set('authorization', reader.auth).expect(200);
        }
      }
      const deadline = Date.now() + 8000;
      let now = await checkpoints(database.url);
      while (now.count === start.count && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 200));
        now = await checkpoints(database.url);
      }
      expect(now.count).toBeGreaterThan(start.count);
    } finally {
      await one.app.close();
      await two.app.close();
    }
  }, 30_000);
});
