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
  const post = (plan: Json, action: string, user: TestUser, body: Json = {}) =>
    t.http.post(`/api/v1/plans/${plan.id}/${action}`).set('authorization', user.auth).send(body);
  const read = (plan: Json, user = pve) =>
    t.http.get(`/api/v1/plans/${plan.id}`).set('authorization', user.auth);

  /** A plan made by `pve`, agreed by the prisoner, submitted and approved by `supervisor`. */
  const activePlan = async (p: TestPrisoner, needs: Need[] = NEEDS) => {
    let plan = await createPlan(p, pve, needs);
    plan = (await patch(plan, { prisonerAgreement: AGREEMENT }).expect(200)).body;
    await post(plan, 'submit', pve).expect(200);
    return (await post(plan, 'activate', supervisor).expect(200)).body as Json;
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
        catalogue: { key: 'handbook-interventions', version: '1.0.0' },
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
      const cases: [string, string][] = [
        ['00000000-0000-4000-8000-000000000000', 'assessment_not_approved'],
        [risk, 'not_a_needs_assessment'],
        [others, 'assessment_of_another_prisoner'],
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
        recordedBy: { id: pve.id },
      });
      expect(plan.release.tasks).toEqual([
        { description: 'Apply for identity documents', dueDate: null, status: 'open' },
      ]);

      plan = (await post(plan, 'submit', pve).expect(200)).body;
      expect(plan).toMatchObject({ status: 'pending_approval', submittedBy: { id: pve.id } });
      await post(plan, 'activate', pve).expect(403);
      plan = (await post(plan, 'activate', supervisor).expect(200)).body;
      expect(plan).toMatchObject({ status: 'active', approver: { id: supervisor.id } });
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

      const running = await post(after, 'complete', pve).expect(422);
      expect(running.body.errors[0].path).toMatch(/^interventions\[\d+\]\.status$/);
      await post(after, 'suspend', pve, { reason: 'Hospital admission' }).expect(200);
      await t.http
        .post(`/api/v1/plans/${plan.id}/sessions`)
        .set('authorization', pve.auth)
        .send({ date: past(0), attendance: 'cancelled' })
        .expect(409);
      await post(after, 'activate', supervisor).expect(200);
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
      await post(plan, 'submit', dual).expect(200);
      const refused = await post(plan, 'activate', dual).expect(403);
      expect(refused.body.detail).toMatch(/four eyes/);
      const [denied] = await t.db.query(
        `SELECT outcome FROM audit_event WHERE action = 'plan.transition' AND entity_id = $1`,
        [plan.id],
      );
      expect(denied).toBeDefined();

      const q = await f.prisoner(a);
      let other = await createPlan(q, pve);
      other = (await patch(other, { prisonerAgreement: AGREEMENT }).expect(200)).body;
      await post(other, 'submit', dual).expect(200);
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
      await post(plan, 'complete', pve).expect(409);
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
    it('makes a new revision for a material change and keeps the earlier one readable', async () => {
      const p = await f.prisoner(a);
      const plan = await activePlan(p);
      const goals = plan.goals.map(goalInput);
      goals[0].description = 'Recognise and question justifications for violence';
      const revised = (await patch(plan, { goals }).expect(200)).body;
      expect(revised).toMatchObject({ revision: 2, status: 'active' });
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
      expect(moved.revision).toBe(2);
      expect(moved.interventions[0].responsibleStaff).toEqual({
        id: pve2.id,
        displayName: `Test ${pve2.username}`,
      });

      const dropped = (
        await patch(moved, {
          interventions: moved.interventions.slice(1).map(asInput),
        }).expect(200)
      ).body;
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
      expect(revisions.body.items[1].supersededBy).toMatchObject({ id: pve.id });
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
      const [audit] = await t.db.query(
        `SELECT changed_fields, details FROM audit_event
         WHERE action = 'plan.update' AND entity_id = $1 AND details->>'revision' = '2'
         ORDER BY seq LIMIT 1`,
        [plan.id],
      );
      expect(audit).toEqual({
        changed_fields: ['goals.description'],
        details: { revision: 2, newRevision: true },
      });
    });
  });

  describe('psychologists', () => {
    it('add and change psychological interventions only, and record their sessions', async () => {
      const p = await f.prisoner(a);
      const plan = await activePlan(p);
      const goal = plan.goals[0].id;
      const added = await patch(
        plan,
        {
          interventions: [
            ...plan.interventions.map(asInput),
            {
              catalogueCode: 'psychological_support',
              goalIds: [goal],
              discipline: 'psychologist',
              frequency: 'P1W',
              plannedStart: past(0),
              status: 'scheduled',
              consent: { given: true, recordedOn: past(0), note: 'Informed consent discussed' },
            },
          ],
        },
        psychologist,
      ).expect(200);
      const support = added.body.interventions.at(-1);
      expect(support).toMatchObject({
        catalogueCode: 'psychological_support',
        consent: { given: true, recordedBy: { id: psychologist.id } },
      });
      const other = await patch(
        added.body,
        {
          interventions: added.body.interventions.map((i: Json) =>
            i.catalogueCode === 'education' ? { ...asInput(i), location: 'Library' } : asInput(i),
          ),
        },
        psychologist,
      ).expect(403);
      expect(other.body.detail).toMatch(/psychological interventions only/);
      await patch(
        added.body,
        { prisonerAgreement: { ...AGREEMENT, response: 'disagreed' } },
        psychologist,
      ).expect(403);

      const session = (interventionId: string) =>
        t.http
          .post(`/api/v1/plans/${plan.id}/sessions`)
          .set('authorization', psychologist.auth)
          .send({ interventionId, date: past(0), attendance: 'attended', engagement: 2 });
      await session(support.id).expect(201);
      const education = added.body.interventions.find((i: Json) => i.catalogueCode === 'education');
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
      await post(draft, 'submit', pve).expect(200);
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
      // A material change so that an earlier revision exists.
      const again = (await read(active).expect(200)).body;
      await patch(again, {
        goals: again.goals.map((g: Json, i: number) =>
          i === 1 ? { ...goalInput(g), targetDate: '2027-01-01' } : goalInput(g),
        ),
      }).expect(200);
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
      ])
        expect(all).not.toContain(`"${word}"`);
      // The same content does reach the full view.
      const full = JSON.stringify((await read(plan, supervisor).expect(200)).body);
      for (const secret of [SECRETS.goal, SECRETS.words, SECRETS.consent, SECRETS.task])
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
      await post(plan, 'submit', pve).expect(200);
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

      const rebased = (await patch(reviewed, { basedOnAssessmentId: latest }).expect(200)).body;
      expect(rebased).toMatchObject({ revision: 2, needsChanges: null, reviewRequired: false });
      expect(rebased.basedOnAssessment.id).toBe(latest);
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
            discipline: 'wizard',
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
