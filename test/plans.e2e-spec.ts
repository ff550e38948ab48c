import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { defineAbilityFor } from '../src/access/ability.factory.js';
import type { RequestContext } from '../src/auth/request-context.js';
import { PlansService } from '../src/plans/plans.service.js';
import {
  Factories,
  type TestFacility,
  type TestPrisoner,
  type TestUser,
} from './factories/index.js';
import { createTestApp, type TestApp } from './support/test-app.js';

type Need = { code: string; priority: 'high' | 'medium' | 'low' };
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const NEEDS: Need[] = [
  { code: 'education', priority: 'medium' },
  { code: 'ideology', priority: 'high' },
  { code: 'family', priority: 'low' },
];

/** Strips what the server adds to an intervention, leaving what a PATCH sends back. */
const asInput = (i: Json) => ({
  id: i.id,
  catalogueCode: i.catalogueCode,
  goalIds: i.goalIds,
  discipline: i.discipline,
  responsibleStaffId: i.responsibleStaff?.id ?? null,
  provider: i.provider,
  frequency: i.frequency,
  plannedStart: i.plannedStart,
  plannedEnd: i.plannedEnd,
  location: i.location,
  status: i.status,
});
const goalInput = (g: Json) => ({
  id: g.id,
  needCode: g.needCode,
  description: g.description,
  targetDate: g.targetDate,
});
const AGREEMENT = {
  response: 'agreed',
  prisonerWords: 'I want to finish school and see my children',
  recordedOn: '2025-03-01',
};
const past = (days: number) => new Date(Date.now() - days * 86400e3).toISOString().slice(0, 10);

