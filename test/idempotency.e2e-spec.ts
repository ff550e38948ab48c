import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { Factories, type TestFacility, type TestUser } from './factories/index.js';
import { createTestApp, type TestApp } from './support/test-app.js';

describe('Idempotency-Key on creates', () => {
  let t: TestApp;
  let f: Factories;
  let a: TestFacility;
  let security: TestUser;
  let other: TestUser;

  beforeAll(async () => {
    t = await createTestApp();
    f = new Factories(t);
    a = await f.facility();
    security = await f.user(['security_officer'], [a]);
    other = await f.user(['security_officer'], [a]);
  });
  afterAll(() => t.close());

  const body = (overrides: Record<string, unknown> = {}) => ({
    prisonNumber: `I-${randomUUID().slice(0, 8)}`,
    givenName: 'Arman',
    familyName: 'Sadykov',
    dateOfBirth: '1994-03-17',
    sex: 'male',
    legalStatus: 'sentenced',
    facilityId: a.id,
    ...overrides,
  });
  const create = (user: TestUser, key: string | undefined, payload: object) => {
    const req = t.http.post('/api/v1/prisoners').set('authorization', user.auth);
    if (key !== undefined) req.set('idempotency-key', key);
    return req.send(payload);
  };
  const stored = async (prisonNumber: string) => {
    const [{ prisoners, events }] = await t.db.query(
      `SELECT (SELECT count(*)::int FROM prisoner WHERE prison_number = $1) AS prisoners,
              (SELECT count(*)::int FROM audit_event e JOIN prisoner p ON p.id::text = e.entity_id
                WHERE p.prison_number = $1 AND e.action = 'prisoner.create') AS events`,
      [prisonNumber],
    );
    return { prisoners, events };
  };

  it('replays the first answer for a retry with the same key: one record, one audit event', async () => {
    const key = randomUUID();
    const payload = body();
    const first = await create(security, key, payload).expect(201);
    const again = await create(security, key, payload).expect(201);
    expect(again.body).toEqual(first.body);
    expect(again.headers.etag).toBe(first.headers.etag);
    expect(again.headers['content-type']).toBe(first.headers['content-type']);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    expect(await stored(payload.prisonNumber)).toEqual({ prisoners: 1, events: 1 });
  });

  it('refuses the same key with a different body (422 idempotency_key_reused)', async () => {
    const key = randomUUID();
    await create(security, key, body()).expect(201);
    const res = await create(security, key, body()).expect(422);
    expect(res.body.code).toBe('idempotency_key_reused');
  });

  it('keeps keys apart per user', async () => {
    const key = randomUUID();
    const mine = await create(security, key, body()).expect(201);
    const theirs = await create(other, key, body()).expect(201);
    expect(theirs.body.id).not.toBe(mine.body.id);
  });

  it('makes one record of concurrent requests with the same key', async () => {
    const key = randomUUID();
    const payload = body();
    const answers = await Promise.all(
      Array.from({ length: 6 }, () => create(security, key, payload)),
    );
    const statuses = answers.map((r) => r.status);
    expect(statuses.every((s) => s === 201 || s === 409)).toBe(true);
    expect(statuses).toContain(201);
    for (const r of answers.filter((r) => r.status === 409)) {
      expect(r.body.code).toBe('idempotency_in_progress');
      expect(r.headers['retry-after']).toBe('1');
    }
    const ids = new Set(answers.filter((r) => r.status === 201).map((r) => r.body.id));
    expect(ids.size).toBe(1);
    expect(await stored(payload.prisonNumber)).toEqual({ prisoners: 1, events: 1 });
    // Once the first has answered, every retry gets its answer.
    const later = await create(security, key, payload).expect(201);
    expect(later.body.id).toBe([...ids][0]);
  });

  it('records no key for a create that did not commit: the corrected retry runs', async () => {
    const key = randomUUID();
    const payload = body();
    await create(security, key, { ...payload, sex: 'unknown' }).expect(400);
    // A different body, but the first request left nothing behind.
    await create(security, key, payload).expect(201);
    expect(await stored(payload.prisonNumber)).toEqual({ prisoners: 1, events: 1 });
  });

  it('refuses a malformed key, naming the header', async () => {
    const res = await create(security, 'x'.repeat(256), body()).expect(400);
    expect(res.body.errors).toEqual([
      { path: 'Idempotency-Key', message: expect.stringMatching(/Idempotency-Key/) },
    ]);
    await create(security, 'has space', body()).expect(400);
  });

  it('creates afresh once a key has expired, and says so when an answer was lost', async () => {
    const key = randomUUID();
    const payload = body();
    const first = await create(security, key, payload).expect(201);
    await t.db.query(
      `UPDATE idempotency_key SET expires_at = now() - interval '1 second'
                      WHERE key = $1`,
      [key],
    );
    const second = await create(security, key, {
      ...payload,
      prisonNumber: `${payload.prisonNumber}X`,
    }).expect(201);
    expect(second.body.id).not.toBe(first.body.id);

    // The create committed but the service stopped before keeping its answer.
    const lost = randomUUID();
    await t.db.query(
      `INSERT INTO idempotency_key (user_id, method, path, key, fingerprint, created_at, expires_at)
       VALUES ($1, 'POST', '/api/v1/prisoners', $2, 'f', now() - interval '5 minutes', now() + interval '1 hour')`,
      [security.id, lost],
    );
    const fingerprintOf = await t.db.query(
      `SELECT fingerprint FROM idempotency_key WHERE key = $1`,
      [key],
    );
    await t.db.query(`UPDATE idempotency_key SET fingerprint = $1 WHERE key = $2`, [
      fingerprintOf[0].fingerprint,
      lost,
    ]);
    const res = await create(security, lost, {
      ...payload,
      prisonNumber: `${payload.prisonNumber}X`,
    });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('idempotency_answer_lost');
  });

  it('replays the creates of later features too: one disclosure for two sends', async () => {
    const prisoner = await f.prisoner(a);
    const supervisor = await f.user(['supervisor'], [a]);
    const disclosure = {
      recipientType: 'probation',
      recipient: 'Regional probation',
      lawfulBasis: 'Statutory duty to share for supervision on release',
      purpose: 'Release planning',
      disclosedOn: '2025-01-02',
      records: [{ recordType: 'particulars', fields: ['prisonNumber'] }],
    };
    const key = randomUUID();
    const send = () =>
      t.http
        .post(`/api/v1/prisoners/${prisoner.id}/disclosures`)
        .set('authorization', supervisor.auth)
        .set('idempotency-key', key)
        .send(disclosure);
    const first = await send().expect(201);
    const again = await send().expect(201);
    expect(again.body).toEqual(first.body);
    expect(again.headers['idempotent-replayed']).toBe('true');
    const [{ n }] = await t.db.query(
      `SELECT count(*)::int AS n FROM disclosure WHERE prisoner_id = $1`,
      [prisoner.id],
    );
    expect(n).toBe(1);
  });

  it('documents the header on every create and 422 for a reused key', async () => {
    const doc = (await t.http.get('/docs-json').expect(200)).body;
    // Every operation that answers 201 creates something: each takes the key.
    const creates = Object.entries(
      doc.paths as Record<string, Record<string, { responses?: Record<string, unknown> }>>,
    ).flatMap(([path, ops]) =>
      Object.entries(ops)
        .filter(([, op]) => op?.responses?.['201'])
        .map(([method]) => [path, method]),
    );
    expect(creates).toEqual(
      expect.arrayContaining([
        ['/api/v1/prisoners', 'post'],
        ['/api/v1/prisoners/{id}/assessments', 'post'],
        ['/api/v1/users/{id}/certifications', 'post'],
      ]),
    );
    for (const [path, method] of creates) {
      const op = doc.paths[path][method];
      const header = (op.parameters ?? []).find(
        (p: { in: string; name: string }) => p.in === 'header' && p.name === 'Idempotency-Key',
      );
      expect({ path, header: header?.required }).toEqual({ path, header: false });
      expect(op.responses['422']).toBeDefined();
    }
  });
});
