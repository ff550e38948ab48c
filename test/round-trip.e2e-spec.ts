import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Factories, type TestFacility, type TestUser } from './factories/index.js';
import { completeRatings, instrumentItems } from './support/assessment-helpers.js';
import { createTestApp, type TestApp } from './support/test-app.js';

/**
 * What a GET returns can be sent back in a PATCH: read-only fields are ignored, null is accepted
 * where the GET shows null, and sending a record back unchanged changes nothing. Fields that must
 * not be null refuse it with a 400 naming them. (Every request here is also checked against the
 * served document: the GET bodies sent back conform to the PATCH schemas.)
 */

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

let t: TestApp;
let f: Factories;
let facility: TestFacility;
let admin: TestUser;
let security: TestUser;
let psychologist: TestUser;
let countersigner: TestUser;
let pve: TestUser;
let supervisor: TestUser;

beforeAll(async () => {
  t = await createTestApp();
  f = new Factories(t);
  facility = await f.facility();
  admin = await f.user(['administrator']);
  security = await f.user(['security_officer'], [facility]);
  psychologist = await f.user(['psychologist'], [facility]);
  countersigner = await f.user(['psychologist'], [facility]);
  pve = await f.user(['pve_inspector'], [facility]);
  supervisor = await f.user(['supervisor'], [facility]);
  await f.certify(psychologist.id, 've-risk-spj');
});
afterAll(() => t.close());

/** GET then PATCH the same body back with the ETag as If-Match. */
async function roundTrip(url: string, user: TestUser): Promise<{ before: Json; after: Json }> {
  const read = await t.http.get(url).set('authorization', user.auth).expect(200);
  const sent = await t.http
    .patch(url)
    .set('authorization', user.auth)
    .set('if-match', read.headers.etag)
    .send(read.body);
  expect({ status: sent.status, body: sent.status === 200 ? 'ok' : sent.body }).toEqual({
    status: 200,
    body: 'ok',
  });
  return { before: read.body, after: sent.body };
}

const withoutStamps = ({ version: _v, updatedAt: _u, ...rest }: Json) => rest;

describe('a GET body sent back in a PATCH', () => {
  it('accounts: accepted, nothing changes (also an administrator’s own account)', async () => {
    const user = await f.user(['psychologist'], [facility]);
    const { before, after } = await roundTrip(`/api/v1/users/${user.id}`, admin);
    expect(after).toEqual(before);
    const own = await roundTrip(`/api/v1/users/${admin.id}`, admin);
    expect(own.after).toEqual(own.before);
  });

  it('prisoners: accepted with null where the GET shows null, nothing changes', async () => {
    const p = await f.prisoner(facility);
    const { before, after } = await roundTrip(`/api/v1/prisoners/${p.id}`, security);
    expect(before.expectedReleaseDate).toBeNull();
    expect(after).toEqual(before);
  });

  it('assessments: ratings with their labels, participation and the read-only rest; nothing changes', async () => {
    const p = await f.prisoner(facility);
    const draft = await t.http
      .post(`/api/v1/prisoners/${p.id}/assessments`)
      .set('authorization', psychologist.auth)
      .send({ instrumentKey: 've-risk-spj', instrumentVersion: '1.0.0', reason: 'intake' })
      .expect(201);
    const items = await instrumentItems(t, psychologist.auth, 've-risk-spj');
    await t.http
      .patch(`/api/v1/assessments/${draft.body.id}`)
      .set('authorization', psychologist.auth)
      .set('if-match', draft.headers.etag)
      .send({
        ratings: completeRatings(items),
        formulation: 'A formulation',
        prisonerParticipation: { informedOn: '2025-01-02', participated: 'yes' },
      })
      .expect(200);
    const { before, after } = await roundTrip(`/api/v1/assessments/${draft.body.id}`, psychologist);
    expect(Object.values(before.ratings as Json).some((r) => typeof r.label === 'string')).toBe(
      true,
    );
    expect(before.finalRiskLevel).toBeNull();
    const { history: _h, ...rest } = withoutStamps(after);
    const { history: _b, ...was } = withoutStamps(before);
    expect(rest).toEqual(was);
  });

  it('plans: goals, interventions, consent, agreement and release; and an active plan’s pending revision', async () => {
    const p = await f.prisoner(facility);
    const basedOnAssessmentId = await f.approvedAssessment(p, psychologist, countersigner, {
      instrumentKey: 've-needs',
      needs: [{ code: 'education', priority: 'medium' }],
    });
    let plan = (
      await t.http
        .post(`/api/v1/prisoners/${p.id}/plans`)
        .set('authorization', pve.auth)
        .send({ basedOnAssessmentId })
        .expect(201)
    ).body as Json;
    plan = (
      await t.http
        .patch(`/api/v1/plans/${plan.id}`)
        .set('authorization', pve.auth)
        .set('if-match', `"${plan.version}"`)
        .send({
          prisonerAgreement: { response: 'agreed', recordedOn: '2025-01-02' },
          interventions: plan.interventions.map((i: Json) => ({
            ...i,
            responsibleStaffId: pve.id,
            consent: { given: true, recordedOn: '2025-01-02', note: 'Agreed in session' },
          })),
        })
        .expect(200)
    ).body;
    const draft = await roundTrip(`/api/v1/plans/${plan.id}`, pve);
    expect(draft.before.prisonerAgreement.prisonerWords).toBeNull();
    expect(draft.after.interventions[0].responsibleStaff.id).toBe(pve.id);
    expect(withoutStamps(draft.after)).toEqual(withoutStamps(draft.before));

    // Active, with a pending revision (a goal added): both go back as they came.
    plan = draft.after;
    for (const [action, user] of [
      ['submit', pve],
      ['activate', supervisor],
    ] as const)
      plan = (
        await t.http
          .post(`/api/v1/plans/${plan.id}/${action}`)
          .set('authorization', user.auth)
          .set('if-match', `"${plan.version}"`)
          .expect(200)
      ).body;
    plan = (
      await t.http
        .patch(`/api/v1/plans/${plan.id}`)
        .set('authorization', pve.auth)
        .set('if-match', `"${plan.version}"`)
        .send({
          goals: [
            ...plan.goals,
            { needCode: 'education', description: 'Finish the literacy course' },
          ],
        })
        .expect(200)
    ).body;
    expect(plan.pendingRevision).not.toBeNull();
    const active = await roundTrip(`/api/v1/plans/${plan.id}`, pve);
    expect(withoutStamps(active.after)).toEqual(withoutStamps(active.before));
    const revision = await t.http
      .patch(`/api/v1/plans/${plan.id}/pending-revision`)
      .set('authorization', pve.auth)
      .set('if-match', `"${active.after.version}"`)
      .send(active.after.pendingRevision)
      .expect(200);
    expect(revision.body.pendingRevision.goals).toEqual(active.after.pendingRevision.goals);
  });
});

