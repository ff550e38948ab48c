import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { Factories, type TestUser } from './factories/index.js';
import { createTestApp, type TestApp } from './support/test-app.js';

const RUNS_PER_ENDPOINT = 1000;

/** Tables of case and account data: none may change, whatever a client sends. */
const TABLES = [
  'app_user',
  'user_facility',
  'user_session',
  'facility',
  'certification',
  'prisoner',
  'prisoner_facility_history',
  'prisoner_event',
  'emergency_access',
  'assessment',
  'assessment_transition',
  'programme_plan',
  'plan_goal',
  'plan_intervention',
  'plan_revision',
  'plan_session',
  'plan_review',
  'challenge',
  'challenge_escalation',
  'complaint',
  'complaint_staff',
  'complaint_referral',
  'disclosure',
  'subject_access_request',
  'subject_access_redaction',
  'training_rule_set_version',
  'training_attempt',
  'assessment_contribution',
  'countersign_assignment',
  'assessment_rating_set',
];

interface Endpoint {
  method: 'POST' | 'PATCH';
  url: string;
  user?: TestUser;
  /** A well-formed body the endpoint must still refuse (by state, scope or role). */
  refused?: Record<string, unknown>;
}

interface Answer {
  requestId: string;
  status: number;
}

/** `depth` nested arrays or objects around `inner`, as JSON text. */
const nestedJson = (depth: number, inner: string, kind: 'array' | 'object') =>
  kind === 'array'
    ? '['.repeat(depth) + inner + ']'.repeat(depth)
    : '{"a":'.repeat(depth) + inner + '}'.repeat(depth);

/** `depth` nested arrays or objects around `inner` (small depths only: it recurses). */
const nest = (depth: number, inner: unknown, kind: 'array' | 'object'): unknown =>
  depth === 0 ? inner : nest(depth - 1, kind === 'array' ? [inner] : { a: inner }, kind);

/** Text as clients may send it: any code point, and now and then a lone surrogate or NUL. */
const text = fc.string({
  unit: fc.oneof(
    { weight: 10, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
    {
      weight: 1,
      arbitrary: fc.integer({ min: 0xd800, max: 0xdfff }).map((u) => String.fromCharCode(u)),
    },
    { weight: 1, arbitrary: fc.constant('\0') },
  ),
  maxLength: 12,
});

// Field names of the endpoints, and near misses.
const field = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.constantFrom(
      'username',
      'password',
      'displayName',
      'roles',
      'facilityIds',
      'active',
      'code',
      'name',
      'region',
      'prisonNumber',
      'givenName',
      'familyName',
      'dateOfBirth',
      'sex',
      'legalStatus',
      'facilityId',
      'expectedReleaseDate',
      'reason',
      'type',
      'occurredAt',
      'note',
      'instrumentKey',
      'instrumentVersion',
      'trigger',
      'ratings',
      'finalLevel',
      'finalNeeds',
      'finalRationale',
      'formulation',
      'needs',
      'recommendations',
      'decision',
      'comments',
      'outcome',
      'validUntil',
      'finalRiskLevel',
      'basedOnAssessmentId',
      'goals',
      'interventions',
      'prisonerAgreement',
      'release',
      'date',
      'attendance',
      'summary',
      'nextReviewDate',
      'targetType',
      'targetId',
      'receivedOn',
      'words',
      'assignedToId',
      'response',
      'recipientType',
      'recipient',
      'lawfulBasis',
      'purpose',
      'disclosedOn',
      'records',
      'recordType',
      'fields',
      'kind',
      'element',
      'ground',
    ),
  },
  { weight: 1, arbitrary: text },
);

const leaf = fc.oneof(
  text,
  fc.string(),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom('2025-03-01', '2025-03-01T10:00:00Z', 'intake', 'agreed', 'approve', 'male'),
  fc.uuid(),
);

const { value } = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(field, tie('value'), { maxKeys: 4 }),
  ),
}));

/** A random body: usually an object of fields, sometimes anything else, now and then nested deep. */
const randomBody = fc.oneof(
  { weight: 8, arbitrary: fc.dictionary(field, value, { maxKeys: 6 }) },
  { weight: 1, arbitrary: value },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.integer({ min: 28, max: 40 }), value, fc.constantFrom('array', 'object'))
      .map(([depth, inner, kind]) => nest(depth, inner, kind as 'array' | 'object')),
  },
);

