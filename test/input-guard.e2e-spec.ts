import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  Factories,
  type TestFacility,
  type TestPrisoner,
  type TestUser,
} from './factories/index.js';
import { createTestApp, type TestApp } from './support/test-app.js';

const LONE_HIGH = '\ud800';
const LONE_LOW = '\udc00';
const EMOJI = '\u{1F600}';

/** `depth` nested arrays (`[[[...]]]`) or objects (`{"a":{"a":...}}`) around `inner`. */
const nested = (depth: number, kind: 'array' | 'object', inner = '1') =>
  kind === 'array'
    ? '['.repeat(depth) + inner + ']'.repeat(depth)
    : '{"a":'.repeat(depth) + inner + '}'.repeat(depth);

describe('untrusted text: refused unless well formed, and never breaks the audit trail', () => {
  let t: TestApp;
  let f: Factories;
  let a: TestFacility;
  let b: TestFacility;
  let officer: TestUser;
  let supervisor: TestUser;
  let psychologist: TestUser;
  let prisoner: TestPrisoner;

  beforeAll(async () => {
    t = await createTestApp();
    f = new Factories(t);
    a = await f.facility();
    b = await f.facility();
    officer = await f.user(['security_officer'], [a]);
    supervisor = await f.user(['supervisor'], [a, b]);
    psychologist = await f.user(['psychologist'], [a]);
    prisoner = await f.prisoner(a);
  });
  afterAll(() => t.close());

  const verify = async () =>
    (await t.http.get('/api/v1/audit/verify').set('authorization', supervisor.auth).expect(200))
      .body;
  const count = async (table: string) =>
    (await t.db.query(`SELECT count(*)::int AS n FROM ${table}`))[0].n as number;
  /** An `app.inject` answer in the shape supertest gives. */
  const injected = (res: {
    statusCode: number;
    headers: Record<string, unknown>;
    json: () => Record<string, unknown>;
  }) => ({
    status: res.statusCode,
    headers: res.headers as Record<string, string>,
    body: res.json(),
  });
  const expectFieldProblem = (
    res: { status: number; headers: Record<string, string>; body: Record<string, unknown> },
    path: string,
  ) => {
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.body).toMatchObject({ status: 400, code: 'validation_failed' });
    expect(res.body.errors).toEqual(
      expect.arrayContaining([{ path, message: expect.stringMatching(/well-formed|NUL/) }]),
    );
  };

  it('refuses a sign-in with a lone surrogate in the username, and the trail still verifies', async () => {
    const before = await count('audit_event');
    const res = await t.http
      .post('/api/v1/auth/login')
      .send({ username: `x${LONE_HIGH}y`, password: 'whatever-it-is' });
    expectFieldProblem(res, 'username');
    expect(await count('audit_event')).toBe(before);
    expect(await verify()).toMatchObject({ ok: true, problems: [] });
  });

  it('records a failed sign-in by a 64-character username ending in an emoji whole, and verifies', async () => {
    const username = 'a'.repeat(63) + EMOJI;
    const res = await t.http
      .post('/api/v1/auth/login')
      .set('x-request-id', 'emoji-login')
      .send({ username, password: 'whatever-it-is' });
    expect(res.status).toBe(401);
    const rows = await t.db.query(
      `SELECT actor_username FROM audit_event WHERE request_id = 'emoji-login'`,
    );
    expect(rows).toEqual([{ actor_username: username }]);
    expect(await verify()).toMatchObject({ ok: true, problems: [] });
  });

  it('keeps an emergency reason of 500 characters ending in an emoji whole on every read under the grant', async () => {
    const elsewhere = await f.prisoner(b);
    const reason = 'r'.repeat(499) + EMOJI;
    await t.http
      .post(`/api/v1/prisoners/${elsewhere.id}/emergency-access`)
      .set('authorization', officer.auth)
      .send({ reason })
      .expect(201);
    await t.http
      .get(`/api/v1/prisoners/${elsewhere.id}`)
      .set('authorization', officer.auth)
      .set('x-request-id', 'read-under-grant')
      .expect(200);
    const rows = await t.db.query(
      `SELECT purpose FROM audit_event WHERE request_id = 'read-under-grant'`,
    );
    expect(rows).toEqual([{ purpose: reason }]);
    expect(await verify()).toMatchObject({ ok: true, problems: [] });
  });

  it('cuts an over-long X-Access-Purpose between characters, never inside one', async () => {
    const purpose = 'p'.repeat(499) + EMOJI + 'tail';
    const res = await t.app.inject({
      method: 'GET',
      url: `/api/v1/prisoners/${prisoner.id}`,
      headers: { authorization: officer.auth, 'x-access-purpose': purpose, 'x-request-id': 'cut' },
    });
    expect(res.statusCode).toBe(200);
    const rows = await t.db.query(`SELECT purpose FROM audit_event WHERE request_id = 'cut'`);
    expect(rows).toEqual([{ purpose: 'p'.repeat(499) + EMOJI }]);
    expect(await verify()).toMatchObject({ ok: true, problems: [] });
  });

  it('refuses NUL and lone surrogates in case fields with a 400 naming the field, writing nothing', async () => {
    const before = await count('prisoner');
    const record = {
      prisonNumber: 'NUL-1',
      givenName: 'Arman',
      familyName: 'Sadykov',
      dateOfBirth: '1994-03-17',
      sex: 'male',
      legalStatus: 'sentenced',
      facilityId: a.id,
    };
    const create = (body: Record<string, unknown>) =>
      t.http.post('/api/v1/prisoners').set('authorization', officer.auth).send(body);
    expectFieldProblem(await create({ ...record, givenName: `Ar\u0000man` }), 'givenName');
    expectFieldProblem(await create({ ...record, familyName: `Sady${LONE_LOW}kov` }), 'familyName');
    const both = await create({ ...record, givenName: LONE_HIGH, familyName: '\u0000' });
    expectFieldProblem(both, 'givenName');
    expectFieldProblem(both, 'familyName');
    expectFieldProblem(
      await t.http
        .patch(`/api/v1/prisoners/${prisoner.id}`)
        .set('authorization', officer.auth)
        .set('if-match', '1')
        .send({ givenName: `A${LONE_HIGH}` }),
      'givenName',
    );
    expect(await count('prisoner')).toBe(before);
    const [row] = await t.db.query(`SELECT given_name FROM prisoner WHERE id = $1`, [prisoner.id]);
    expect(row.given_name).toBe(prisoner.givenName);
  });

  it('names nested fields and keys at any depth', async () => {
    const assessment = await f.openAssessment(prisoner, psychologist, 'draft', 've-risk-spj');
    const patch = (body: unknown) =>
      t.http
        .patch(`/api/v1/assessments/${assessment}`)
        .set('authorization', psychologist.auth)
        .set('if-match', '1')
        .send(body as object);
    expectFieldProblem(
      await patch({
        ratings: { BA01: { value: 'moderate', sources: ['interview', `x${LONE_LOW}`] } },
      }),
      'ratings.BA01.sources[1]',
    );
    expectFieldProblem(
      await patch({ ratings: { [`R${LONE_HIGH}`]: { value: 1 } } }),
      'ratings.R\ufffd',
    );
    expectFieldProblem(await patch({ formulation: 'a\u0000' }), 'formulation');
  });

  it('refuses NUL in query strings and path parameters', async () => {
    const get = (url: string) =>
      t.app.inject({ method: 'GET', url, headers: { authorization: officer.auth } });
    const query = await get('/api/v1/prisoners?q=a%00b');
    expectFieldProblem(injected(query), 'q');
    // Percent-decoding yields well-formed text or fails, so only NUL can come in by a query.
    expectFieldProblem(injected(await get('/api/v1/prisoners?q=a&q=b%00')), 'q[1]');
    const path = await get('/api/v1/instruments/ve%00risk/versions/1.0.0');
    expectFieldProblem(injected(path), 'key');
  });

  it('refuses NUL and lone surrogates in the headers the trail records', async () => {
    for (const [header, value] of [
      ['x-access-purpose', 'why\u0000'],
      ['x-access-purpose', `why${LONE_HIGH}`],
      ['user-agent', `agent${LONE_LOW}`],
      ['user-agent', 'agent\u0000'],
    ]) {
      const res = await t.app.inject({
        method: 'GET',
        url: `/api/v1/prisoners/${prisoner.id}`,
        headers: { authorization: officer.auth, [header]: value },
      });
      expectFieldProblem(injected(res), header);
    }
    expect(await verify()).toMatchObject({ ok: true, problems: [] });
  });
});

