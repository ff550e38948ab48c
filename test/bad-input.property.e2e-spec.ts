import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { Factories, type TestUser } from './factories/index.js';
import { createTestApp, type TestApp } from './support/test-app.js';

/**
 * Property: whatever body a client sends to an endpoint that writes, the answer is a 4xx
 * problem (never a 5xx, never a 2xx: the targets are set up so that even a well-formed body is
 * refused), and nothing is written but audit rows.
 */
describe('property: malformed bodies get 4xx problems and write nothing', () => {
  let t: TestApp;
  let f: Factories;
  let admin: TestUser;
  let security: TestUser;
  let psychologist: TestUser;
  let prisonerId: string;
  let assessmentId: string;

  const TABLES = [
    'app_user',
    'facility',
    'certification',
    'prisoner',
    'prisoner_event',
    'emergency_access',
    'assessment',
    'assessment_transition',
  ];
  const snapshot = async () =>
    (
      await t.db.query(
        `SELECT ${TABLES.map((x) => `(SELECT md5(coalesce(string_agg(t::text, ',' ORDER BY t::text), '')) FROM ${x} t) AS ${x}`).join(', ')}`,
      )
    )[0];

  beforeAll(async () => {
    t = await createTestApp();
    f = new Factories(t);
    const facility = await f.facility();
    admin = await f.user(['administrator']);
    security = await f.user(['security_officer'], [facility]);
    psychologist = await f.user(['psychologist'], [facility]);
    await f.certify(psychologist.id, 've-risk-spj');
    const prisoner = await f.prisoner(facility);
    prisonerId = prisoner.id;
    const draft = await t.http
      .post(`/api/v1/prisoners/${prisonerId}/assessments`)
      .set('authorization', psychologist.auth)
      .send({ instrumentKey: 've-risk-spj', reason: 'intake' })
      .expect(201);
    // Transitions are tried on a cancelled assessment, so even a well-formed body changes nothing.
    await t.http
      .post(`/api/v1/assessments/${draft.body.id}/cancel`)
      .set('authorization', psychologist.auth)
      .send({ reason: 'Opened for the property test' })
      .expect(200);
    assessmentId = draft.body.id;
  });
  afterAll(() => t.close());

  const endpoints = () => [
    { method: 'post', path: '/api/v1/auth/login', user: undefined },
    { method: 'post', path: '/api/v1/users', user: admin },
    { method: 'patch', path: `/api/v1/users/${security.id}`, user: admin },
    { method: 'post', path: `/api/v1/users/${security.id}/certifications`, user: admin },
    { method: 'post', path: '/api/v1/facilities', user: admin },
    { method: 'post', path: '/api/v1/prisoners', user: security },
    { method: 'patch', path: `/api/v1/prisoners/${prisonerId}`, user: security },
    { method: 'post', path: `/api/v1/prisoners/${prisonerId}/transfer`, user: security },
    { method: 'post', path: `/api/v1/prisoners/${prisonerId}/events`, user: security },
    { method: 'post', path: `/api/v1/prisoners/${prisonerId}/emergency-access`, user: security },
    { method: 'post', path: `/api/v1/prisoners/${prisonerId}/assessments`, user: psychologist },
    { method: 'patch', path: `/api/v1/assessments/${assessmentId}`, user: psychologist },
    { method: 'post', path: `/api/v1/assessments/${assessmentId}/countersign`, user: psychologist },
    { method: 'post', path: `/api/v1/assessments/${assessmentId}/amend`, user: psychologist },
    { method: 'post', path: `/api/v1/assessments/${assessmentId}/cancel`, user: psychologist },
  ];

  // Bodies that are wrong in type or shape, near misses of real fields included.
  const field = fc.constantFrom(
    'username',
    'password',
    'roles',
    'facilityIds',
    'code',
    'name',
    'prisonNumber',
    'dateOfBirth',
    'facilityId',
    'reason',
    'type',
    'occurredAt',
    'instrumentKey',
    'ratings',
    'needs',
    'decision',
    'outcome',
    'validUntil',
    'active',
    'finalRiskLevel',
    'x',
  );
  const value = fc.oneof(
    fc.string(),
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.array(fc.string(), { maxLength: 3 }),
    fc.dictionary(
      fc.string({ maxLength: 8 }),
      fc.oneof(fc.string(), fc.integer(), fc.constant(null)),
      { maxKeys: 3 },
    ),
  );
  const body = fc.oneof(
    fc.dictionary(field, value, { maxKeys: 6 }),
    fc.array(value, { maxLength: 3 }),
    fc.string(),
    fc.integer(),
  );

  it('holds for random bodies on every writing endpoint', async () => {
    const before = await snapshot();
    await fc.assert(
      fc.asyncProperty(fc.nat(endpoints().length - 1), body, async (i, payload) => {
        const { method, path, user } = endpoints()[i];
        // A stale If-Match: a well-formed edit is refused with 409 and changes nothing.
        let request = (method === 'post' ? t.http.post(path) : t.http.patch(path)).set(
          'if-match',
          '999',
        );
        if (user) request = request.set('authorization', user.auth);
        const res = await request
          .set('content-type', 'application/json')
          .send(JSON.stringify(payload));
        if (res.status >= 500 || res.status < 400) {
          throw new Error(
            `${method.toUpperCase()} ${path} with ${JSON.stringify(payload)} answered ${res.status}: ${res.text}`,
          );
        }
        expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      }),
      { numRuns: 300 },
    );
    expect(await snapshot()).toEqual(before);
  });
});
