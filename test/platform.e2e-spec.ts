import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Factories, TEST_PASSWORD, type TestUser } from './factories/index.js';
import { createTestApp, type TestApp } from './support/test-app.js';
import { createEmptyDatabase, dropTestDatabase } from './support/test-database.js';

class MemoryLog extends Writable {
  lines: string[] = [];
  override _write(chunk: Buffer, _enc: string, done: () => void) {
    this.lines.push(...chunk.toString().split('\n').filter(Boolean));
    done();
  }
}

describe('platform: errors, request ids, logging, health, docs, keys', () => {
  let t: TestApp;
  let f: Factories;
  let admin: TestUser;
  const log = new MemoryLog();

  beforeAll(async () => {
    t = await createTestApp({ logDestination: log });
    f = new Factories(t);
    admin = await f.user(['administrator']);
  });
  afterAll(() => t.close());

  it('answers unknown routes with a 404 problem', async () => {
    const res = await t.http.get('/api/v1/no-such-thing').expect(404);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({
      type: '/problems/not_found',
      title: 'Not found',
      status: 404,
      code: 'not_found',
    });
  });

  it('answers malformed JSON with a 400 problem and no stack trace', async () => {
    const res = await t.http
      .post('/api/v1/auth/login')
      .set('content-type', 'application/json')
      .send('{"username": "x", ')
      .expect(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body.status).toBe(400);
    expect(JSON.stringify(res.body)).not.toMatch(/\bat \w|\.ts:|node_modules/);
  });

  it('names every failing field with one message each', async () => {
    const res = await t.http.post('/api/v1/auth/login').send({ username: 7 }).expect(400);
    expect(res.body.errors).toEqual([
      { path: 'username', message: 'username must be a string' },
      { path: 'password', message: 'password must be a string' },
    ]);
  });

  it('echoes a well-formed X-Request-Id and generates one otherwise', async () => {
    const given = await t.http.get('/health/live').set('x-request-id', 'trace-abc.123').expect(200);
    expect(given.headers['x-request-id']).toBe('trace-abc.123');
    const generated = await t.http
      .get('/health/live')
      .set('x-request-id', 'bad id with spaces')
      .expect(200);
    expect(generated.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const problem = await t.http.get('/api/v1/nothing').set('x-request-id', 'req-404').expect(404);
    expect(problem.body.requestId).toBe('req-404');
  });

  it('sends security headers', async () => {
    const res = await t.http.get('/health/live').expect(200);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
  });

  it('reports liveness and readiness (database ping)', async () => {
    const live = await t.http.get('/health/live').expect(200);
    expect(live.body.status).toBe('ok');
    const ready = await t.http.get('/health/ready').expect(200);
    expect(ready.body.info.database.status).toBe('up');
  });

  it('documents every route, its schemas and the bearer scheme in OpenAPI', async () => {
    const doc = (await t.http.get('/docs-json').expect(200)).body;
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    const paths = Object.keys(doc.paths);
    for (const p of [
      '/api/v1/auth/login',
      '/api/v1/auth/me',
      '/api/v1/users',
      '/api/v1/users/{id}',
      '/api/v1/facilities',
      '/health/ready',
    ]) {
      expect(paths).toContain(p);
    }
    expect(doc.components.schemas.CreateUserDto.required).toEqual(
      expect.arrayContaining(['username', 'displayName', 'password', 'roles', 'facilityIds']),
    );
    expect(doc.paths['/api/v1/users'].get.security).toEqual([{ bearer: [] }]);
    const ui = await t.http.get('/docs').expect(200);
    expect(ui.text).toContain('swagger');
  });

  it('logs request lines with their id but never tokens, passwords or query strings', async () => {
    log.lines.length = 0;
    const user = await f.user(['psychologist']);
    await t.http
      .post('/api/v1/auth/login')
      .set('x-request-id', 'log-test-1')
      .send({ username: user.username, password: TEST_PASSWORD })
      .expect(200);
    await t.http
      .get('/api/v1/users')
      .query({ cursor: 'Secret-Name-Fragment' })
      .set('authorization', admin.auth)
      .set('x-request-id', 'log-test-2');
    await new Promise((r) => setTimeout(r, 50));
    const text = log.lines.join('\n');
    const lines = log.lines.map((l) => JSON.parse(l));
    const requestLine = lines.find((l) => l.requestId === 'log-test-1');
    expect(requestLine).toMatchObject({
      method: 'POST',
      path: '/api/v1/auth/login',
      statusCode: 200,
      msg: 'request completed',
    });
    expect(lines.find((l) => l.requestId === 'log-test-2')?.path).toBe('/api/v1/users');
    expect(text).not.toContain(TEST_PASSWORD);
    expect(text).not.toContain(admin.token);
    expect(text).not.toContain('Secret-Name-Fragment');
    expect(text).not.toMatch(/authorization/i);
  });

  it('refuses to start with a bad configuration value, naming the variable', async () => {
    await expect(
      createTestApp({ env: { ACCESS_TOKEN_TTL: 'soon', PORT: 'eighty' } }),
    ).rejects.toThrow(/ACCESS_TOKEN_TTL[\s\S]*PORT|PORT[\s\S]*ACCESS_TOKEN_TTL/);
  });

  it('refuses to start on a database with pending migrations when MIGRATIONS_RUN is false, else applies them', async () => {
    const empty = await createEmptyDatabase();
    try {
      await expect(
        createTestApp({ database: empty, env: { MIGRATIONS_RUN: 'false' } }),
      ).rejects.toThrow(/pending migrations and MIGRATIONS_RUN is false/);
      const migrated = await createTestApp({ database: empty });
      const [{ n }] = await migrated.db.query(`SELECT count(*)::int AS n FROM schema_migration`);
      expect(n).toBeGreaterThan(0);
      await migrated.close();
    } finally {
      await dropTestDatabase(empty.name);
    }
  });

  it('never writes a prisoner’s particulars to the logs', async () => {
    log.lines.length = 0;
    const facility = await f.facility();
    const officer = await f.user(['security_officer'], [facility]);
    const prisoner = await f.prisoner(facility, {
      familyName: 'Loggedname',
      prisonNumber: 'LOG-4242',
    });
    await t.http
      .get(`/api/v1/prisoners/${prisoner.id}`)
      .set('authorization', officer.auth)
      .expect(200);
    await t.http
      .get('/api/v1/prisoners')
      .query({ q: 'Loggedn' })
      .set('authorization', officer.auth)
      .expect(200);
    await t.http
      .patch(`/api/v1/prisoners/${prisoner.id}`)
      .set('authorization', officer.auth)
      .set('if-match', '1')
      .send({ familyName: 'Renamedlogged' })
      .expect(200);
    await new Promise((r) => setTimeout(r, 50));
    const text = log.lines.join('\n');
    expect(log.lines.length).toBeGreaterThanOrEqual(3);
    for (const secret of ['Loggedname', 'Loggedn', 'LOG-4242', 'Renamedlogged'])
      expect(text).not.toContain(secret);
  });

  it('keeps generated key material in DATA_DIR with mode 0600, never in the database', async () => {
    for (const name of ['token-signing.key', 'audit-signing.pem']) {
      expect(statSync(join(t.dataDir, 'keys', name)).mode & 0o777).toBe(0o600);
    }
    const dump =
      JSON.stringify(await t.db.query(`SELECT * FROM audit_checkpoint`)) +
      JSON.stringify(await t.db.query(`SELECT * FROM app_user`));
    expect(dump).not.toContain('PRIVATE KEY');
  });
});
