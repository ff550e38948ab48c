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
    expect(bad.body).toContain('<a href="#description">Enter the goal, in at most 2,000 characters</a>');
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
});
