import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { rmSync } from 'node:fs';
import { Factories, type TestFacility, type TestUser } from './factories/index.js';
import { ruleSetsDir } from './support/rule-sets-dir.js';
import { createTestApp, type TestApp } from './support/test-app.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Json = Record<string, any>;

const past = (days: number) => new Date(Date.now() - days * 86400e3).toISOString().slice(0, 10);

/**
 * Issue 12 point 10: intervention types and disciplines are declared by the catalogue. A plan
 * from the fixture catalogue (restorative justice, aftercare, religious education by a
 * theologian) is made, edited, reviewed and delivered with no code change, and is checked
 * against the catalogue version it uses.
 */
describe('plans on a catalogue that declares its own types and disciplines', () => {
  let t: TestApp;
  let f: Factories;
  let dir: string;
  let a: TestFacility;
  let pve: TestUser;
  let psychologist: TestUser;
  let supervisor: TestUser;

  beforeAll(async () => {
    dir = ruleSetsDir('vep-catalogue-terms-');
    t = await createTestApp({ env: { RULE_SETS_DIR: dir } });
    f = new Factories(t);
    a = await f.facility({ code: 'CT-A' });
    pve = await f.user(['pve_inspector'], [a]);
    psychologist = await f.user(['psychologist'], [a]);
    supervisor = await f.user(['supervisor'], [a]);
  });
  afterAll(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const createPlan = async () => {
    const p = await f.prisoner(a);
    const basedOnAssessmentId = await f.approvedAssessment(p, psychologist, supervisor, {
      instrumentKey: 'reintegration-needs',
      finalRiskLevel: null,
      needs: [
        { code: 'harm_repair', priority: 'high' },
        { code: 'life_after_release', priority: 'high' },
        { code: 'violence_thinking', priority: 'high' },
      ],
    });
    const res = await t.http
      .post(`/api/v1/prisoners/${p.id}/plans`)
      .set('authorization', pve.auth)
      .send({ basedOnAssessmentId })
      .expect(201);
    return res.body as Json;
  };
  const patch = (plan: Json, body: Json) =>
    t.http
      .patch(`/api/v1/plans/${plan.id}`)
      .set('authorization', pve.auth)
      .set('if-match', String(plan.version))
      .send(body);
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
  const activate = async (plan: Json) => {
    let next = (
      await patch(plan, {
        prisonerAgreement: { response: 'agreed', prisonerWords: 'I agree', recordedOn: past(1) },
      }).expect(200)
    ).body;
    next = (
      await t.http
        .post(`/api/v1/plans/${plan.id}/submit`)
        .set('authorization', pve.auth)
        .set('if-match', String(next.version))
        .expect(200)
    ).body;
    return (
      await t.http
        .post(`/api/v1/plans/${plan.id}/activate`)
        .set('authorization', supervisor.auth)
        .set('if-match', String(next.version))
        .expect(200)
    ).body as Json;
  };

  it('proposes the catalogue’s entries with their declared types and disciplines', async () => {
    const plan = await createPlan();
    const byCode = Object.fromEntries(plan.interventions.map((i: Json) => [i.catalogueCode, i]));
    expect(byCode.restorative_dialogue).toMatchObject({
      type: 'restorative',
      discipline: 'restorative_facilitator',
    });
    expect(byCode.release_mentoring).toMatchObject({
      type: 'aftercare',
      discipline: 'aftercare_worker',
      phase: 'aftercare',
    });
    expect(byCode.theology_sessions).toMatchObject({
      type: 'religious_education',
      discipline: 'theologian',
      consentRequired: true,
    });
    // Sent back as read, the declared discipline is accepted.
    const same = await patch(plan, { interventions: plan.interventions.map(asInput) });
    expect(same.status).toBe(200);
  });

  it('refuses a discipline other than the entry’s, naming the field (400, nothing written)', async () => {
    const plan = await createPlan();
    const index = plan.interventions.findIndex(
      (i: Json) => i.catalogueCode === 'restorative_dialogue',
    );
    const interventions = plan.interventions.map(asInput);
    interventions[index] = { ...interventions[index], discipline: 'theologian' };
    const res = await patch(plan, { interventions }).expect(400);
    expect(res.body.errors).toEqual([
      expect.objectContaining({ path: `interventions[${index}].discipline` }),
    ]);
    // Not a code at all: refused by the DTO, naming the field too.
    interventions[index] = { ...interventions[index], discipline: 'Not A Code' };
    const bad = await patch(plan, { interventions }).expect(400);
    expect(bad.body.errors.map((e: Json) => e.path)).toContain(
      `interventions[${index}].discipline`,
    );
    const after = await t.http
      .get(`/api/v1/plans/${plan.id}`)
      .set('authorization', pve.auth)
      .expect(200);
    expect(after.body.version).toBe(plan.version);
  });

  it('takes review attendees from the catalogue the plan uses, refusing others by index', async () => {
    const plan = await activate(await createPlan());
    const review = (attendees: string[]) =>
      t.http
        .post(`/api/v1/plans/${plan.id}/reviews`)
        .set('authorization', pve.auth)
        .send({
          date: past(0),
          attendees,
          summary: 'Started restorative work',
          nextReviewDate: '2099-01-15',
        });
    const refused = await review(['theologian', 'faith_advisor', 'education']).expect(400);
    expect(refused.body.errors).toEqual([
      expect.objectContaining({ path: 'attendees[1]' }),
      expect.objectContaining({ path: 'attendees[2]' }),
    ]);
    const [{ count }] = await t.db.query(
      'SELECT count(*)::int AS count FROM plan_review WHERE plan_id = $1',
      [plan.id],
    );
    expect(count).toBe(0);
    const saved = await review(['pve_inspector', 'theologian', 'aftercare_worker']).expect(201);
    expect(saved.body.attendees).toEqual(['pve_inspector', 'theologian', 'aftercare_worker']);
  });

  it('lets psychologists record sessions of the disciplines the catalogue says they record, only', async () => {
    const plan = await activate(await createPlan());
    const scheduled = (
      await patch(plan, {
        interventions: plan.interventions.map((i: Json) =>
          ['thinking_skills', 'release_mentoring'].includes(i.catalogueCode)
            ? { ...asInput(i), status: 'scheduled' }
            : asInput(i),
        ),
      }).expect(200)
    ).body;
    const id = (code: string) =>
      scheduled.interventions.find((i: Json) => i.catalogueCode === code).id;
    const session = (user: TestUser, code: string) =>
      t.http
        .post(`/api/v1/plans/${plan.id}/sessions`)
        .set('authorization', user.auth)
        .send({ interventionId: id(code), date: past(1), attendance: 'attended', engagement: 3 });
    await session(psychologist, 'thinking_skills').expect(201);
    await session(psychologist, 'release_mentoring').expect(403);
    await session(pve, 'release_mentoring').expect(201);
  });
});
