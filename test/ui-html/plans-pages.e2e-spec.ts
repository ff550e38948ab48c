import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  Factories,
  type TestFacility,
  type TestPrisoner,
  type TestUser,
} from '../factories/index.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { csrfToken, textOf, UiClient } from './support/ui-client.js';

const NEEDS = [
  { code: 'ideology', priority: 'high' as const },
  { code: 'education', priority: 'medium' as const },
  { code: 'family', priority: 'low' as const },
];
const today = () => new Date().toISOString().slice(0, 10);

/** The PVE inspector's and supervisor's plan pages through app.inject: forms, errors, rules. */
describe('plan pages', () => {
  let t: TestApp;
  let f: Factories;
  let a: TestFacility;
  let b: TestFacility;
  let pve: TestUser;
  let pve2: TestUser;
  let supervisor: TestUser;
  let security: TestUser;
  let psychologist: TestUser;
  let countersigner: TestUser;

  const as = async (user: TestUser) => {
    const client = new UiClient(t);
    await client.signInAs(user);
    return client;
  };
  const version = (html: string) => /name="version" value="(\d+)"/.exec(html)![1];

  /** A prisoner with an approved needs (and risk) assessment. */
  const prisonerWithNeeds = async (facility = a) => {
    const p = await f.prisoner(facility);
    const needs = await f.approvedAssessment(p, psychologist, countersigner, { needs: NEEDS });
    await f.approvedAssessment(p, psychologist, countersigner, {
      instrumentKey: 've-risk-spj',
      finalRiskLevel: 'high',
    });
    return { p, needs };
  };

  /** Starts a plan through the start page; returns the plan's id and the PVE's client. */
  const startPlan = async (p: TestPrisoner, user = pve) => {
    const client = await as(user);
    const start = await client.get(`/prisoners/${p.id}/plan/new`);
    expect(start.statusCode).toBe(200);
    const basedOn = /name="basedOnAssessmentId" value="([^"]+)"/.exec(start.body)![1];
    const created = await client.post(`/prisoners/${p.id}/plan/new`, {
      basedOnAssessmentId: basedOn,
    });
    expect(created.statusCode).toBe(303);
    const id = /^\/plans\/([0-9a-f-]{36})$/.exec(created.headers.location as string)![1];
    return { id, client };
  };

  beforeAll(async () => {
    t = await createTestApp();
    f = new Factories(t);
    a = await f.facility({ name: 'North facility' });
    b = await f.facility({ name: 'South facility' });
    pve = await f.user(['pve_inspector'], [a]);
    pve2 = await f.user(['pve_inspector'], [a]);
    supervisor = await f.user(['supervisor'], [a]);
    security = await f.user(['security_officer'], [a]);
    psychologist = await f.user(['psychologist'], [a]);
    countersigner = await f.user(['psychologist'], [a]);
  });
  afterAll(() => t.close());

  it('lists prisoners ready for a plan on the PVE home, and starts one from the needs assessment', async () => {
    const { p } = await prisonerWithNeeds();
    const client = await as(pve);
    const home = await client.get('/');
    expect(home.statusCode).toBe(200);
    expect(textOf(home.body)).toContain('Needs assessments with no plan yet');
    expect(home.body).toContain(`href="/prisoners/${p.id}/plan/new"`);
    const start = await client.get(`/prisoners/${p.id}/plan/new`);
    const text = textOf(start.body);
    expect(text).toContain('Violence-supportive thinking High');
    expect(text).toContain('Education Medium');
    const { id } = await startPlan(p);
    const plan = await client.get(`/plans/${id}`);
    expect(plan.statusCode).toBe(200);
    const planText = textOf(plan.body);
    expect(planText).toContain('Goal 1: Violence-supportive thinking');
    expect(planText).toContain('Cognitive-behavioural programme');
    expect(planText).toContain('Draft');
    const again = await client.get('/');
    expect(again.body).not.toContain(`href="/prisoners/${p.id}/plan/new"`);
    expect(again.body).toContain(`href="/plans/${id}"`);
  });

  it('changes a goal, adds an intervention from the catalogue searched by need, and removes one', async () => {
    const { p } = await prisonerWithNeeds();
    const { id, client } = await startPlan(p);
    const page = await client.get(`/plans/${id}`);
    const goalId = /href="\/plans\/[^/]+\/goals\/([0-9a-f-]{36})"/.exec(page.body)![1];
    const form = await client.get(`/plans/${id}/goals/${goalId}`);
    expect(form.statusCode).toBe(200);
    const bad = await client.post(`/plans/${id}/goals/${goalId}`, {
      version: version(form.body),
      needCode: 'ideology',
      description: '',
      priority: 'high',
      targetDate: '',
    });
    expect(bad.statusCode).toBe(422);
    expect(bad.body).toContain(
      '<a href="#description">Enter the goal, in at most 2,000 characters</a>',
    );
    const saved = await client.post(`/plans/${id}/goals/${goalId}`, {
      version: version(form.body),
      needCode: 'ideology',
      description: 'Question us-and-them thinking with the group',
      priority: 'medium',
      targetDate: '2027-06-30',
    });
    expect(saved.statusCode).toBe(303);
    const after = textOf((await client.get(`/plans/${id}`)).body);
    expect(after).toContain('Question us-and-them thinking with the group');
    expect(after).toContain('30 June 2027');

    const catalogue = await client.get(`/plans/${id}/interventions/add?need=employment`);
    expect(catalogue.statusCode).toBe(200);
    expect(textOf(catalogue.body)).toContain('Vocational training');
    expect(textOf(catalogue.body)).not.toContain('Individual psychological support');
    const added = await client.post(`/plans/${id}/interventions/add`, {
      version: version(catalogue.body),
      code: 'vocational_training',
    });
    expect(added.statusCode).toBe(303);
    const itemPath = added.headers.location as string;
    expect(itemPath).toMatch(new RegExp(`^/plans/${id}/interventions/[0-9a-f-]{36}$`));
    const item = await client.get(itemPath);
    expect(item.statusCode).toBe(200);
    const remove = await client.get(`${itemPath}/remove`);
    expect(remove.statusCode).toBe(200);
    const removed = await client.post(`${itemPath}/remove`, { version: version(remove.body) });
    expect(removed.statusCode).toBe(303);
    expect((await client.get(itemPath)).statusCode).toBe(404);
  });

  /** The page of the plan's intervention with a catalogue code (the plan page links to it). */
  const itemHref = async (planId: string, html: string, code: string) => {
    const [row] = await t.db.query(
      `SELECT id FROM plan_intervention WHERE plan_id = $1 AND catalogue_code = $2 AND removed_at IS NULL`,
      [planId, code],
    );
    const href = `/plans/${planId}/interventions/${row.id}`;
    expect(html).toContain(`href="${href}"`);
    return href;
  };

  it('respects a refusal: shown on every plan page, and scheduling shows the server’s reason beside the status', async () => {
    const { p } = await prisonerWithNeeds();
    const { id, client } = await startPlan(p);
    const page = await client.get(`/plans/${id}`);
    const faith = await itemHref(id, page.body, 'faith_ideological_dialogue');
    const consentForm = await client.get(`${faith}/consent`);
    expect(consentForm.statusCode).toBe(200);
    expect(textOf(consentForm.body)).toContain('Mandela Rule 65(3)');
    const missing = await client.post(`${faith}/consent`, {
      version: version(consentForm.body),
      given: '',
      recordedOn: today(),
    });
    expect(missing.statusCode).toBe(422);
    expect(missing.body).toContain('<a href="#given">Choose whether the prisoner consents</a>');
    const refused = await client.post(`${faith}/consent`, {
      version: version(consentForm.body),
      given: 'no',
      recordedOn: today(),
      note: 'Will not meet a religious representative',
    });
    expect(refused.statusCode).toBe(303);
    for (const url of [`/plans/${id}`, `/plans/${id}/agreement`, `/plans/${id}/release`, faith]) {
      const text = textOf((await client.get(url)).body);
      expect({
        url,
        shown: text.includes('The prisoner has refused interventions of this plan.'),
      }).toEqual({ url, shown: true });
      expect(text).toContain('Will not meet a religious representative');
    }
    const form = await client.get(faith);
    const goals = [
      ...form.body.matchAll(/name="goalIds" type="checkbox" value="([^"]+)" checked/g),
    ].map((m) => m[1]);
    const scheduled = await client.post(faith, {
      version: version(form.body),
      goalIds: goals[0],
      responsibleStaffId: '',
      provider: '',
      frequency: 'P2W',
      plannedStart: today(),
      plannedEnd: '',
      location: '',
      status: 'scheduled',
    });
    expect(scheduled.statusCode).toBe(422);
    // The service's own reason, linked from the summary and beside the status field.
    expect(scheduled.body).toMatch(
      /<a href="#status">The prisoner declined [^<]+respected[^<]+<\/a>/,
    );
    expect(scheduled.body).toMatch(/id="status-error"[\s\S]{0,200}The prisoner declined/);
    const [row] = await t.db.query(
      `SELECT status FROM plan_intervention WHERE plan_id = $1 AND catalogue_code = 'faith_ideological_dialogue' AND removed_at IS NULL`,
      [id],
    );
    expect(row.status).toBe('proposed');
  });

  /** A plan made through the pages, with consent and agreement, submitted: ready to decide. */
  const submittedPlan = async () => {
    const { p } = await prisonerWithNeeds();
    const { id, client } = await startPlan(p);
    const agreement = await client.get(`/plans/${id}/agreement`);
    const agreed = await client.post(`/plans/${id}/agreement`, {
      version: version(agreement.body),
      response: 'agreed',
      prisonerWords: 'I want to finish school',
      recordedOn: today(),
    });
    expect(agreed.statusCode).toBe(303);
    const check = await client.get(`/plans/${id}/submit`);
    expect(check.statusCode).toBe(200);
    const submitted = await client.post(`/plans/${id}/submit`, { version: version(check.body) });
    expect(submitted.statusCode).toBe(303);
    return { p, id, client };
  };

  it('refuses to submit an incomplete plan, naming each reason with a link to where it is fixed', async () => {
    const { p } = await prisonerWithNeeds();
    const { id, client } = await startPlan(p);
    const check = await client.get(`/plans/${id}/submit`);
    const refused = await client.post(`/plans/${id}/submit`, { version: version(check.body) });
    expect(refused.statusCode).toBe(422);
    expect(refused.body).toContain(
      `<a href="/plans/${id}/agreement">Record the prisoner’s response to the plan</a>`,
    );
    const stale = await client.post(`/plans/${id}/submit`, { version: '0' });
    expect(stale.statusCode).toBe(409);
  });

  it('lets a supervisor return a plan with comments, which its author reads; never their own', async () => {
    const { id, client } = await submittedPlan();
    const boss = await as(supervisor);
    const queue = await boss.get('/');
    expect(queue.body).toContain(`href="/plans/${id}/approve"`);
    const decision = await boss.get(`/plans/${id}/approve`);
    expect(decision.statusCode).toBe(200);
    expect(textOf(decision.body)).toContain('I want to finish school');
    const empty = await boss.post(`/plans/${id}/approve`, {
      version: version(decision.body),
      decision: 'return',
      comments: '',
    });
    expect(empty.statusCode).toBe(422);
    expect(empty.body).toContain('<a href="#comments">');
    const returned = await boss.post(`/plans/${id}/approve`, {
      version: version(decision.body),
      decision: 'return',
      comments: 'Add the family work the assessment recommends',
    });
    expect(returned.statusCode).toBe(303);
    const seen = textOf((await client.get(`/plans/${id}`)).body);
    expect(seen).toContain('Add the family work the assessment recommends');
    expect(seen).toMatch(/Returned by Test user\.\S+ on \d+ \w+ \d{4}/);
    expect(textOf((await client.get('/')).body)).toContain('Returned');

    // Someone who is both PVE inspector and supervisor cannot approve what they submitted.
    const dual = await f.user(['pve_inspector', 'supervisor'], [a]);
    const { p } = await prisonerWithNeeds();
    const own = await startPlan(p, dual);
    const agreement = await own.client.get(`/plans/${own.id}/agreement`);
    await own.client.post(`/plans/${own.id}/agreement`, {
      version: version(agreement.body),
      response: 'disagreed',
      recordedOn: today(),
    });
    const check = await own.client.get(`/plans/${own.id}/submit`);
    await own.client.post(`/plans/${own.id}/submit`, { version: version(check.body) });
    const page = await own.client.get(`/plans/${own.id}/approve`);
    expect(textOf(page.body)).toContain('another supervisor approves it (four eyes)');
    expect(page.body).not.toContain('name="decision"');
    const [{ version: current }] = await t.db.query(
      `SELECT version FROM programme_plan WHERE id = $1`,
      [own.id],
    );
    const forced = await own.client.post(`/plans/${own.id}/approve`, {
      version: String(current),
      decision: 'approve',
    });
    expect(forced.statusCode).toBe(403);
  });

  it('after approval records sessions and reviews, and a change becomes a revision shown side by side', async () => {
    const { id, client } = await submittedPlan();
    const boss = await as(supervisor);
    const decision = await boss.get(`/plans/${id}/approve`);
    const approved = await boss.post(`/plans/${id}/approve`, {
      version: version(decision.body),
      decision: 'approve',
    });
    expect(approved.statusCode).toBe(303);

    const page = await client.get(`/plans/${id}`);
    expect(textOf(page.body)).toContain('Active');
    const education = await itemHref(id, page.body, 'education');
    const form = await client.get(education);
    const goals = [
      ...form.body.matchAll(/name="goalIds" type="checkbox" value="([^"]+)" checked/g),
    ].map((m) => m[1]);
    const scheduled = await client.post(education, {
      version: version(form.body),
      goalIds: goals,
      responsibleStaffId: pve.id,
      provider: 'Regional college',
      frequency: 'P1W',
      plannedStart: today(),
      plannedEnd: '',
      location: 'Education block, room 2',
      status: 'scheduled',
    });
    expect(scheduled.statusCode).toBe(303);

    const sessionForm = await client.get(`/plans/${id}/sessions/new`);
    expect(sessionForm.statusCode).toBe(200);
    const interventionId =
      /<option value="([0-9a-f-]{36})">Basic and further education<\/option>/.exec(
        sessionForm.body,
      )![1];
    const noEngagement = await client.post(`/plans/${id}/sessions`, {
      interventionId,
      date: today(),
      attendance: 'attended',
      notes: 'Read a chapter together',
    });
    expect(noEngagement.statusCode).toBe(422);
    expect(noEngagement.body).toContain('<a href="#engagement">');
    const session = await client.post(`/plans/${id}/sessions`, {
      interventionId,
      date: today(),
      attendance: 'attended',
      engagement: '4',
      notes: 'Read a chapter together',
    });
    expect(session.statusCode).toBe(303);

    const reviewForm = await client.get(`/plans/${id}/reviews/new`);
    expect(reviewForm.statusCode).toBe(200);
    const goalField = /name="(goal-[0-9a-f-]{36}-status)"/.exec(reviewForm.body)![1];
    const review = await client.post(`/plans/${id}/reviews`, {
      date: today(),
      attendees: 'pve_inspector',
      [goalField]: 'in_progress',
      summary: 'Engaging well with education',
      nextReviewDate: '2099-01-01',
    });
    expect(review.statusCode).toBe(303);
    const after = textOf((await client.get(`/plans/${id}`)).body);
    expect(after).toContain('Read a chapter together');
    expect(after).toContain('Engaging well with education');

    // A material change on an active plan waits for approval as revision 2.
    const current = await client.get(`/plans/${id}`);
    const goalId = /href="\/plans\/[^/]+\/goals\/([0-9a-f-]{36})"/.exec(current.body)![1];
    const goalForm = await client.get(`/plans/${id}/goals/${goalId}`);
    const revised = await client.post(`/plans/${id}/goals/${goalId}`, {
      version: version(goalForm.body),
      needCode: 'ideology',
      description: 'A goal rewritten for revision two',
      priority: 'high',
      targetDate: '',
    });
    expect(revised.statusCode).toBe(303);
    const pending = await client.get(`/plans/${id}/pending-revision`);
    expect(pending.statusCode).toBe(200);
    const side = textOf(pending.body);
    expect(side).toContain('Revision 1 (current)');
    expect(side).toContain('Revision 2 (proposed)');
    expect(side).toMatch(/Goal Changed [^.]+ A goal rewritten for revision two/);
    const submit = await client.post(`/plans/${id}/pending-revision/submit`, {
      version: version(pending.body),
    });
    expect(submit.statusCode).toBe(303);
    const decide = await boss.get(`/plans/${id}/pending-revision`);
    const approve = await boss.post(`/plans/${id}/pending-revision/decide`, {
      version: version(decide.body),
      decision: 'approve',
    });
    expect(approve.statusCode).toBe(303);
    const revisions = await client.get(`/plans/${id}/revisions`);
    expect(revisions.body).toContain(`href="/plans/${id}/revisions/compare?from=1&amp;to=2"`);
    const compare = await client.get(`/plans/${id}/revisions/compare?from=1&to=2`);
    expect(textOf(compare.body)).toContain('A goal rewritten for revision two');
  });

  it('shows the security officer the logistics view only, and refuses the PVE pages as the API does', async () => {
    const { p, id } = await submittedPlan();
    const officer = await as(security);
    const page = await officer.get(`/plans/${id}`);
    expect(page.statusCode).toBe(200);
    const text = textOf(page.body);
    expect(text).toContain('What happens, when and where');
    expect(text).not.toContain('I want to finish school');
    expect(text).not.toContain('Goal 1');
    expect(text).toContain('Basic and further education');
    for (const url of [
      `/plans/${id}/agreement`,
      `/plans/${id}/release`,
      `/plans/${id}/submit`,
      `/plans/${id}/approve`,
      `/plans/${id}/goals/new`,
      `/plans/${id}/sessions/new`,
      `/plans/${id}/reviews/new`,
      `/prisoners/${p.id}/plan/new`,
    ]) {
      expect({ url, status: (await officer.get(url)).statusCode }).toEqual({ url, status: 403 });
    }
    const outsider = await as(await f.user(['pve_inspector'], [b]));
    for (const url of [`/plans/${id}`, `/plans/${id}/agreement`, `/plans/${id}/release`]) {
      expect({ url, status: (await outsider.get(url)).statusCode }).toEqual({ url, status: 404 });
    }
    expect((await outsider.get('/plans/not-a-uuid')).statusCode).toBe(404);
    const other = await as(pve2);
    await other.get(`/plans/${id}`);
    const noToken = await other.post(
      `/plans/${id}/agreement`,
      { response: 'agreed' },
      { csrf: false },
    );
    expect(noToken.statusCode).toBe(403);
    expect(csrfToken(noToken.body)).toBeDefined();
  });
});