describe('deep nesting: refused while parsing, before validation', () => {
  let t: TestApp;
  let officer: TestUser;
  let prisoner: TestPrisoner;

  beforeAll(async () => {
    t = await createTestApp();
    const f = new Factories(t);
    const facility = await f.facility();
    officer = await f.user(['security_officer'], [facility]);
    prisoner = await f.prisoner(facility);
  });
  afterAll(() => t.close());

  const send = (url: string, payload: string, auth?: string) =>
    t.app.inject({
      method: url.includes('/prisoners/') ? 'PATCH' : 'POST',
      url,
      payload,
      headers: {
        'content-type': 'application/json',
        'if-match': '1',
        ...(auth ? { authorization: auth } : {}),
      },
    });

  it.each(['array', 'object'] as const)(
    'answers 400 to a 20,000-deep %s on /auth/login and on an authenticated PATCH',
    async (kind) => {
      for (const [url, auth] of [
        ['/api/v1/auth/login', undefined],
        [`/api/v1/prisoners/${prisoner.id}`, officer.auth],
      ] as const) {
        for (const payload of [
          nested(20000, kind),
          `{"givenName":"A","x":${nested(20000, kind)}}`,
        ]) {
          const res = await send(url, payload, auth);
          expect(res.statusCode).toBe(400);
          expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
          expect(res.json()).toMatchObject({ status: 400, code: 'nesting_too_deep' });
        }
      }
    },
  );

  it('accepts 32 levels (validation then decides) and refuses 33', async () => {
    for (const kind of ['array', 'object'] as const) {
      const at = (depth: number) =>
        send(
          '/api/v1/auth/login',
          `{"username":"u","password":"p","x":${nested(depth - 1, kind)}}`,
        );
      const ok = await at(32);
      expect(ok.statusCode).toBe(400);
      expect(ok.json()).toMatchObject({
        code: 'validation_failed',
        errors: [{ path: 'x', message: expect.any(String) }],
      });
      expect((await at(33)).json()).toMatchObject({ code: 'nesting_too_deep' });
    }
    const valid = await send(
      `/api/v1/prisoners/${prisoner.id}`,
      JSON.stringify({ givenName: 'Brackets [[{{ in "text" \\" }}]]' }),
      officer.auth,
    );
    expect(valid.statusCode).toBe(200);
    expect(valid.json().givenName).toBe('Brackets [[{{ in "text" \\" }}]]');
  });
});