describe('programme plans', () => {
  let t: TestApp;
  let f: Factories;
  let a: TestFacility;
  let b: TestFacility;
  let pve: TestUser;
  let pve2: TestUser;
  let psychologist: TestUser;
  let security: TestUser;
  let supervisor: TestUser;
  let dual: TestUser;
  let assessor: TestUser;
  let countersigner: TestUser;

  beforeAll(async () => {
    t = await createTestApp();
    f = new Factories(t);
    a = await f.facility({ code: 'PL-A' });
    b = await f.facility({ code: 'PL-B' });
    pve = await f.user(['pve_inspector'], [a]);
    pve2 = await f.user(['pve_inspector'], [a]);
    psychologist = await f.user(['psychologist'], [a]);
    security = await f.user(['security_officer'], [a]);
    supervisor = await f.user(['supervisor'], [a]);
    dual = await f.user(['pve_inspector', 'supervisor'], [a]);
    assessor = await f.user(['psychologist'], [a]);
    countersigner = await f.user(['psychologist'], [a]);
  });
  afterAll(() => t.close());

  const needsAssessment = (p: TestPrisoner, needs: Need[] = NEEDS, approvedAt?: string) =>
    f.approvedAssessment(p, assessor, countersigner, {
      instrumentKey: 've-needs',
      needs,
      ...(approvedAt ? { approvedAt } : {}),
    });
  const riskAssessment = (p: TestPrisoner, level: string) =>
    f.approvedAssessment(p, assessor, countersigner, {
      instrumentKey: 've-risk-spj',
      finalRiskLevel: level,
    });

  const createPlan = async (p: TestPrisoner, user = pve, needs: Need[] = NEEDS) => {
    const basedOnAssessmentId = await needsAssessment(p, needs);
    const res = await t.http
      .post(`/api/v1/prisoners/${p.id}/plans`)
      .set('authorization', user.auth)
      .send({ basedOnAssessmentId });
    expect(res.status).toBe(201);
    return res.body as Json;
  };
  const patch = (plan: Json, body: Json, user = pve) =>
    t.http
      .patch(`/api/v1/plans/${plan.id}`)
      .set('authorization', user.auth)
      .set('if-match', String(plan.version))
      .send(body);
  /** A transition (or a pending revision's, `pending-revision/<action>`) on the version seen. */
  /** A step of the plan; steps without a body (submit, activate, approve) are sent without one. */
  const post = (plan: Json, action: string, user: TestUser, body?: Json) => {
    const request = t.http
      .post(`/api/v1/plans/${plan.id}/${action}`)
      .set('authorization', user.auth)
      .set('if-match', String(plan.version));
    return body === undefined ? request : request.send(body);
  };
  const read = (plan: Json, user = pve) =>
    t.http.get(`/api/v1/plans/${plan.id}`).set('authorization', user.auth);

  /** A plan made by `pve`, agreed by the prisoner, submitted and approved by `supervisor`. */
  const activePlan = async (p: TestPrisoner, needs: Need[] = NEEDS) => {
    let plan = await createPlan(p, pve, needs);
    plan = (await patch(plan, { prisonerAgreement: AGREEMENT }).expect(200)).body;
    plan = (await post(plan, 'submit', pve).expect(200)).body;
    return (await post(plan, 'activate', supervisor).expect(200)).body as Json;
  };
  /** A material change to an active plan, submitted by `pve` and approved by `supervisor`. */
  const revise = async (plan: Json, body: Json, author = pve) => {
    let revised = (await patch(plan, body, author).expect(200)).body;
    expect(revised.pendingRevision).toMatchObject({ status: 'draft' });
    revised = (await post(revised, 'pending-revision/submit', pve).expect(200)).body;
    return (await post(revised, 'pending-revision/approve', supervisor).expect(200)).body as Json;
  };
  const schedule = (plan: Json, code: string, consent?: Json) => {
    const interventions = plan.interventions.map((i: Json) =>
      i.catalogueCode === code
        ? { ...asInput(i), status: 'scheduled', ...(consent ? { consent } : {}) }
        : asInput(i),
    );
    return patch(plan, { interventions });
  };

  describe('creation from an approved needs assessment', () => {
    it('proposes goals by priority and the catalogue’s interventions, with intensity from the latest risk level', async () => {
      const p = await f.prisoner(a);
      await riskAssessment(p, 'high');
      const plan = await createPlan(p);
      expect(plan).toMatchObject({
        prisonerId: p.id,
        view: 'full',
        status: 'draft',
        revision: 1,
        version: 1,
        riskLevel: 'high',
        // The needs instrument names ^1.0.0: a new plan takes the newest active catalogue.
        catalogue: { key: 'handbook-interventions', version: '1.0.1' },
        basedOnAssessment: { instrumentKey: 've-needs' },
        riskAssessment: { instrumentKey: 've-risk-spj' },
        author: { id: pve.id },
        approver: null,
        prisonerAgreement: null,
        needsChanges: null,
        reviewRequired: false,
      });
      expect(plan.goals.map((g: Json) => [g.needCode, g.priority, g.status])).toEqual([
        ['ideology', 'high', 'not_started'],
        ['education', 'medium', 'not_started'],
        ['family', 'low', 'not_started'],
      ]);
      expect(plan.goals[0].description).toBe('Violence-supportive thinking');
      const [ideology, education, family] = plan.goals.map((g: Json) => g.id);
      expect(
        plan.interventions.map((i: Json) => [i.catalogueCode, i.goalIds, i.status, i.consent]),
      ).toEqual([
        ['cognitive_behavioural', [ideology], 'proposed', null],
        ['faith_ideological_dialogue', [ideology], 'proposed', null],
        ['civic_education', [ideology], 'proposed', null],
        ['education', [education], 'proposed', null],
        ['family_engagement', [family], 'proposed', null],
        ['release_preparation', [family], 'proposed', null],
      ]);
      const byCode = Object.fromEntries(plan.interventions.map((i: Json) => [i.catalogueCode, i]));
      expect(byCode.cognitive_behavioural).toMatchObject({
        discipline: 'psychologist',
        consentRequired: true,
        intensity: 'Individual delivery, twice weekly where possible.',
        frequency: 'P1W',
        dosage: { sessions: 20, frequency: 'P1W', duration: 'P5M' },
        type: 'cognitive_behavioural',
      });
      expect(byCode.faith_ideological_dialogue).toMatchObject({
        discipline: 'faith_advisor',
        consentRequired: true,
        type: 'faith_dialogue',
      });
      expect(byCode.education).toMatchObject({ consentRequired: false, intensity: null });
      const [audit] = await t.db.query(
        `SELECT changed_fields, details, prisoner_id, facility_id FROM audit_event
         WHERE action = 'plan.create' AND entity_id = $1`,
        [plan.id],
      );
      expect(audit).toMatchObject({ prisoner_id: p.id, facility_id: a.id });
      expect(audit.changed_fields).toEqual([
        'basedOnAssessmentId',
        'goals',
        'interventions',
        'release',
      ]);
    });

    it('says so when there is no approved risk assessment, and keeps the catalogue’s default dosage', async () => {
      const p = await f.prisoner(a);
      const plan = await createPlan(p);
      expect(plan.riskLevel).toBeNull();
      expect(plan.riskAssessment).toBeNull();
      for (const i of plan.interventions) expect(i.intensity).toBeNull();
      const education = plan.interventions.find((i: Json) => i.catalogueCode === 'education');
      expect(education.dosage).toEqual({
        sessions: 48,
        frequency: 'P3D',
        sessionLength: 'PT2H',
        duration: 'P6M',
      });
      expect(education.plannedEnd > education.plannedStart).toBe(true);
    });

    it('refuses what is not the prisoner’s current approved needs assessment (422)', async () => {
      const p = await f.prisoner(a);
      const other = await f.prisoner(a);
      const risk = await riskAssessment(p, 'low');
      const others = await needsAssessment(other);
      const older = await needsAssessment(p, NEEDS, '2025-01-01T10:00:00Z');
      const current = await needsAssessment(p, NEEDS, '2025-02-01T10:00:00Z');
      const draft = await f.openAssessment(p, assessor);
      const cases: [string, string][] = [
        ['00000000-0000-4000-8000-000000000000', 'assessment_not_found'],
        [draft, 'assessment_not_found'],
        [risk, 'not_a_needs_assessment'],
        [others, 'assessment_not_found'],
        [older, 'assessment_not_current'],
      ];
      for (const [basedOnAssessmentId, code] of cases) {
        const res = await t.http
          .post(`/api/v1/prisoners/${p.id}/plans`)
          .set('authorization', pve.auth)
          .send({ basedOnAssessmentId })
          .expect(422);
        expect(res.body.code).toBe(code);
        expect(res.body.errors[0].path).toBe('basedOnAssessmentId');
      }
      const stale = await t.http
        .post(`/api/v1/prisoners/${p.id}/plans`)
        .set('authorization', pve.auth)
        .send({ basedOnAssessmentId: older });
      expect(stale.body.currentAssessmentId).toBe(current);
      const [{ n }] = await t.db.query(
        `SELECT count(*)::int AS n FROM programme_plan WHERE prisoner_id = $1`,
        [p.id],
      );
      expect(n).toBe(0);
    });

    it('allows one open plan per prisoner: a second gets 409 naming the open one', async () => {
      const p = await f.prisoner(a);
      const plan = await createPlan(p);
      const again = await t.http
        .post(`/api/v1/prisoners/${p.id}/plans`)
        .set('authorization', pve2.auth)
        .send({ basedOnAssessmentId: plan.basedOnAssessment.id })
        .expect(409);
      expect(again.body).toMatchObject({ code: 'plan_already_open', openPlanId: plan.id });
      await post(plan, 'close', pve, { reason: 'Made in error' }).expect(200);
      const next = await t.http
        .post(`/api/v1/prisoners/${p.id}/plans`)
        .set('authorization', pve2.auth)
        .send({ basedOnAssessmentId: plan.basedOnAssessment.id })
        .expect(201);
      const list = await t.http
        .get(`/api/v1/prisoners/${p.id}/plans`)
        .set('authorization', pve.auth)
        .expect(200);
      expect(list.body.items.map((i: Json) => [i.id, i.status])).toEqual([
        [next.body.id, 'draft'],
        [plan.id, 'closed'],
      ]);
    });

    it('serialises concurrent creations: exactly one plan is made', async () => {
      const p = await f.prisoner(a);
      const basedOnAssessmentId = await needsAssessment(p);
      const results = await Promise.all(
        [pve, pve2, pve].map((u) =>
          t.http
            .post(`/api/v1/prisoners/${p.id}/plans`)
            .set('authorization', u.auth)
            .send({ basedOnAssessmentId }),
        ),
      );
      expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409]);
    });
  });

  describe('lifecycle', () => {
    it('goes from an approved needs assessment to an active plan with sessions and a review', async () => {
      const p = await f.prisoner(a);
      await riskAssessment(p, 'moderate');
      let plan = await createPlan(p);

      const incomplete = await post(plan, 'submit', pve).expect(422);
      expect(incomplete.body.code).toBe('plan_incomplete');
      expect(incomplete.body.errors.map((e: Json) => e.path)).toEqual(['prisonerAgreement']);

      plan = (
        await patch(plan, {
          prisonerAgreement: AGREEMENT,
          release: {
            tasks: [{ description: 'Apply for identity documents', status: 'open' }],
            handovers: [
              {
                agency: 'Regional probation service',
                date: '2025-03-02',
                sharedWhat: 'Release address and plan summary',
                legalBasis: 'Probation Act s.12',
              },
            ],
          },
        }).expect(200)
      ).body;
      expect(plan.prisonerAgreement).toMatchObject({
        response: 'agreed',
        prisonerWords: AGREEMENT.prisonerWords,
        recordedBy: { id: pve.id, displayName: `Test ${pve.username}` },
      });
      expect(plan.release.tasks).toEqual([
        { description: 'Apply for identity documents', dueDate: null, status: 'open' },
      ]);

      plan = (await post(plan, 'submit', pve).expect(200)).body;
      // Each staff name is the named person's (the plan names them from app_user).
      expect(plan).toMatchObject({
        status: 'pending_approval',
        author: { id: pve.id, displayName: `Test ${pve.username}` },
        submittedBy: { id: pve.id, displayName: `Test ${pve.username}` },
      });
      await post(plan, 'activate', pve).expect(403);
      plan = (await post(plan, 'activate', supervisor).expect(200)).body;
      expect(plan).toMatchObject({
        status: 'active',
        approver: { id: supervisor.id, displayName: `Test ${supervisor.username}` },
      });
      expect(plan.nextReviewDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);

      const scheduled = await schedule(plan, 'education').expect(200);
      plan = scheduled.body;
      expect(plan.revision).toBe(1);
      const education = plan.interventions.find((i: Json) => i.catalogueCode === 'education');
      const session = await t.http
        .post(`/api/v1/plans/${plan.id}/sessions`)
        .set('authorization', pve.auth)
        .send({
          interventionId: education.id,
          date: past(1),
          attendance: 'attended',
          engagement: 4,
          notes: 'Worked through a literacy assessment',
        })
        .expect(201);
      expect(session.body).toMatchObject({
        interventionId: education.id,
        attendance: 'attended',
        engagement: 4,
        recordedBy: { id: pve.id },
      });
      await t.http
        .post(`/api/v1/plans/${plan.id}/sessions`)
        .set('authorization', pve.auth)
        .send({ date: past(1), attendance: 'refused' })
        .expect(201);

      const goal = plan.goals.find((g: Json) => g.needCode === 'education');
      const review = await t.http
        .post(`/api/v1/plans/${plan.id}/reviews`)
        .set('authorization', pve.auth)
        .send({
          date: past(0),
          attendees: ['pve_inspector', 'psychologist', 'education'],
          goalProgress: [{ goalId: goal.id, status: 'in_progress', note: 'Attends well' }],
          summary: 'Good start; keep the schedule',
          nextReviewDate: '2099-01-15',
        })
        .expect(201);
      expect(review.body).toMatchObject({ revision: 1, nextReviewDate: '2099-01-15' });

      const after = (await read(plan).expect(200)).body;
      expect(after.goals.find((g: Json) => g.id === goal.id).status).toBe('in_progress');
      expect(after).toMatchObject({ lastReviewDate: past(0), nextReviewDate: '2099-01-15' });
      expect(after.version).toBeGreaterThan(plan.version);

      const sessions = await t.http
        .get(`/api/v1/plans/${plan.id}/sessions`)
        .set('authorization', pve.auth)
        .expect(200);
      expect(sessions.body.items).toHaveLength(2);
      const reviews = await t.http
        .get(`/api/v1/plans/${plan.id}/reviews`)
        .set('authorization', supervisor.auth)
        .expect(200);
      expect(reviews.body.items.map((r: Json) => r.id)).toEqual([review.body.id]);

      const running = await post(after, 'complete', pve, {}).expect(422);
      expect(running.body.errors[0].path).toMatch(/^interventions\[\d+\]\.status$/);
      const suspended = (
        await post(after, 'suspend', pve, { reason: 'Hospital admission' }).expect(200)
      ).body;
      await t.http
        .post(`/api/v1/plans/${plan.id}/sessions`)
        .set('authorization', pve.auth)
        .send({ date: past(0), attendance: 'cancelled' })
        .expect(409);
      await post(suspended, 'activate', supervisor).expect(200);
      const done = (await read(plan).expect(200)).body;
      const stopped = done.interventions.map((i: Json) =>
        i.status === 'scheduled' ? { ...asInput(i), status: 'completed' } : asInput(i),
      );
      const finished = (await patch(done, { interventions: stopped }).expect(200)).body;
      const completed = await post(finished, 'complete', pve, { note: 'Goals met' }).expect(200);
      expect(completed.body).toMatchObject({ status: 'completed', completionNote: 'Goals met' });
      await patch(completed.body, { prisonerAgreement: AGREEMENT }).expect(409);
      await post(completed.body, 'close', pve, { reason: 'Already completed' }).expect(409);

      const transitions = await t.db.query(
        `SELECT details->>'from' AS "from", details->>'to' AS "to" FROM audit_event
         WHERE action = 'plan.transition' AND entity_id = $1 AND outcome = 'success' ORDER BY seq`,
        [plan.id],
      );
      expect(transitions).toEqual([
        { from: 'draft', to: 'pending_approval' },
        { from: 'pending_approval', to: 'active' },
        { from: 'active', to: 'suspended' },
        { from: 'suspended', to: 'active' },
        { from: 'active', to: 'completed' },
      ]);
    });

    it('never lets the author or submitter approve, whatever roles they hold (four eyes)', async () => {
      const p = await f.prisoner(a);
      let plan = await createPlan(p, dual);
      plan = (await patch(plan, { prisonerAgreement: AGREEMENT }, dual).expect(200)).body;
      plan = (await post(plan, 'submit', dual).expect(200)).body;
      const refused = await post(plan, 'activate', dual).expect(403);
      expect(refused.body.detail).toMatch(/four eyes/);
      const denied = await t.db.query(
        `SELECT actor_id, details FROM audit_event
         WHERE action = 'plan.transition' AND entity_id = $1 AND outcome = 'denied'`,
        [plan.id],
      );
      expect(denied).toEqual([
        { actor_id: dual.id, details: { from: 'pending_approval', to: 'active' } },
      ]);

      const q = await f.prisoner(a);
      let other = await createPlan(q, pve);
      other = (await patch(other, { prisonerAgreement: AGREEMENT }).expect(200)).body;
      other = (await post(other, 'submit', dual).expect(200)).body;
      await post(other, 'activate', dual).expect(403);
      await post(other, 'activate', supervisor).expect(200);
      await t.db
        .query(`UPDATE programme_plan SET approver_id = author_id WHERE id = $1`, [other.id])
        .then(
          () => {
            throw new Error('the database accepted an author as approver');
          },
          (e: Error) => expect(e.message).toMatch(/four_eyes/),
        );
    });

    it('answers 409 to transitions that do not apply to the plan’s status', async () => {
      const p = await f.prisoner(a);
      const plan = await createPlan(p);
      const res = await post(plan, 'activate', supervisor).expect(409);
      expect(res.body).toMatchObject({ code: 'invalid_transition', planStatus: 'draft' });
      await post(plan, 'suspend', pve, { reason: 'Not active yet' }).expect(409);
      await post(plan, 'complete', pve, {}).expect(409);
      await t.http
        .post(`/api/v1/plans/${plan.id}/reviews`)
        .set('authorization', pve.auth)
        .send({
          date: past(0),
          attendees: ['pve_inspector'],
          summary: 'x',
          nextReviewDate: '2099-01-01',
        })
        .expect(409);
    });

    it('returns a plan awaiting approval to its author with comments, kept on the plan', async () => {
      const p = await f.prisoner(a);
      let plan = await createPlan(p);
      plan = (await patch(plan, { prisonerAgreement: AGREEMENT }).expect(200)).body;
      expect(plan.returned).toBeNull();
      plan = (await post(plan, 'submit', pve).expect(200)).body;
      const comments = 'Add a goal for family contact before release';
      await post(plan, 'return', pve, { comments }).expect(403);
      const empty = await post(plan, 'return', supervisor, {}).expect(400);
      expect(empty.body.errors.map((e: Json) => e.path)).toEqual(['comments']);
      await post({ ...plan, version: plan.version - 1 }, 'return', supervisor, { comments }).expect(
        409,
      );
      const returned = await post(plan, 'return', supervisor, { comments }).expect(200);
      expect(returned.headers.etag).toBe(`"${returned.body.version}"`);
      expect(returned.body).toMatchObject({
        status: 'draft',
        submittedBy: null,
        returned: { by: { id: supervisor.id }, comments },
      });
      const events = await t.db.query(
        `SELECT details FROM audit_event
         WHERE action = 'plan.transition' AND entity_id = $1 AND outcome = 'success' ORDER BY seq`,
        [plan.id],
      );
      expect(events.at(-1).details).toMatchObject({ from: 'pending_approval', to: 'draft' });
      expect(JSON.stringify(events)).not.toContain(comments);
      expect((await read(returned.body, security).expect(200)).body).not.toHaveProperty('returned');
      await post(returned.body, 'return', supervisor, { comments }).expect(409);
      await post(returned.body, 'activate', supervisor).expect(409);
    });

    it('takes a plan awaiting approval back to draft when it is edited', async () => {
      const p = await f.prisoner(a);
      let plan = await createPlan(p);
      plan = (await patch(plan, { prisonerAgreement: AGREEMENT }).expect(200)).body;
      plan = (await post(plan, 'submit', pve).expect(200)).body;
      const edited = await patch(plan, {
        goals: plan.goals.map((g: Json) => ({ ...goalInput(g), targetDate: '2026-06-30' })),
      }).expect(200);
      expect(edited.body).toMatchObject({ status: 'draft', submittedBy: null, revision: 1 });
      await post(plan, 'activate', supervisor).expect(409);
    });
  });

  describe('consent (Mandela Rules 65(3) and 32(1)(b))', () => {
    it('refuses to schedule faith-based dialogue without recorded consent, naming the path', async () => {
      const p = await f.prisoner(a);
      const plan = await activePlan(p);
      const index = plan.interventions.findIndex(
        (i: Json) => i.catalogueCode === 'faith_ideological_dialogue',
      );
      const res = await schedule(plan, 'faith_ideological_dialogue').expect(422);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(res.body.code).toBe('consent_required');
      expect(res.body.errors).toEqual([
        { path: `interventions[${index}].status`, message: expect.stringMatching(/consent/) },
      ]);
      expect(res.body.detail).toMatch(/Faith-based or ideological dialogue/);
      const unchanged = (await read(plan).expect(200)).body;
      expect(unchanged.version).toBe(plan.version);
    });

    it('records a refusal and respects it; consent given later allows scheduling', async () => {
      const p = await f.prisoner(a);
      let plan = await activePlan(p);
      const refusal = { given: false, recordedOn: past(2), note: 'Does not want to see a cleric' };
      const faith = (x: Json) =>
        x.interventions.find((i: Json) => i.catalogueCode === 'faith_ideological_dialogue');
      const withConsent = (x: Json, consent: Json, status = 'proposed') =>
        x.interventions.map((i: Json) =>
          i.catalogueCode === 'faith_ideological_dialogue'
            ? { ...asInput(i), status, consent }
            : asInput(i),
        );
      plan = (await patch(plan, { interventions: withConsent(plan, refusal) }).expect(200)).body;
      expect(faith(plan)).toMatchObject({
        status: 'proposed',
        consent: {
          given: false,
          recordedOn: past(2),
          note: refusal.note,
          recordedBy: { id: pve.id },
        },
      });
      // The refusal stays when the item is sent back without consent.
      plan = (await patch(plan, { interventions: plan.interventions.map(asInput) }).expect(200))
        .body;
      expect(faith(plan).consent.given).toBe(false);
      const scheduled = await patch(plan, {
        interventions: plan.interventions.map((i: Json) =>
          i.catalogueCode === 'faith_ideological_dialogue'
            ? { ...asInput(i), status: 'scheduled' }
            : asInput(i),
        ),
      }).expect(422);
      expect(scheduled.body.detail).toMatch(/declined/);
      // A refusal is respected even where the catalogue does not require consent.
      const education = await patch(plan, {
        interventions: plan.interventions.map((i: Json) =>
          i.catalogueCode === 'education'
            ? { ...asInput(i), status: 'scheduled', consent: { given: false, recordedOn: past(1) } }
            : asInput(i),
        ),
      }).expect(422);
      expect(education.body.errors[0].path).toMatch(/^interventions\[\d+\]\.status$/);
      await patch(plan, {
        interventions: plan.interventions.map((i: Json) =>
          i.catalogueCode === 'faith_ideological_dialogue'
            ? { ...asInput(i), consent: null }
            : asInput(i),
        ),
      }).expect(400);
      const consented = await patch(plan, {
        interventions: withConsent(plan, { given: true, recordedOn: past(0) }, 'scheduled'),
      }).expect(200);
      expect(faith(consented.body)).toMatchObject({
        status: 'scheduled',
        consent: { given: true },
      });
      await t.db
        .query(
          `UPDATE plan_intervention SET consent_given = NULL, consent_recorded_on = NULL, consent_note = NULL
           WHERE id = $1`,
          [faith(consented.body).id],
        )
        .then(
          () => {
            throw new Error('the database accepted a scheduled intervention without consent');
          },
          (e: Error) => expect(e.message).toMatch(/consent/),
        );
    });

    it('refuses sessions of an intervention that is not scheduled', async () => {
      const p = await f.prisoner(a);
      const plan = await activePlan(p);
      const faith = plan.interventions.find(
        (i: Json) => i.catalogueCode === 'faith_ideological_dialogue',
      );
      const res = await t.http
        .post(`/api/v1/plans/${plan.id}/sessions`)
        .set('authorization', pve.auth)
        .send({ interventionId: faith.id, date: past(0), attendance: 'attended', engagement: 3 })
        .expect(422);
      expect(res.body.errors[0].path).toBe('interventionId');
    });
  });

  describe('revisions after activation', () => {
    it('makes a new revision for an approved material change and keeps the earlier one readable', async () => {
      const p = await f.prisoner(a);
      const plan = await activePlan(p);
      const goals = plan.goals.map(goalInput);
      goals[0].description = 'Recognise and question justifications for violence';
      const revised = await revise(plan, { goals });
      expect(revised).toMatchObject({ revision: 2, status: 'active', pendingRevision: null });
      expect(revised.revisedAt).toEqual(expect.any(String));
      expect(revised.goals[0]).toMatchObject({
        id: plan.goals[0].id,
        description: goals[0].description,
      });

      // Delivery changes (status, place, staff) are not a new plan.
      const moved = (
        await patch(revised, {
          interventions: revised.interventions.map((i: Json) => ({
            ...asInput(i),
            location: 'Education block',
            responsibleStaffId: pve2.id,
          })),
        }).expect(200)
      ).body;
      expect(moved).toMatchObject({ revision: 2, pendingRevision: null });
      expect(moved.interventions[0].responsibleStaff).toEqual({
        id: pve2.id,
        displayName: `Test ${pve2.username}`,
      });

      const dropped = await revise(moved, {
        interventions: moved.interventions.slice(1).map(asInput),
      });
      expect(dropped.revision).toBe(3);
      expect(dropped.interventions).toHaveLength(plan.interventions.length - 1);

      const revisions = await t.http
        .get(`/api/v1/plans/${plan.id}/revisions`)
        .set('authorization', pve.auth)
        .expect(200);
      expect(revisions.body.items.map((r: Json) => [r.revision, r.current])).toEqual([
        [3, true],
        [2, false],
        [1, false],
      ]);
      expect(revisions.body.items[1].supersededBy).toMatchObject({ id: supervisor.id });
      const first = await t.http
        .get(`/api/v1/plans/${plan.id}/revisions/1`)
        .set('authorization', supervisor.auth)
        .expect(200);
      expect(first.body).toMatchObject({ revision: 1, view: 'full' });
      expect(first.body.goals[0].description).toBe(plan.goals[0].description);
      expect(first.body.interventions).toHaveLength(plan.interventions.length);
      expect(first.body.supersededAt).toEqual(expect.any(String));
      await t.http
        .get(`/api/v1/plans/${plan.id}/revisions/9`)
        .set('authorization', pve.auth)
        .expect(404);
      await t.http
        .get(`/api/v1/plans/${plan.id}/revisions/99999999999`)
        .set('authorization', pve.auth)
        .expect(400);
      const [removed] = await t.db.query(
        `SELECT removed_at IS NOT NULL AS removed FROM plan_intervention WHERE id = $1`,
        [plan.interventions[0].id],
      );
      expect(removed.removed).toBe(true);
      const events = await t.db.query(
        `SELECT action, actor_id, changed_fields, details FROM audit_event
         WHERE entity_id = $1 AND outcome = 'success' AND (details->>'pendingRevision' = '2'
           OR (details->>'revision' = '2' AND NOT details ? 'pendingRevision'))
         ORDER BY seq`,
        [plan.id],
      );
      expect(events).toEqual([
        {
          action: 'plan.update',
          actor_id: pve.id,
          changed_fields: ['pendingRevision.goals.description'],
          details: { revision: 1, pendingRevision: 2 },
        },
        {
          action: 'plan.transition',
          actor_id: pve.id,
          changed_fields: ['pendingRevision.status', 'pendingRevision.submittedBy'],
          details: { pendingRevision: 2, from: 'draft', to: 'submitted' },
        },
        {
          action: 'plan.transition',
          actor_id: supervisor.id,
          changed_fields: ['goals.description', 'revision'],
          details: { pendingRevision: 2, from: 'submitted', to: 'approved', revision: 2 },
        },
        {
          action: 'plan.update',
          actor_id: pve.id,
          changed_fields: ['interventions.location', 'interventions.responsibleStaffId'],
          details: { revision: 2 },
        },
      ]);
    });
  });

  describe('psychologists', () => {
    it('add and change psychological interventions only, and record their sessions', async () => {
      const p = await f.prisoner(a);
      const plan = await activePlan(p);
      const goal = plan.goals[0].id;
      const support = {
        catalogueCode: 'psychological_support',
        goalIds: [goal],
        frequency: 'P1W',
        plannedStart: past(0),
        status: 'scheduled',
        consent: { given: true, recordedOn: past(0), note: 'Informed consent discussed' },
      };
      // Adding an intervention to an active plan is material: a pending revision, theirs.
      let proposed = (
        await patch(
          plan,
          { interventions: [...plan.interventions.map(asInput), support] },
          psychologist,
        ).expect(200)
      ).body;
      expect(proposed.pendingRevision).toMatchObject({
        author: { id: psychologist.id },
        changedFields: ['interventions'],
      });
      expect(proposed.pendingRevision.interventions.at(-1)).toMatchObject({
        catalogueCode: 'psychological_support',
        discipline: 'psychologist',
        consent: { given: true, recordedBy: { id: psychologist.id } },
      });
      const pendingSupport = proposed.pendingRevision.interventions.at(-1);
      const session = (interventionId: string) =>
        t.http
          .post(`/api/v1/plans/${plan.id}/sessions`)
          .set('authorization', psychologist.auth)
          .send({ interventionId, date: past(0), attendance: 'attended', engagement: 2 });
      // Not delivered before it is approved.
      const early = await session(pendingSupport.id).expect(409);
      expect(early.body).toMatchObject({ code: 'revision_pending', pendingRevision: 2 });
      const revised = proposed.pendingRevision.interventions.map((i: Json) =>
        i.id === pendingSupport.id ? { ...asInput(i), frequency: 'P2W' } : asInput(i),
      );
      proposed = (
        await t.http
          .patch(`/api/v1/plans/${plan.id}/pending-revision`)
          .set('authorization', psychologist.auth)
          .set('if-match', String(proposed.version))
          .send({ interventions: revised })
          .expect(200)
      ).body;
      const others = await t.http
        .patch(`/api/v1/plans/${plan.id}/pending-revision`)
        .set('authorization', psychologist.auth)
        .set('if-match', String(proposed.version))
        .send({
          interventions: proposed.pendingRevision.interventions.map((i: Json) =>
            i.catalogueCode === 'education' ? { ...asInput(i), frequency: 'P2W' } : asInput(i),
          ),
        })
        .expect(403);
      expect(others.body.detail).toMatch(/psychological interventions only/);
      await post(proposed, 'pending-revision/submit', psychologist).expect(403);
      proposed = (await post(proposed, 'pending-revision/submit', pve).expect(200)).body;
      const added = (await post(proposed, 'pending-revision/approve', supervisor).expect(200)).body;
      const approved = added.interventions.at(-1);
      expect(approved).toMatchObject({ id: pendingSupport.id, frequency: 'P2W' });

      const other = await patch(
        added,
        {
          interventions: added.interventions.map((i: Json) =>
            i.catalogueCode === 'education' ? { ...asInput(i), location: 'Library' } : asInput(i),
          ),
        },
        psychologist,
      ).expect(403);
      expect(other.body.detail).toMatch(/psychological interventions only/);
      await patch(
        added,
        { prisonerAgreement: { ...AGREEMENT, response: 'disagreed' } },
        psychologist,
      ).expect(403);

      await session(approved.id).expect(201);
      const education = added.interventions.find((i: Json) => i.catalogueCode === 'education');
      await session(education.id).expect(403);
      await t.http
        .post(`/api/v1/plans/${plan.id}/reviews`)
        .set('authorization', psychologist.auth)
        .send({
          date: past(0),
          attendees: ['psychologist'],
          summary: 'x',
          nextReviewDate: '2099-01-01',
        })
        .expect(403);
    });
  });

  describe('views', () => {
    const SECRETS = {
      goal: 'SECRET-GOAL reduce contact with the recruiter',
      words: 'SECRET-WORDS I only joined for my brother',
      consent: 'SECRET-CONSENT will talk to the imam only',
      session: 'SECRET-SESSION disclosed grief about his father',
      review: 'SECRET-REVIEW summary of progress',
      progress: 'SECRET-PROGRESS note on the goal',
      task: 'SECRET-TASK find a flat far from the old group',
      handover: 'SECRET-HANDOVER shared the risk summary',
      suspend: 'SECRET-SUSPEND reason for pausing',
      pending: 'SECRET-PENDING a goal proposed in a pending revision',
    };
    let plan: Json;
    let p: TestPrisoner;

    beforeAll(async () => {
      p = await f.prisoner(a);
      await riskAssessment(p, 'high');
      let draft = await createPlan(p);
      const goals = draft.goals.map(goalInput);
      goals[0].description = SECRETS.goal;
      draft = (
        await patch(draft, {
          goals,
          prisonerAgreement: { ...AGREEMENT, prisonerWords: SECRETS.words },
          release: {
            tasks: [{ description: SECRETS.task, status: 'open' }],
            handovers: [{ agency: 'Probation', date: past(3), sharedWhat: SECRETS.handover }],
          },
        }).expect(200)
      ).body;
      draft = (await post(draft, 'submit', pve).expect(200)).body;
      let active = (await post(draft, 'activate', supervisor).expect(200)).body;
      active = (
        await schedule(active, 'faith_ideological_dialogue', {
          given: true,
          recordedOn: past(1),
          note: SECRETS.consent,
        }).expect(200)
      ).body;
      active = (
        await patch(active, {
          interventions: active.interventions.map((i: Json) => ({
            ...asInput(i),
            location: 'Chapel meeting room',
            provider: 'Regional council of scholars',
            responsibleStaffId: pve.id,
          })),
        }).expect(200)
      ).body;
      const faith = active.interventions.find(
        (i: Json) => i.catalogueCode === 'faith_ideological_dialogue',
      );
      await t.http
        .post(`/api/v1/plans/${active.id}/sessions`)
        .set('authorization', pve.auth)
        .send({
          interventionId: faith.id,
          date: past(0),
          attendance: 'attended',
          engagement: 5,
          notes: SECRETS.session,
        })
        .expect(201);
      await t.http
        .post(`/api/v1/plans/${active.id}/reviews`)
        .set('authorization', pve.auth)
        .send({
          date: past(0),
          attendees: ['pve_inspector', 'faith_advisor'],
          goalProgress: [
            { goalId: active.goals[0].id, status: 'in_progress', note: SECRETS.progress },
          ],
          summary: SECRETS.review,
          nextReviewDate: '2099-02-01',
        })
        .expect(201);
      // An approved material change, so that an earlier revision exists, and a pending one.
      let again = await revise((await read(active).expect(200)).body, {
        goals: active.goals.map((g: Json, i: number) =>
          i === 1 ? { ...goalInput(g), targetDate: '2027-01-01' } : goalInput(g),
        ),
      });
      again = (
        await patch(again, {
          goals: again.goals.map((g: Json, i: number) =>
            i === 2 ? { ...goalInput(g), description: SECRETS.pending } : goalInput(g),
          ),
        }).expect(200)
      ).body;
      await post(again, 'suspend', supervisor, { reason: SECRETS.suspend }).expect(200);
      plan = (await read(again).expect(200)).body;
    });

    it('gives security officers exactly the logistics fields', async () => {
      const res = await read(plan, security).expect(200);
      expect(Object.keys(res.body).sort()).toEqual(
        [
          'id',
          'prisonerId',
          'view',
          'status',
          'revision',
          'version',
          'interventions',
          'approvedAt',
          'suspendedAt',
          'completedAt',
          'closedAt',
          'createdAt',
          'updatedAt',
        ].sort(),
      );
      expect(res.body).toMatchObject({ view: 'logistics', status: 'suspended', revision: 2 });
      for (const i of res.body.interventions) {
        expect(Object.keys(i).sort()).toEqual(
          [
            'id',
            'catalogueCode',
            'type',
            'discipline',
            'responsibleStaff',
            'provider',
            'frequency',
            'plannedStart',
            'plannedEnd',
            'location',
            'status',
          ].sort(),
        );
      }
      expect(res.body.interventions[0]).toMatchObject({
        location: 'Chapel meeting room',
        responsibleStaff: { id: pve.id },
      });
    });

    it('gives security officers session dates and attendance only, and no reviews', async () => {
      const sessions = await t.http
        .get(`/api/v1/plans/${plan.id}/sessions`)
        .set('authorization', security.auth)
        .expect(200);
      expect(sessions.body.items).toHaveLength(1);
      expect(Object.keys(sessions.body.items[0]).sort()).toEqual(
        ['attendance', 'date', 'id', 'interventionId'].sort(),
      );
      await t.http
        .get(`/api/v1/plans/${plan.id}/reviews`)
        .set('authorization', security.auth)
        .expect(403);
    });

    it('lets no goal, note, consent, agreement or release text reach a security officer by any endpoint', async () => {
      const bodies: string[] = [];
      const get = async (url: string, status = 200) => {
        const res = await t.http.get(url).set('authorization', security.auth);
        expect(res.status).toBe(status);
        bodies.push(JSON.stringify(res.body));
        return res.body;
      };
      await get(`/api/v1/plans/${plan.id}`);
      await get(`/api/v1/prisoners/${p.id}/plans`);
      await get(`/api/v1/plans/${plan.id}/sessions`);
      await get(`/api/v1/plans/${plan.id}/reviews`, 403);
      const revisions = await get(`/api/v1/plans/${plan.id}/revisions`);
      for (const r of revisions.items) {
        const old = await get(`/api/v1/plans/${plan.id}/revisions/${r.revision}`);
        expect(old.view).toBe('logistics');
        expect(old.goals).toBeUndefined();
      }
      const all = bodies.join('\n');
      for (const secret of Object.values(SECRETS)) expect(all).not.toContain(secret);
      for (const word of [
        'goals',
        'consent',
        'prisonerAgreement',
        'release',
        'notes',
        'engagement',
        'pendingRevision',
      ])
        expect(all).not.toContain(`"${word}"`);
      // The same content does reach the full view.
      const full = JSON.stringify((await read(plan, supervisor).expect(200)).body);
      for (const secret of [
        SECRETS.goal,
        SECRETS.words,
        SECRETS.consent,
        SECRETS.task,
        SECRETS.pending,
      ])
        expect(full).toContain(secret);
    });

    it('gives an emergency grant the holder’s own view, read only', async () => {
      const officerB = await f.user(['security_officer'], [b]);
      const pveB = await f.user(['pve_inspector'], [b]);
      await read(plan, officerB).expect(404);
      const grant = await f.grant(officerB, p);
      const logistics = await read(plan, officerB).expect(200);
      expect(logistics.body).toMatchObject({ view: 'logistics', emergencyAccessId: grant });
      expect(logistics.body.goals).toBeUndefined();
      await f.grant(pveB, p);
      const full = await read(plan, pveB).expect(200);
      expect(full.body.view).toBe('full');
      await patch(full.body, { prisonerAgreement: AGREEMENT }, pveB).expect(403);
      await post(full.body, 'close', pveB, { reason: 'Not mine to close' }).expect(403);
      const [event] = await t.db.query(
        `SELECT purpose, details FROM audit_event
         WHERE action = 'plan.read' AND entity_id = $1 AND actor_id = $2 AND outcome = 'success'`,
        [plan.id, officerB.id],
      );
      expect(event.details).toEqual({ emergencyAccessId: grant, view: 'logistics' });
      expect(event.purpose).toMatch(/Test grant/);
    });

    it('audits every read and change with field names, never content', async () => {
      const rows: Json[] = await t.db.query(
        `SELECT action, outcome, changed_fields, details FROM audit_event
         WHERE entity_id = $1 OR details->>'planId' = $1`,
        [plan.id],
      );
      const actions = new Set(rows.map((r) => r.action));
      for (const action of [
        'plan.create',
        'plan.read',
        'plan.update',
        'plan.transition',
        'plan_session.create',
        'plan_session.list',
        'plan_review.create',
        'plan_revision.list',
        'plan_revision.read',
      ])
        expect(actions).toContain(action);
      const text = JSON.stringify(rows);
      for (const secret of Object.values(SECRETS)) expect(text).not.toContain(secret);
    });
  });

  describe('needs assessed since the plan was made', () => {
    it('shows the needs added, resolved and changed, asks for a review, and lists it as due', async () => {
      const p = await f.prisoner(a);
      const basis = await needsAssessment(p, NEEDS, '2025-01-10T09:00:00Z');
      const created = await t.http
        .post(`/api/v1/prisoners/${p.id}/plans`)
        .set('authorization', pve.auth)
        .send({ basedOnAssessmentId: basis })
        .expect(201);
      let plan = (await patch(created.body, { prisonerAgreement: AGREEMENT }).expect(200)).body;
      plan = (await post(plan, 'submit', pve).expect(200)).body;
      plan = (await post(plan, 'activate', supervisor).expect(200)).body;
      expect(plan.needsChanges).toBeNull();

      const latest = await needsAssessment(p, [
        { code: 'ideology', priority: 'medium' },
        { code: 'education', priority: 'medium' },
        { code: 'employment', priority: 'high' },
      ]);
      const res = (await read(plan).expect(200)).body;
      expect(res.reviewRequired).toBe(true);
      expect(res.needsChanges).toMatchObject({
        basedOn: { id: basis },
        latest: { id: latest },
        added: ['employment'],
        resolved: ['family'],
        changed: [{ code: 'ideology', from: 'high', to: 'medium' }],
      });
      expect((await read(plan, security).expect(200)).body.needsChanges).toBeUndefined();

      const plans = t.app.get(PlansService);
      const ctxOf = (user: TestUser): RequestContext => {
        const actor = {
          id: user.id,
          username: user.username,
          displayName: user.username,
          roles: user.roles,
          facilityIds: user.facilityIds,
          sessionId: 'test',
          emergencyGrants: [],
        };
        return { actor, ability: defineAbilityFor(actor), requestId: 'test', ip: '127.0.0.1' };
      };
      const query = { before: '2100-01-01', limit: 100 };
      const due = await plans.duePlanReviews(ctxOf(pve), query);
      const item = due.find((d) => d.planId === plan.id);
      expect(item).toMatchObject({
        id: `plan_review:${plan.id}`,
        kind: 'plan_review',
        prisonerId: p.id,
        prisonNumber: p.prisonNumber,
        facilityId: a.id,
        reason: 'needs_changed',
        dueDate: new Date().toISOString().slice(0, 10),
      });
      const http = await t.http
        .get('/api/v1/reviews/due')
        .query({ before: '2100-01-01', limit: 100 })
        .set('authorization', pve.auth)
        .expect(200);
      expect(http.body.items).toContainEqual(item);
      const outsider = await f.user(['pve_inspector'], [b]);
      expect(
        (await plans.duePlanReviews(ctxOf(outsider), query)).map((d) => d.planId),
      ).not.toContain(plan.id);
      const sorted = [...due].sort((x, y) =>
        x.dueDate === y.dueDate ? (x.id < y.id ? -1 : 1) : x.dueDate < y.dueDate ? -1 : 1,
      );
      expect(due).toEqual(sorted);
      const page = await plans.duePlanReviews(ctxOf(pve), { ...query, limit: 1 });
      expect(page.length).toBeLessThanOrEqual(2);
      const rest = await plans.duePlanReviews(ctxOf(pve), {
        ...query,
        after: { dueDate: page[0].dueDate, id: page[0].id },
      });
      expect(rest.map((d) => d.id)).not.toContain(page[0].id);
      expect(await plans.duePlanReviews(ctxOf(pve), { ...query, facilityId: b.id })).toEqual([]);

      await t.http
        .post(`/api/v1/plans/${plan.id}/reviews`)
        .set('authorization', pve.auth)
        .send({
          date: past(0),
          attendees: ['pve_inspector'],
          summary: 'Needs reassessed; plan to be re-based',
          nextReviewDate: '2099-03-01',
        })
        .expect(201);
      const reviewed = (await read(plan).expect(200)).body;
      expect(reviewed.reviewRequired).toBe(false);
      expect(reviewed.needsChanges.added).toEqual(['employment']);
      const scheduled = (await plans.duePlanReviews(ctxOf(pve), query)).find(
        (d) => d.planId === plan.id,
      );
      expect(scheduled).toMatchObject({
        reason: 'scheduled',
        dueDate: '2099-03-01',
        overdue: false,
      });

      // Re-basing is material: it waits for approval, and the plan keeps its basis until then.
      const proposed = (await patch(reviewed, { basedOnAssessmentId: latest }).expect(200)).body;
      expect(proposed).toMatchObject({ revision: 1, basedOnAssessment: { id: basis } });
      expect(proposed.pendingRevision).toMatchObject({
        changedFields: ['basedOnAssessmentId'],
        basedOnAssessment: { id: latest },
      });
      const submitted = (await post(proposed, 'pending-revision/submit', pve).expect(200)).body;
      const rebased = (await post(submitted, 'pending-revision/approve', supervisor).expect(200))
        .body;
      expect(rebased).toMatchObject({ revision: 2, needsChanges: null, reviewRequired: false });
      expect(rebased.basedOnAssessment.id).toBe(latest);
    });
  });

  describe('a material change to an active plan waits for a supervisor', () => {
    const edit = (plan: Json, body: Json, user = pve) =>
      t.http
        .patch(`/api/v1/plans/${plan.id}/pending-revision`)
        .set('authorization', user.auth)
        .set('if-match', String(plan.version))
        .send(body);

    it('keeps the active revision governing delivery until the pending revision is approved', async () => {
      const p = await f.prisoner(a);
      let plan = (await schedule(await activePlan(p), 'education').expect(200)).body;
      const education = plan.interventions.find((i: Json) => i.catalogueCode === 'education');
      const family = plan.interventions.find((i: Json) => i.catalogueCode === 'family_engagement');
      const goals = plan.goals.map(goalInput);
      goals[0].description = 'Recognise and question justifications for violence';
      // One PATCH: a material change (a goal reworded, an intervention dropped) and a delivery
      // change (a place); the delivery change applies at once, the rest waits for approval.
      const proposed = await patch(plan, {
        goals,
        interventions: plan.interventions
          .filter((i: Json) => i.id !== family.id)
          .map((i: Json) =>
            i.id === education.id ? { ...asInput(i), location: 'Library' } : asInput(i),
          ),
      }).expect(200);
      plan = proposed.body;
      expect(plan).toMatchObject({ revision: 1, status: 'active' });
      expect(plan.goals[0].description).not.toBe(goals[0].description);
      expect(plan.interventions.map((i: Json) => i.id)).toContain(family.id);
      expect(plan.interventions.find((i: Json) => i.id === education.id).location).toBe('Library');
      expect(plan.pendingRevision).toMatchObject({
        revision: 2,
        status: 'draft',
        basedOnRevision: 1,
        author: { id: pve.id },
        submittedBy: null,
        changedFields: ['goals.description', 'interventions'],
      });
      expect(plan.pendingRevision.goals[0].description).toBe(goals[0].description);
      expect(plan.pendingRevision.interventions.map((i: Json) => i.id)).not.toContain(family.id);
      const [changeEvent] = await t.db.query(
        `SELECT changed_fields, details FROM audit_event
         WHERE action = 'plan.update' AND entity_id = $1 AND outcome = 'success' ORDER BY seq DESC LIMIT 1`,
        [plan.id],
      );
      expect(changeEvent.changed_fields).toEqual([
        'interventions.location',
        'pendingRevision.goals.description',
        'pendingRevision.interventions',
      ]);

      // Delivery still follows revision 1: a session of the intervention the revision drops.
      await t.http
        .post(`/api/v1/plans/${plan.id}/sessions`)
        .set('authorization', pve.auth)
        .send({ interventionId: education.id, date: past(0), attendance: 'absent' })
        .expect(201);
      // Readers of the full view see both, marked; the logistics view only what governs delivery.
      const other = (await read(plan, pve2).expect(200)).body;
      expect(other.pendingRevision).toMatchObject({ revision: 2, status: 'draft' });
      const logistics = (await read(plan, security).expect(200)).body;
      expect(logistics).not.toHaveProperty('pendingRevision');
      expect(logistics.interventions.map((i: Json) => i.id)).toContain(family.id);
      expect(JSON.stringify(logistics)).not.toContain('pendingRevision');

      // One pending revision at a time: a second material PATCH names it.
      const again = await patch(plan, { goals: plan.goals.map(goalInput).reverse() }).expect(409);
      expect(again.body).toMatchObject({ code: 'revision_pending', pendingRevision: 2 });
      // Its author edits it; nobody else does.
      await edit(plan, { goals: plan.pendingRevision.goals.map(goalInput) }, pve2).expect(403);
      const target = plan.pendingRevision.goals.map(goalInput);
      target[1].targetDate = '2027-06-30';
      plan = (await edit(plan, { goals: target }).expect(200)).body;
      expect(plan.pendingRevision.changedFields).toEqual([
        'goals.description',
        'goals.targetDate',
        'interventions',
      ]);
      expect(plan.revision).toBe(1);

      // Submitted on the version seen (If-Match), then frozen for its author.
      await t.http
        .post(`/api/v1/plans/${plan.id}/pending-revision/submit`)
        .set('authorization', pve.auth)
        .expect(428);
      await post({ ...plan, version: plan.version - 1 }, 'pending-revision/submit', pve).expect(
        409,
      );
      plan = (await post(plan, 'pending-revision/submit', pve).expect(200)).body;
      expect(plan.pendingRevision).toMatchObject({
        status: 'submitted',
        submittedBy: { id: pve.id },
      });
      await edit(plan, { goals: target }).expect(409);

      // Returned with comments, changed again by its author, submitted by a colleague.
      const comments = 'Keep the family work: the review found it helps';
      await post(plan, 'pending-revision/return', pve, { comments }).expect(403);
      plan = (await post(plan, 'pending-revision/return', supervisor, { comments }).expect(200))
        .body;
      expect(plan.pendingRevision).toMatchObject({
        status: 'returned',
        returnedBy: { id: supervisor.id },
        returnComments: comments,
      });
      plan = (
        await edit(plan, {
          interventions: plan.pendingRevision.interventions.map(asInput),
        }).expect(200)
      ).body;
      plan = (await post(plan, 'pending-revision/submit', pve2).expect(200)).body;
      expect(plan.pendingRevision.submittedBy).toMatchObject({ id: pve2.id });

      // Approval is tied to the version the approver saw.
      await t.http
        .post(`/api/v1/plans/${plan.id}/pending-revision/approve`)
        .set('authorization', supervisor.auth)
        .expect(428);
      for (const version of [plan.version - 1, plan.version + 1])
        await post({ ...plan, version }, 'pending-revision/approve', supervisor).expect(409);
      const approved = await post(plan, 'pending-revision/approve', supervisor).expect(200);
      expect(approved.headers.etag).toBe(`"${approved.body.version}"`);
      plan = approved.body;
      expect(plan).toMatchObject({ revision: 2, status: 'active', pendingRevision: null });
      expect(plan.revisedAt).toEqual(expect.any(String));
      expect(plan.goals[0].description).toBe(goals[0].description);
      expect(plan.goals[1].targetDate).toBe('2027-06-30');
      expect(plan.interventions.map((i: Json) => i.id)).not.toContain(family.id);
      // The delivery change made while it was pending is kept.
      expect(plan.interventions.find((i: Json) => i.id === education.id)).toMatchObject({
        location: 'Library',
        status: 'scheduled',
      });
      const revisions = await t.http
        .get(`/api/v1/plans/${plan.id}/revisions`)
        .set('authorization', pve.auth)
        .expect(200);
      expect(revisions.body.items.map((r: Json) => [r.revision, r.current])).toEqual([
        [2, true],
        [1, false],
      ]);
      const first = (
        await t.http
          .get(`/api/v1/plans/${plan.id}/revisions/1`)
          .set('authorization', pve.auth)
          .expect(200)
      ).body;
      expect(first.interventions.map((i: Json) => i.id)).toContain(family.id);
      expect(first.goals[0].description).not.toBe(goals[0].description);
      const decisions = await t.db.query(
        `SELECT actor_id, details->>'from' AS "from", details->>'to' AS "to" FROM audit_event
         WHERE action = 'plan.transition' AND entity_id = $1 AND outcome = 'success'
           AND details ? 'pendingRevision' ORDER BY seq`,
        [plan.id],
      );
      expect(decisions).toEqual([
        { actor_id: pve.id, from: 'draft', to: 'submitted' },
        { actor_id: supervisor.id, from: 'submitted', to: 'returned' },
        { actor_id: pve2.id, from: 'returned', to: 'submitted' },
        { actor_id: supervisor.id, from: 'submitted', to: 'approved' },
      ]);
    });

    it('is never approved by its author or submitter (four eyes)', async () => {
      const p = await f.prisoner(a);
      const plan = await activePlan(p);
      const goals = plan.goals.map(goalInput);
      goals[0].description = 'Reworded by a dual-role author';
      let pending = (await patch(plan, { goals }, dual).expect(200)).body;
      pending = (await post(pending, 'pending-revision/submit', pve).expect(200)).body;
      const byAuthor = await post(pending, 'pending-revision/approve', dual).expect(403);
      expect(byAuthor.body.detail).toMatch(/four eyes/);
      await post(pending, 'pending-revision/return', dual, {
        comments: 'Returning my own revision',
      }).expect(403);

      const q = await f.prisoner(a);
      const other = await activePlan(q);
      let submitted = (
        await patch(other, { goals: other.goals.map(goalInput).reverse() }).expect(200)
      ).body;
      submitted = (await post(submitted, 'pending-revision/submit', dual).expect(200)).body;
      await post(submitted, 'pending-revision/approve', dual).expect(403);
      const approved = await post(submitted, 'pending-revision/approve', supervisor).expect(200);
      expect(approved.body.revision).toBe(2);
      const denied = await t.db.query(
        `SELECT count(*)::int AS n FROM audit_event
         WHERE action = 'plan.transition' AND entity_id = ANY($1) AND outcome = 'denied'`,
        [[plan.id, other.id]],
      );
      expect(denied[0].n).toBe(3);
      // The database holds the same lines: four eyes, and a decided revision never changes.
      for (const [sql, id, error] of [
        [
          `UPDATE plan_revision_proposal SET status = 'approved', approver_id = author_id,
             approved_at = now() WHERE plan_id = $1`,
          plan.id,
          /four_eyes/,
        ],
        [
          `UPDATE plan_revision_proposal SET risk_level = 'low' WHERE plan_id = $1`,
          other.id,
          /never/,
        ],
        [`DELETE FROM plan_revision_proposal WHERE plan_id = $1`, plan.id, /never/],
      ] as const)
        await expect(t.db.query(sql, [id])).rejects.toThrow(error);
    });

    it('applies delivery and agreement changes at once, and withdraws a revision when asked or on close', async () => {
      const p = await f.prisoner(a);
      let plan = await activePlan(p);
      // Non-material: statuses, consent, staff, place, provider, goal priority and status,
      // the prisoner's agreement and the release section.
      plan = (
        await patch(plan, {
          goals: plan.goals.map((g: Json) => ({
            ...goalInput(g),
            priority: 'low',
            status: 'in_progress',
          })),
          interventions: plan.interventions.map((i: Json) => ({
            ...asInput(i),
            provider: 'Regional college',
            responsibleStaffId: pve2.id,
          })),
          prisonerAgreement: { ...AGREEMENT, response: 'disagreed' },
          release: { tasks: [{ description: 'Housing application', status: 'done' }] },
        }).expect(200)
      ).body;
      expect(plan).toMatchObject({ revision: 1, pendingRevision: null });
      expect(plan.goals.every((g: Json) => g.status === 'in_progress')).toBe(true);
      expect(plan.prisonerAgreement.response).toBe('disagreed');

      plan = (await patch(plan, { goals: plan.goals.map(goalInput).reverse() }).expect(200)).body;
      expect(plan.pendingRevision.changedFields).toEqual(['goals']);
      // Completing waits for the pending revision; withdrawing it ends it, without a new revision.
      const complete = await post(plan, 'complete', pve, {}).expect(409);
      expect(complete.body.code).toBe('revision_pending');
      await post(plan, 'pending-revision/withdraw', security, { reason: 'Not needed' }).expect(403);
      plan = (
        await post(plan, 'pending-revision/withdraw', pve2, {
          reason: 'Agreed at the case meeting',
        }).expect(200)
      ).body;
      expect(plan).toMatchObject({ revision: 1, pendingRevision: null });
      await post(plan, 'pending-revision/submit', pve).expect(404);

      plan = (await patch(plan, { goals: plan.goals.map(goalInput).reverse() }).expect(200)).body;
      expect(plan.pendingRevision.revision).toBe(2);
      plan = (await post(plan, 'close', supervisor, { reason: 'Transferred abroad' }).expect(200))
        .body;
      expect(plan).toMatchObject({ status: 'closed', revision: 1, pendingRevision: null });
      const [proposal] = await t.db.query(
        `SELECT count(*) FILTER (WHERE status = 'withdrawn')::int AS withdrawn,
           count(*) FILTER (WHERE status IN ('draft', 'submitted', 'returned'))::int AS open
         FROM plan_revision_proposal WHERE plan_id = $1`,
        [plan.id],
      );
      expect(proposal).toEqual({ withdrawn: 2, open: 0 });
    });
  });

  describe('safeguards', () => {
    it('takes the discipline from the catalogue entry, never from the client', async () => {
      const p = await f.prisoner(a);
      const plan = await createPlan(p);
      const faith = {
        catalogueCode: 'faith_ideological_dialogue',
        goalIds: [plan.goals[0].id],
        frequency: 'P1W',
        plannedStart: past(0),
        status: 'proposed',
      };
      const index = plan.interventions.length;
      const claimed = await patch(
        plan,
        {
          interventions: [
            ...plan.interventions.map(asInput),
            { ...faith, discipline: 'psychologist' },
          ],
        },
        psychologist,
      ).expect(400);
      expect(claimed.body.errors).toEqual([
        {
          path: `interventions[${index}].discipline`,
          message: expect.stringMatching(/faith_advisor/),
        },
      ]);
      const relabelled = await patch(plan, {
        interventions: plan.interventions.map((i: Json) =>
          i.catalogueCode === 'faith_ideological_dialogue'
            ? { ...asInput(i), discipline: 'psychologist' }
            : asInput(i),
        ),
      }).expect(400);
      expect(relabelled.body.errors[0].path).toMatch(/^interventions\[\d+\]\.discipline$/);
      // Without a discipline, the catalogue's; the answer still shows it, and can be sent back.
      const added = (
        await patch(plan, { interventions: [...plan.interventions.map(asInput), faith] }).expect(
          200,
        )
      ).body;
      expect(added.interventions.at(-1)).toMatchObject({
        catalogueCode: 'faith_ideological_dialogue',
        discipline: 'faith_advisor',
      });
      await patch(added, { interventions: added.interventions.map(asInput) }).expect(200);
      const [{ n }] = await t.db.query(
        `SELECT count(*)::int AS n FROM plan_intervention
         WHERE plan_id = $1 AND discipline = 'psychologist' AND catalogue_code = 'faith_ideological_dialogue'`,
        [plan.id],
      );
      expect(n).toBe(0);
      await t.db
        .query(`UPDATE plan_intervention SET discipline = 'psychologist' WHERE id = $1`, [
          added.interventions.at(-1).id,
        ])
        .then(
          () => {
            throw new Error('the database accepted a discipline other than the catalogue’s');
          },
          (e: Error) => expect(e.message).toMatch(/plan_intervention_discipline/),
        );
    });

    it('answers alike whether the assessment does not exist, is out of scope or of another prisoner', async () => {
      const p = await f.prisoner(a);
      const neighbour = await f.prisoner(a);
      const outside = await f.prisoner(b);
      const assessorB = await f.user(['psychologist'], [b]);
      const countersignerB = await f.user(['psychologist'], [b]);
      const cases = [
        '00000000-0000-4000-8000-000000000000',
        await needsAssessment(neighbour),
        await f.approvedAssessment(outside, assessorB, countersignerB, {
          instrumentKey: 've-needs',
          needs: NEEDS,
        }),
      ];
      const answers = [];
      for (const basedOnAssessmentId of cases) {
        const res = await t.http
          .post(`/api/v1/prisoners/${p.id}/plans`)
          .set('authorization', pve.auth)
          .send({ basedOnAssessmentId });
        const { status, code, title, detail, errors } = res.body;
        answers.push({ http: res.status, status, code, title, detail, errors });
      }
      expect(answers[0]).toMatchObject({ http: 422, code: 'assessment_not_found' });
      expect(answers[1]).toEqual(answers[0]);
      expect(answers[2]).toEqual(answers[0]);
    });

    it('refuses an older or newer version on PATCH, submit and activate (409), and a missing one (428)', async () => {
      const p = await f.prisoner(a);
      let plan = await createPlan(p);
      plan = (await patch(plan, { prisonerAgreement: AGREEMENT }).expect(200)).body;
      expect(plan.version).toBe(2);
      for (const version of [1, 3]) {
        const res = await patch({ ...plan, version }, { release: { tasks: [] } }).expect(409);
        expect(res.body).toMatchObject({ code: 'version_conflict', currentVersion: 2 });
        await post({ ...plan, version }, 'submit', pve).expect(409);
      }
      await t.http
        .post(`/api/v1/plans/${plan.id}/submit`)
        .set('authorization', pve.auth)
        .expect(428);
      plan = (await post(plan, 'submit', pve).expect(200)).body;
      for (const version of [plan.version - 1, plan.version + 1])
        await post({ ...plan, version }, 'activate', supervisor).expect(409);
      await t.http
        .post(`/api/v1/plans/${plan.id}/activate`)
        .set('authorization', supervisor.auth)
        .expect(428);
      const [row] = await t.db.query(`SELECT status, version FROM programme_plan WHERE id = $1`, [
        plan.id,
      ]);
      expect(row).toEqual({ status: 'pending_approval', version: plan.version });
      await post(plan, 'activate', supervisor).expect(200);
    });

    it('audits a PATCH that changes nothing, since its answer shows the plan', async () => {
      const p = await f.prisoner(a);
      const plan = await createPlan(p);
      const res = await t.http
        .patch(`/api/v1/plans/${plan.id}`)
        .set('authorization', pve.auth)
        .set('if-match', String(plan.version))
        .set('x-request-id', 'plan-patch-nothing')
        .send({ goals: plan.goals.map(goalInput) })
        .expect(200);
      expect(res.body.version).toBe(plan.version);
      const events = await t.db.query(
        `SELECT action, outcome, entity_id, prisoner_id, changed_fields FROM audit_event
         WHERE request_id = $1`,
        ['plan-patch-nothing'],
      );
      expect(events).toEqual([
        {
          action: 'plan.update',
          outcome: 'success',
          entity_id: plan.id,
          prisoner_id: p.id,
          changed_fields: [],
        },
      ]);
    });

    it('records one denied event for each refused request', async () => {
      const p = await f.prisoner(a);
      const plan = await activePlan(p);
      const outsider = await f.user(['pve_inspector'], [b]);
      const requests: [string, string, () => ReturnType<typeof t.http.get>, number][] = [
        ['plan.read', 'deny-read', () => t.http.get(`/api/v1/plans/${plan.id}`), 404],
        ['plan.list', 'deny-list', () => t.http.get(`/api/v1/prisoners/${p.id}/plans`), 404],
        [
          'plan_revision.list',
          'deny-revisions',
          () => t.http.get(`/api/v1/plans/${plan.id}/revisions`),
          404,
        ],
        [
          'plan_revision.read',
          'deny-revision',
          () => t.http.get(`/api/v1/plans/${plan.id}/revisions/1`),
          404,
        ],
        [
          'plan_session.list',
          'deny-sessions',
          () => t.http.get(`/api/v1/plans/${plan.id}/sessions`),
          404,
        ],
        [
          'plan_review.list',
          'deny-reviews',
          () => t.http.get(`/api/v1/plans/${plan.id}/reviews`),
          404,
        ],
      ];
      for (const [action, rid, request, expected] of requests) {
        await request()
          .set('authorization', outsider.auth)
          .set('x-request-id', rid)
          .expect(expected);
        const events = await t.db.query(
          `SELECT action, outcome, actor_id, prisoner_id FROM audit_event WHERE request_id = $1`,
          [rid],
        );
        expect(events).toEqual([
          { action, outcome: 'denied', actor_id: outsider.id, prisoner_id: p.id },
        ]);
      }
      const reviews = await t.http
        .get(`/api/v1/plans/${plan.id}/reviews`)
        .set('authorization', security.auth)
        .set('x-request-id', 'deny-reviews-logistics')
        .expect(403);
      expect(reviews.body.code).toBe('forbidden');
      const events = await t.db.query(
        `SELECT action, outcome FROM audit_event WHERE request_id = 'deny-reviews-logistics'`,
      );
      expect(events).toEqual([{ action: 'plan_review.list', outcome: 'denied' }]);
    });

    it('sends an ETag with every answer that carries a plan', async () => {
      const p = await f.prisoner(a);
      const tagged = (res: { headers: Record<string, string>; body: Json }) => {
        expect(res.headers.etag).toBe(`"${res.body.version}"`);
        return res.body;
      };
      const basedOnAssessmentId = await needsAssessment(p);
      let plan = tagged(
        await t.http
          .post(`/api/v1/prisoners/${p.id}/plans`)
          .set('authorization', pve.auth)
          .send({ basedOnAssessmentId })
          .expect(201),
      );
      tagged(await read(plan).expect(200));
      tagged(await read(plan, security).expect(200));
      plan = tagged(await patch(plan, { prisonerAgreement: AGREEMENT }).expect(200));
      plan = tagged(await post(plan, 'submit', pve).expect(200));
      plan = tagged(await post(plan, 'activate', supervisor).expect(200));
      plan = tagged(await post(plan, 'suspend', pve, { reason: 'Hospital admission' }).expect(200));
      plan = tagged(await post(plan, 'activate', supervisor).expect(200));
      plan = tagged(await patch(plan, { goals: plan.goals.map(goalInput).reverse() }).expect(200));
      plan = tagged(await post(plan, 'pending-revision/submit', pve).expect(200));
      plan = tagged(await post(plan, 'pending-revision/approve', supervisor).expect(200));
      plan = tagged(await patch(plan, { goals: plan.goals.map(goalInput).reverse() }).expect(200));
      plan = tagged(
        await t.http
          .patch(`/api/v1/plans/${plan.id}/pending-revision`)
          .set('authorization', pve.auth)
          .set('if-match', String(plan.version))
          .send({
            goals: plan.pendingRevision.goals.map((g: Json, i: number) =>
              i === 0 ? { ...goalInput(g), targetDate: '2028-01-31' } : goalInput(g),
            ),
          })
          .expect(200),
      );
      plan = tagged(await post(plan, 'pending-revision/submit', pve).expect(200));
      plan = tagged(
        await post(plan, 'pending-revision/return', supervisor, { comments: 'Not now' }).expect(
          200,
        ),
      );
      plan = tagged(
        await post(plan, 'pending-revision/withdraw', pve, { reason: 'Not now then' }).expect(200),
      );
      expect(tagged(await post(plan, 'complete', pve, {}).expect(200)).status).toBe('completed');
      const q = await f.prisoner(a);
      tagged(
        await post(await createPlan(q), 'close', pve, { reason: 'Made in error' }).expect(200),
      );
      const docs = (await t.http.get('/docs-json').expect(200)).body;
      for (const [path, method, status] of [
        ['/api/v1/prisoners/{id}/plans', 'post', '201'],
        ['/api/v1/plans/{id}', 'get', '200'],
        ['/api/v1/plans/{id}', 'patch', '200'],
        ['/api/v1/plans/{id}/submit', 'post', '200'],
        ['/api/v1/plans/{id}/activate', 'post', '200'],
        ['/api/v1/plans/{id}/suspend', 'post', '200'],
        ['/api/v1/plans/{id}/complete', 'post', '200'],
        ['/api/v1/plans/{id}/close', 'post', '200'],
        ['/api/v1/plans/{id}/pending-revision', 'patch', '200'],
        ['/api/v1/plans/{id}/pending-revision/submit', 'post', '200'],
        ['/api/v1/plans/{id}/pending-revision/approve', 'post', '200'],
        ['/api/v1/plans/{id}/pending-revision/return', 'post', '200'],
        ['/api/v1/plans/{id}/pending-revision/withdraw', 'post', '200'],
      ])
        expect(docs.paths[path]?.[method]?.responses[status]?.headers).toHaveProperty('ETag');
    });
  });

  describe('bad input', () => {
    it('answers 400 naming the fields, and 428/409 for If-Match', async () => {
      const p = await f.prisoner(a);
      const plan = await createPlan(p);
      const bad = await patch(plan, {
        goals: [
          { id: '00000000-0000-4000-8000-000000000001', needCode: 'astrology', description: 'x' },
        ],
        interventions: [
          {
            ...asInput(plan.interventions[0]),
            catalogueCode: 'exorcism',
            // Disciplines are the catalogue's, not a closed list: the DTO refuses what is no code.
            discipline: 'Wizard!',
            frequency: 'weekly',
            plannedStart: '2025-02-30',
          },
        ],
      }).expect(400);
      expect(bad.body.errors.map((e: Json) => e.path).sort()).toEqual([
        'interventions[0].discipline',
        'interventions[0].frequency',
        'interventions[0].plannedStart',
      ]);
      const refs = await patch(plan, {
        goals: [
          { id: '00000000-0000-4000-8000-000000000001', needCode: 'astrology', description: 'x' },
        ],
        interventions: [
          {
            ...asInput(plan.interventions[0]),
            id: '00000000-0000-4000-8000-000000000002',
            catalogueCode: 'exorcism',
            goalIds: [plan.goals[0].id],
            responsibleStaffId: '00000000-0000-4000-8000-000000000003',
            plannedEnd: '2000-01-01',
          },
        ],
      }).expect(400);
      expect(refs.body.errors.map((e: Json) => e.path).sort()).toEqual([
        'goals[0].id',
        'goals[0].needCode',
        'interventions[0].catalogueCode',
        'interventions[0].goalIds[0]',
        'interventions[0].id',
        'interventions[0].plannedEnd',
        'interventions[0].responsibleStaffId',
      ]);
      const dangling = await patch(plan, { goals: [] }).expect(400);
      expect(dangling.body.errors[0].path).toMatch(/^interventions\[0\]\.goalIds\[0\]$/);
      await patch(plan, { goals: null }).expect(400);
      await patch(plan, { unknown: 1 }).expect(400);
      await t.http
        .patch(`/api/v1/plans/${plan.id}`)
        .set('authorization', pve.auth)
        .send({ release: { tasks: [] } })
        .expect(428);
      const stale = await t.http
        .patch(`/api/v1/plans/${plan.id}`)
        .set('authorization', pve.auth)
        .set('if-match', '99')
        .send({ release: { tasks: [] } })
        .expect(409);
      expect(stale.body.code).toBe('version_conflict');
      await t.http.get('/api/v1/plans/not-a-uuid').set('authorization', pve.auth).expect(400);
      const missing = await t.http
        .post(`/api/v1/prisoners/${p.id}/plans`)
        .set('authorization', pve.auth)
        .send({})
        .expect(400);
      expect(missing.body.errors[0].path).toBe('basedOnAssessmentId');
      const unchanged = (await read(plan).expect(200)).body;
      expect(unchanged.version).toBe(plan.version);
    });

    it('checks sessions and reviews', async () => {
      const p = await f.prisoner(a);
      const plan = await activePlan(p);
      const session = (body: Json) =>
        t.http.post(`/api/v1/plans/${plan.id}/sessions`).set('authorization', pve.auth).send(body);
      const paths = async (body: Json) =>
        (await session(body).expect(400)).body.errors.map((e: Json) => e.path).sort();
      expect(await paths({ date: '2099-01-01', attendance: 'attended' })).toEqual([
        'date',
        'engagement',
      ]);
      expect(await paths({ date: past(0), attendance: 'absent', engagement: 3 })).toEqual([
        'engagement',
      ]);
      expect(await paths({ date: past(0), attendance: 'maybe', engagement: 9 })).toEqual([
        'attendance',
        'engagement',
      ]);
      expect(
        await paths({
          date: past(0),
          attendance: 'absent',
          interventionId: '00000000-0000-4000-8000-000000000000',
        }),
      ).toEqual(['interventionId']);
      const review = (body: Json) =>
        t.http.post(`/api/v1/plans/${plan.id}/reviews`).set('authorization', pve.auth).send(body);
      const res = await review({
        date: past(0),
        attendees: ['pve_inspector', 'pve_inspector'],
        goalProgress: [{ goalId: '00000000-0000-4000-8000-000000000000', status: 'achieved' }],
        summary: 'x',
        nextReviewDate: past(0),
      }).expect(400);
      expect(res.body.errors.map((e: Json) => e.path)).toEqual(['attendees']);
      const refs = await review({
        date: past(0),
        attendees: ['pve_inspector'],
        goalProgress: [{ goalId: '00000000-0000-4000-8000-000000000000', status: 'achieved' }],
        summary: 'x',
        nextReviewDate: past(0),
      }).expect(400);
      expect(refs.body.errors.map((e: Json) => e.path).sort()).toEqual([
        'goalProgress[0].goalId',
        'nextReviewDate',
      ]);
      const [{ n }] = await t.db.query(
        `SELECT (SELECT count(*) FROM plan_session WHERE plan_id = $1)
           + (SELECT count(*) FROM plan_review WHERE plan_id = $1) AS n`,
        [plan.id],
      );
      expect(Number(n)).toBe(0);
    });

    it('answers every malformed body with a 4xx problem and writes nothing (property)', async () => {
      const p = await f.prisoner(a);
      const open = await createPlan(p);
      const q = await f.prisoner(a);
      const closed = await createPlan(q);
      await post(closed, 'close', pve, { reason: 'Closed for the property test' }).expect(200);
      const TABLES = [
        'programme_plan',
        'plan_goal',
        'plan_intervention',
        'plan_revision',
        'plan_session',
        'plan_review',
        'plan_revision_proposal',
      ];
      const snapshot = async () =>
        (
          await t.db.query(
            `SELECT ${TABLES.map((x) => `(SELECT md5(coalesce(string_agg(t::text, ',' ORDER BY t::text), '')) FROM ${x} t) AS ${x}`).join(', ')}`,
          )
        )[0];
      // Targets refuse even a well-formed body: a stale If-Match, a closed plan, an open plan.
      const endpoints = [
        ['post', `/api/v1/prisoners/${p.id}/plans`],
        ['patch', `/api/v1/plans/${open.id}`],
        ['patch', `/api/v1/plans/${closed.id}`],
        ...['submit', 'activate', 'suspend', 'complete', 'close', 'sessions', 'reviews'].map(
          (action) => ['post', `/api/v1/plans/${closed.id}/${action}`],
        ),
        ['post', `/api/v1/plans/${open.id}/sessions`],
        ['post', `/api/v1/plans/${open.id}/reviews`],
        ['patch', `/api/v1/plans/${open.id}/pending-revision`],
        ...['submit', 'approve', 'return', 'withdraw'].map(
          (action) => ['post', `/api/v1/plans/${open.id}/pending-revision/${action}`] as const,
        ),
      ] as const;
      const field = fc.constantFrom(
        'basedOnAssessmentId',
        'goals',
        'interventions',
        'prisonerAgreement',
        'release',
        'interventionId',
        'date',
        'attendance',
        'engagement',
        'notes',
        'attendees',
        'goalProgress',
        'summary',
        'nextReviewDate',
        'reason',
        'note',
        'comments',
        'x',
      );
      const scalar = fc.oneof(
        fc.string(),
        fc.integer(),
        fc.double(),
        fc.boolean(),
        fc.constant(null),
        fc.constantFrom('2025-02-30', 'P1W', 'attended', 'scheduled', open.goals[0].id),
      );
      const item = fc.dictionary(
        fc.constantFrom(
          'id',
          'needCode',
          'description',
          'catalogueCode',
          'goalIds',
          'discipline',
          'frequency',
          'plannedStart',
          'status',
          'consent',
          'response',
          'recordedOn',
          'tasks',
          'goalId',
        ),
        fc.oneof(scalar, fc.array(scalar, { maxLength: 2 })),
        { maxKeys: 6 },
      );
      const value = fc.oneof(scalar, item, fc.array(fc.oneof(scalar, item), { maxLength: 3 }));
      const body = fc.oneof(
        fc.dictionary(field, value, { maxKeys: 6 }),
        fc.array(value, { maxLength: 2 }),
        fc.string(),
      );
      const before = await snapshot();
      await fc.assert(
        fc.asyncProperty(fc.nat(endpoints.length - 1), body, async (i, payload) => {
          const [method, path] = endpoints[i];
          const res = await (method === 'post' ? t.http.post(path) : t.http.patch(path))
            .set('authorization', pve.auth)
            .set('if-match', '999')
            .set('content-type', 'application/json')
            .send(JSON.stringify(payload));
          if (res.status >= 500 || res.status < 400)
            throw new Error(
              `${method} ${path} ${JSON.stringify(payload)}: ${res.status} ${res.text}`,
            );
          expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
        }),
        { numRuns: 300 },
      );
      expect(await snapshot()).toEqual(before);
    });

    it('never deletes plan rows and never changes recorded sessions', async () => {
      const p = await f.prisoner(a);
      const plan = await activePlan(p);
      await t.http
        .post(`/api/v1/plans/${plan.id}/sessions`)
        .set('authorization', pve.auth)
        .send({ date: past(0), attendance: 'absent' })
        .expect(201);
      for (const sql of [
        `DELETE FROM programme_plan WHERE id = $1`,
        `DELETE FROM plan_goal WHERE plan_id = $1`,
        `UPDATE plan_session SET attendance = 'attended', engagement = 5 WHERE plan_id = $1`,
      ]) {
        await expect(t.db.query(sql, [plan.id])).rejects.toThrow(/never/);
      }
    });
  });
});