describe('null where a field may not be null: 400 naming the field, never 500', () => {
  it('account fields', async () => {
    const user = await f.user(['psychologist'], [facility]);
    for (const field of ['password', 'displayName', 'roles', 'facilityIds', 'active']) {
      const res = await t.http
        .patch(`/api/v1/users/${user.id}`)
        .set('authorization', admin.auth)
        .set('if-match', '"1"')
        .send({ [field]: null })
        .expect(400);
      expect(res.body.errors).toContainEqual({ path: field, message: `${field} must not be null` });
    }
  });

  it('a recorded consent or agreement is never erased; null is accepted while none is recorded', async () => {
    const p = await f.prisoner(facility);
    const basedOnAssessmentId = await f.approvedAssessment(p, psychologist, countersigner, {
      instrumentKey: 've-needs',
      needs: [{ code: 'education', priority: 'high' }],
    });
    let plan = (
      await t.http
        .post(`/api/v1/prisoners/${p.id}/plans`)
        .set('authorization', pve.auth)
        .send({ basedOnAssessmentId })
        .expect(201)
    ).body as Json;
    const patch = (body: Json) =>
      t.http
        .patch(`/api/v1/plans/${plan.id}`)
        .set('authorization', pve.auth)
        .set('if-match', `"${plan.version}"`)
        .send(body);
    plan = (
      await patch({
        prisonerAgreement: null,
        goals: plan.goals.map((g: Json) => ({ ...g, priority: null })),
        interventions: plan.interventions.map((i: Json) => ({ ...i, consent: null })),
      }).expect(200)
    ).body;
    expect(plan.prisonerAgreement).toBeNull();
    expect(plan.goals.map((g: Json) => g.priority)).toEqual(plan.goals.map(() => null));
    plan = (
      await patch({
        prisonerAgreement: { response: 'agreed', recordedOn: '2025-01-02' },
        interventions: plan.interventions.map((i: Json) => ({
          ...i,
          consent: { given: true, recordedOn: '2025-01-02' },
        })),
      }).expect(200)
    ).body;
    const refused = await patch({
      prisonerAgreement: null,
      interventions: plan.interventions.map((i: Json) => ({ ...i, consent: null })),
    }).expect(400);
    expect(refused.body.errors.map((e: Json) => e.path)).toEqual(
      expect.arrayContaining(['prisonerAgreement', 'interventions[0].consent']),
    );
  });
});