/** `template` with one or two fields replaced by random values or left out. */
const mutated = (template: Record<string, unknown>) =>
  fc
    .array(fc.tuple(fc.constantFrom(...Object.keys(template)), fc.option(value)), {
      minLength: 0,
      maxLength: 2,
    })
    .map((changes) => {
      const copy: Record<string, unknown> = { ...template };
      for (const [key, replacement] of changes) {
        if (replacement === null) delete copy[key];
        else copy[key] = replacement;
      }
      return copy;
    });

/** Bodies for `endpoint`: random ones, and near misses of a well-formed body it refuses. */
const bodyFor = (endpoint: Endpoint) =>
  endpoint.refused
    ? fc.oneof(
        { weight: 3, arbitrary: randomBody },
        { weight: 2, arbitrary: mutated(endpoint.refused) },
      )
    : randomBody;

/**
 * Property: whatever a client sends to an endpoint that writes, the answer is a 4xx problem
 * (never a 5xx, never a 2xx: the targets are set up so that even a well-formed body is
 * refused), validation problems name their fields, and nothing is written but the audit
 * events of refused attempts, one per refused request; the audit trail still verifies.
 */
describe('property: bad input gets 4xx problems and writes nothing', () => {
  let t: TestApp;
  let supervisor: TestUser;
  let endpoints: Endpoint[];
  let before: Record<string, string>;
  let auditBefore: number;
  const answers: Answer[] = [];
  let sent = 0;

  const snapshot = async (): Promise<Record<string, string>> =>
    (
      await t.db.query(
        `SELECT ${TABLES.map((x) => `(SELECT md5(coalesce(string_agg(t::text, ',' ORDER BY t::text), '')) FROM ${x} t) AS ${x}`).join(', ')}`,
      )
    )[0];

  beforeAll(async () => {
    // Tens of thousands of requests from one address within a minute or two: above the default
    // per-address limit, which is not what this file tests (test/rate-limit.e2e-spec.ts does).
    t = await createTestApp({
      env: { RATE_LIMIT_PER_IP: '1000000', RATE_LIMIT_PER_USER: '1000000' },
    });
    const f = new Factories(t);
    const facility = await f.facility();
    const admin = await f.user(['administrator']);
    const security = await f.user(['security_officer'], [facility]);
    const psychologist = await f.user(['psychologist'], [facility]);
    const psychologist2 = await f.user(['psychologist'], [facility]);
    const pve = await f.user(['pve_inspector'], [facility]);
    supervisor = await f.user(['supervisor'], [facility]);
    await f.certify(psychologist.id, 've-risk-spj');
    const prisoner = await f.prisoner(facility);
    const draft = await t.http
      .post(`/api/v1/prisoners/${prisoner.id}/assessments`)
      .set('authorization', psychologist.auth)
      .send({ instrumentKey: 've-risk-spj', instrumentVersion: '1.0.0', reason: 'intake' })
      .expect(201);
    // Transitions are tried on a cancelled assessment, so even a well-formed body changes nothing.
    await t.http
      .post(`/api/v1/assessments/${draft.body.id}/cancel`)
      .set('authorization', psychologist.auth)
      .send({ reason: 'Opened for the property test' })
      .expect(200);
    // A draft plan: a second one is refused (409), and sessions and reviews need an active plan.
    const needs = await f.approvedAssessment(prisoner, psychologist, psychologist2, {
      needs: [{ code: 'education', priority: 'medium' }],
    });
    const plan = await t.http
      .post(`/api/v1/prisoners/${prisoner.id}/plans`)
      .set('authorization', pve.auth)
      .send({ basedOnAssessmentId: needs })
      .expect(201);
    // The supervisor's own grant, which they may never review themselves.
    const elsewhere = await f.prisoner(await f.facility());
    const grant = await f.grant(supervisor, elsewhere);

    // A practice-case attempt: its trainee edits with a stale version (409), anyone else gets 404.
    const practiceCase = await t.http
      .get('/api/v1/training/cases')
      .set('authorization', psychologist.auth)
      .expect(200);
    const attempt = await t.http
      .post(`/api/v1/training/cases/${practiceCase.body[0].id}/attempts`)
      .set('authorization', psychologist.auth)
      .expect(201);
    const outsider = await f.user(['security_officer'], [await f.facility()]);
    // Prisoners' rights: a challenge routed to psychologist2 (others may not answer it), a
    // supervisor of another facility (404 on this prisoner), and a released subject-access copy
    // (its register is closed).
    const challenge = await t.http
      .post(`/api/v1/prisoners/${prisoner.id}/challenges`)
      .set('authorization', security.auth)
      .send({
        targetType: 'plan',
        targetId: plan.body.id,
        receivedOn: '2025-03-01',
        words: 'Set up for the property test',
        assignedToId: psychologist2.id,
      })
      .expect(201);
    // Unanswered past its deadline: the prisoner took it to the ombudsman.
    const escalated = await t.http
      .post(`/api/v1/challenges/${challenge.body.id}/escalations`)
      .set('authorization', security.auth)
      .send({
        authority: 'ombudsman',
        authorityName: 'Prisons ombudsman',
        referredOn: '2025-03-20',
      })
      .expect(201);
    // A complaint alleging ill-treatment, assigned to the supervisor: not yet referred, so it may
    // not be answered (409); the officer concerned by it is named.
    const complaint = await t.http
      .post(`/api/v1/prisoners/${prisoner.id}/complaints`)
      .set('authorization', security.auth)
      .send({
        receivedOn: '2025-03-01',
        madeBy: 'prisoner',
        subject: 'treatment_by_staff',
        allegesIllTreatment: true,
        words: 'Set up for the property test',
        concernsStaffIds: [security.id],
        assignedToId: supervisor.id,
      })
      .expect(201);
    const otherSupervisor = await f.user(['supervisor'], [await f.facility()]);
    const sar = await t.http
      .post(`/api/v1/prisoners/${prisoner.id}/subject-access-requests`)
      .set('authorization', supervisor.auth)
      .send({ receivedOn: '2025-03-01' })
      .expect(201);
    await t.http
      .post(`/api/v1/subject-access-requests/${sar.body.id}/release`)
      .set('authorization', supervisor.auth)
      .set('if-match', String(sar.body.version))
      .expect(200);
    const agreement = { response: 'agreed', prisonerWords: 'Yes', recordedOn: '2025-03-01' };
    endpoints = [
      {
        method: 'POST',
        url: '/api/v1/auth/login',
        refused: { username: 'nobody.here', password: 'not the password' },
      },
      { method: 'POST', url: '/api/v1/users', user: admin },
      {
        method: 'PATCH',
        url: `/api/v1/users/${security.id}`,
        user: admin,
        refused: { displayName: 'Renamed', active: true },
      },
      { method: 'POST', url: `/api/v1/users/${security.id}/certifications`, user: admin },
      { method: 'POST', url: '/api/v1/facilities', user: admin },
      { method: 'POST', url: '/api/v1/prisoners', user: security },
      {
        method: 'PATCH',
        url: `/api/v1/prisoners/${prisoner.id}`,
        user: security,
        refused: { givenName: 'Renamed', legalStatus: 'remand' },
      },
      {
        // Out of the officer's scope: 404, and the refusal is audited.
        method: 'PATCH',
        url: `/api/v1/prisoners/${prisoner.id}`,
        user: outsider,
        refused: { givenName: 'Renamed', legalStatus: 'remand' },
      },
      { method: 'POST', url: `/api/v1/prisoners/${prisoner.id}/transfer`, user: security },
      {
        method: 'POST',
        url: `/api/v1/prisoners/${prisoner.id}/discharge`,
        user: supervisor,
        refused: { dischargedOn: new Date().toISOString().slice(0, 10), reason: 'released' },
      },
      {
        method: 'POST',
        url: `/api/v1/prisoners/${prisoner.id}/readmit`,
        user: supervisor,
        refused: { readmittedOn: new Date().toISOString().slice(0, 10) },
      },
      { method: 'POST', url: `/api/v1/prisoners/${prisoner.id}/events`, user: security },
      {
        // In scope already: no emergency access is needed (409).
        method: 'POST',
        url: `/api/v1/prisoners/${prisoner.id}/emergency-access`,
        user: security,
        refused: { reason: 'Escort tonight; need to check the alerts on this person' },
      },
      { method: 'POST', url: `/api/v1/prisoners/${prisoner.id}/assessments`, user: psychologist },
      {
        method: 'PATCH',
        url: `/api/v1/assessments/${draft.body.id}`,
        user: psychologist,
        refused: { formulation: 'A formulation', finalRiskLevel: 'moderate' },
      },
      {
        method: 'POST',
        url: `/api/v1/assessments/${draft.body.id}/countersign`,
        user: psychologist,
        refused: { decision: 'approve', comments: 'Agreed' },
      },
      {
        method: 'POST',
        url: `/api/v1/assessments/${draft.body.id}/amend`,
        user: psychologist,
        refused: { reason: 'New information arrived' },
      },
      {
        method: 'POST',
        url: `/api/v1/assessments/${draft.body.id}/cancel`,
        user: psychologist,
        refused: { reason: 'Entered in error' },
      },
      {
        // Team working on the cancelled draft: no longer being written (409).
        method: 'POST',
        url: `/api/v1/assessments/${draft.body.id}/contributions`,
        user: pve,
        refused: {
          observation: 'Seen at education',
          source: 'observation',
          observedOn: '2025-03-01',
          confidentiality: 'standard',
        },
      },
      {
        method: 'POST',
        url: `/api/v1/assessments/${draft.body.id}/countersign-assignments`,
        user: supervisor,
        refused: { assigneeId: psychologist2.id, reason: 'One psychologist here' },
      },
      {
        // Not double-rated: the caller has no rating set (403).
        method: 'PATCH',
        url: `/api/v1/assessments/${draft.body.id}/rating-sets/mine`,
        user: psychologist,
        refused: { ratings: { ID01: { value: 'some' } } },
      },
      {
        method: 'POST',
        url: `/api/v1/assessments/${draft.body.id}/consensus`,
        user: psychologist,
        refused: { ratings: { ID01: { value: 'some' } }, rationale: 'Agreed' },
      },
      {
        // The prisoner has an open plan already (409).
        method: 'POST',
        url: `/api/v1/prisoners/${prisoner.id}/plans`,
        user: pve,
        refused: { basedOnAssessmentId: needs },
      },
      {
        method: 'PATCH',
        url: `/api/v1/plans/${plan.body.id}`,
        user: pve,
        refused: { prisonerAgreement: agreement },
      },
      {
        // Sessions and reviews need an active plan; this one is a draft (409).
        method: 'POST',
        url: `/api/v1/plans/${plan.body.id}/sessions`,
        user: pve,
        refused: { date: '2025-03-01', attendance: 'attended' },
      },
      {
        method: 'POST',
        url: `/api/v1/plans/${plan.body.id}/reviews`,
        user: pve,
        refused: {
          date: '2025-03-01',
          attendees: ['pve_inspector'],
          summary: 'Progress as planned',
          nextReviewDate: '2025-06-01',
        },
      },
      {
        // Out of the officer's scope: 404, and the refusal is audited.
        method: 'POST',
        url: `/api/v1/prisoners/${prisoner.id}/challenges`,
        user: outsider,
        refused: {
          targetType: 'plan',
          targetId: plan.body.id,
          receivedOn: '2025-03-01',
          words: 'The assessment is wrong',
        },
      },
      {
        // Routed to psychologist2: anyone else is refused (403, audited).
        method: 'POST',
        url: `/api/v1/challenges/${challenge.body.id}/answer`,
        user: psychologist,
        refused: { outcome: 'upheld', response: 'Agreed' },
      },
      {
        // Out of the officer's scope: 404, and the refusal is audited.
        method: 'POST',
        url: `/api/v1/challenges/${challenge.body.id}/escalations`,
        user: outsider,
        refused: {
          authority: 'ombudsman',
          authorityName: 'Prisons ombudsman',
          referredOn: '2025-03-02',
        },
      },
      {
        // Officers record escalations, never the outside decision (403, audited).
        method: 'POST',
        url: `/api/v1/challenges/${challenge.body.id}/escalations/${escalated.body.escalations[0].id}/decision`,
        user: security,
        refused: { decidedOn: '2025-03-25', outcome: 'upheld', summary: 'Upheld' },
      },
      {
        // Out of the officer's scope: 404, and the refusal is audited.
        method: 'POST',
        url: `/api/v1/prisoners/${prisoner.id}/complaints`,
        user: outsider,
        refused: {
          receivedOn: '2025-03-01',
          madeBy: 'family',
          subject: 'conditions',
          allegesIllTreatment: false,
          words: 'The cell is cold',
        },
      },
      {
        // An ill-treatment allegation not yet referred: its assignee may not answer it (409).
        method: 'POST',
        url: `/api/v1/complaints/${complaint.body.id}/answer`,
        user: supervisor,
        refused: { outcome: 'not_upheld', response: 'Not borne out' },
      },
      {
        // Psychologists do not refer complaints (403, audited).
        method: 'POST',
        url: `/api/v1/complaints/${complaint.body.id}/referrals`,
        user: psychologist,
        refused: { authority: 'prosecutor', authorityName: 'Prosecutor', referredOn: '2025-03-02' },
      },
      {
        method: 'POST',
        url: `/api/v1/prisoners/${prisoner.id}/disclosures`,
        user: otherSupervisor,
        refused: {
          recipientType: 'court',
          recipient: 'Regional court',
          lawfulBasis: 'Court order',
          purpose: 'Hearing',
          disclosedOn: '2025-03-01',
          records: [{ recordType: 'particulars', fields: ['prisonNumber'] }],
        },
      },
      {
        method: 'POST',
        url: `/api/v1/prisoners/${prisoner.id}/subject-access-requests`,
        user: otherSupervisor,
        refused: { receivedOn: '2025-03-01', kind: 'request' },
      },
      {
        // Released already: the register is closed (409).
        method: 'POST',
        url: `/api/v1/subject-access-requests/${sar.body.id}/redactions`,
        user: supervisor,
        refused: { element: `particulars/${prisoner.id}/sex`, ground: 'safety_of_others' },
      },
      {
        method: 'PATCH',
        url: `/api/v1/training/attempts/${attempt.body.id}`,
        user: psychologist,
        refused: { ratings: { ID01: { value: 'some' } }, finalRationale: 'Stale version' },
      },
      {
        method: 'PATCH',
        url: `/api/v1/training/attempts/${attempt.body.id}`,
        user: pve,
        refused: { finalRationale: 'Another trainee’s attempt' },
      },
      {
        // A supervisor never reviews their own grant (403, audited).
        method: 'POST',
        url: `/api/v1/emergency-access/${grant}/review`,
        user: supervisor,
        refused: { outcome: 'justified', note: 'Checked with the duty log' },
      },
    ];
    before = await snapshot();
    [{ n: auditBefore }] = await t.db.query(`SELECT count(*)::int AS n FROM audit_event`);
  });
  afterAll(() => t.close());

  /** Sends `payload` as the body (already JSON text unless `contentType` says otherwise). */
  async function send(
    endpoint: Endpoint,
    payload: string,
    options: { query?: string; contentType?: string } = {},
  ) {
    const requestId = `bad-input-${++sent}`;
    const res = await t.app.inject({
      method: endpoint.method,
      url: endpoint.url + (options.query ?? ''),
      payload,
      headers: {
        'content-type': options.contentType ?? 'application/json',
        // A stale version: a well-formed edit is refused with 409 and changes nothing.
        'if-match': '999',
        'x-request-id': requestId,
        ...(endpoint.user ? { authorization: endpoint.user.auth } : {}),
      },
    });
    answers.push({ requestId, status: res.statusCode });
    const where = `${endpoint.method} ${endpoint.url}${options.query ?? ''} with ${JSON.stringify(payload.slice(0, 300))}`;
    if (res.statusCode < 400 || res.statusCode >= 500) {
      throw new Error(`${where} answered ${res.statusCode}: ${res.body.slice(0, 500)}`);
    }
    if (!/^application\/problem\+json/.test(String(res.headers['content-type']))) {
      throw new Error(`${where} answered ${res.statusCode} without a problem: ${res.body}`);
    }
    const problem = res.json() as {
      status: number;
      code: string;
      errors?: { path: unknown; message: unknown }[];
    };
    if (problem.status !== res.statusCode || typeof problem.code !== 'string') {
      throw new Error(`${where}: malformed problem ${res.body}`);
    }
    if (
      problem.code === 'validation_failed' &&
      !(
        Array.isArray(problem.errors) &&
        problem.errors.length > 0 &&
        problem.errors.every(
          (e) => typeof e.path === 'string' && typeof e.message === 'string' && e.message,
        )
      )
    ) {
      throw new Error(`${where}: a validation problem that names no field: ${res.body}`);
    }
    return { status: res.statusCode, problem };
  }

  it('refuses each well-formed body its endpoint must refuse, with a 4xx problem', async () => {
    for (const endpoint of endpoints.filter((e) => e.refused)) {
      const { status } = await send(endpoint, JSON.stringify(endpoint.refused));
      expect(status).toBeGreaterThanOrEqual(401);
    }
  });

  it('refuses lone surrogates and NUL anywhere, naming the field, on every endpoint', async () => {
    const cases: [string, unknown, string][] = [
      ['a lone high surrogate', { reason: 'why\ud800' }, 'reason'],
      ['a lone low surrogate, nested', { x: [{ y: '\udc00' }] }, 'x[0].y'],
      ['NUL', { username: 'a\u0000b' }, 'username'],
      ['NUL in a key', { ratings: { ['k\u0000']: 1 } }, 'ratings.k\ufffd'],
      ['a lone surrogate in a key', { ['\ud83d']: 'x' }, '\ufffd'],
    ];
    for (const endpoint of endpoints) {
      for (const [what, payload, path] of cases) {
        const { status, problem } = await send(endpoint, JSON.stringify(payload));
        expect({ what, status, code: problem.code }).toEqual({
          what,
          status: 400,
          code: 'validation_failed',
        });
        expect(problem.errors?.map((e) => e.path)).toContain(path);
      }
      const query = await send(endpoint, '{}', { query: '?purpose=a%00b' });
      expect(query.problem.errors?.map((e) => e.path)).toEqual(['purpose']);
      const plain = await send(endpoint, 'text\u0000', { contentType: 'text/plain' });
      expect(plain.status).toBe(400);
    }
  });

  it('refuses bodies nested deeper than 32 levels while parsing, on every endpoint', async () => {
    for (const endpoint of endpoints) {
      for (const kind of ['array', 'object'] as const) {
        for (const depth of [33, 20000]) {
          const { status, problem } = await send(endpoint, nestedJson(depth, '1', kind));
          expect({ kind, depth, status, code: problem.code }).toEqual({
            kind,
            depth,
            status: 400,
            code: 'nesting_too_deep',
          });
        }
        const inside = await send(endpoint, `{"reason":${nestedJson(20000, '"x"', kind)}}`);
        expect(inside.problem.code).toBe('nesting_too_deep');
      }
    }
  });

  // About 40 s of CPU (21,000 requests); more when the machine is shared.
  it(`holds for ${RUNS_PER_ENDPOINT} random bodies on every writing endpoint`, async () => {
    // Endpoints in parallel, each its own run: the database serves them concurrently.
    await Promise.all(
      endpoints.map((endpoint) =>
        fc.assert(
          fc.asyncProperty(bodyFor(endpoint), async (payload) => {
            await send(endpoint, JSON.stringify(payload));
          }),
          { numRuns: RUNS_PER_ENDPOINT },
        ),
      ),
    );
  }, 300_000);

  it('wrote nothing but one denied event per refused request, and the trail verifies', async () => {
    expect(await snapshot()).toEqual(before);
    const events = (await t.db.query(
      `SELECT request_id AS "requestId", outcome, action FROM audit_event WHERE seq > (
         SELECT coalesce(max(seq), 0) FROM (SELECT seq FROM audit_event ORDER BY seq LIMIT $1) s)`,
      [auditBefore],
    )) as { requestId: string; outcome: string; action: string }[];
    expect(events.filter((e) => e.outcome === 'success')).toEqual([]);
    const byRequest = new Map<string, string[]>();
    for (const e of events)
      byRequest.set(e.requestId, [...(byRequest.get(e.requestId) ?? []), e.outcome]);
    // Every 403 and 404 is a refusal, written once; a 400 never reached the point of deciding.
    const wrong = answers
      .map((answer) => ({ ...answer, written: byRequest.get(answer.requestId) ?? [] }))
      .filter(({ status, written }) =>
        status === 403 || status === 404
          ? written.length !== 1 || written[0] !== 'denied'
          : status === 400
            ? written.length > 0
            : written.length > 1,
      );
    expect(wrong).toEqual([]);
    const statuses = new Map<number, number>();
    for (const { status } of answers) statuses.set(status, (statuses.get(status) ?? 0) + 1);
    // The bodies got past validation too: to scope, role and state checks.
    expect([...statuses.keys()]).toEqual(expect.arrayContaining([400, 401, 403, 404, 409]));
    const verify = await t.http
      .get('/api/v1/audit/verify')
      .set('authorization', supervisor.auth)
      .expect(200);
    expect(verify.body).toMatchObject({ ok: true, problems: [], problemCount: 0 });
  });
});
