import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  Factories,
  type TestFacility,
  type TestPrisoner,
  type TestUser,
} from '../factories/index.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { CLINICAL, plantClinicalText, prisonerPages } from './support/planted.js';
import { UiClient } from './support/ui-client.js';

/** Text only the plan's full view may show: goals, consent, the prisoner's words, notes. */
const PROGRAMME = 'PROGRAMME-PLANTED-3c1d';
const today = () => new Date().toISOString().slice(0, 10);

/**
 * Clinical text planted in assessments and programme notes planted in a plan never reach the
 * security officer's or the administrator's pages; programme notes never the security
 * officer's (logistics view); clinical text never the PVE inspector's or supervisor's.
 */
describe('what each role’s pages never show', () => {
  let t: TestApp;
  let f: Factories;
  let a: TestFacility;
  let pve: TestUser;
  let supervisor: TestUser;
  let security: TestUser;
  let admin: TestUser;
  let prisoner: TestPrisoner;
  let planId: string;

  const as = async (user: TestUser) => {
    const client = new UiClient(t);
    await client.signInAs(user);
    return client;
  };
  const version = (html: string) => /name="version" value="(\d+)"/.exec(html)![1];

  beforeAll(async () => {
    t = await createTestApp();
    f = new Factories(t);
    a = await f.facility({ name: 'North facility' });
    pve = await f.user(['pve_inspector'], [a]);
    supervisor = await f.user(['supervisor'], [a]);
    security = await f.user(['security_officer'], [a]);
    admin = await f.user(['administrator']);
    const psychologist = await f.user(['psychologist'], [a]);
    const colleague = await f.user(['psychologist'], [a]);
    prisoner = await f.prisoner(a, { givenName: 'Arman', familyName: 'Sadykov' });
    const needs = await f.approvedAssessment(prisoner, psychologist, colleague, {
      needs: [
        { code: 'ideology', priority: 'high' },
        { code: 'education', priority: 'medium' },
      ],
    });
    const risk = await f.approvedAssessment(prisoner, psychologist, colleague, {
      instrumentKey: 've-risk-spj',
      finalRiskLevel: 'high',
    });
    await plantClinicalText(t, needs);
    await plantClinicalText(t, risk);

    // A plan made, agreed, approved and delivered through the pages, with programme notes in
    // every field that holds them.
    const client = await as(pve);
    const start = await client.get(`/prisoners/${prisoner.id}/plan/new`);
    const created = await client.post(`/prisoners/${prisoner.id}/plan/new`, {
      basedOnAssessmentId: /name="basedOnAssessmentId" value="([^"]+)"/.exec(start.body)![1],
    });
    planId = /\/plans\/([0-9a-f-]{36})$/.exec(created.headers.location as string)![1];
    const [goal] = await t.db.query(
      `SELECT id, need_code FROM plan_goal WHERE plan_id = $1 AND removed_at IS NULL ORDER BY position LIMIT 1`,
      [planId],
    );
    let form = await client.get(`/plans/${planId}/goals/${goal.id}`);
    await client.post(`/plans/${planId}/goals/${goal.id}`, {
      version: version(form.body),
      needCode: goal.need_code,
      description: `${PROGRAMME} goal`,
      priority: 'high',
      targetDate: '',
    });
    const [faith] = await t.db.query(
      `SELECT id FROM plan_intervention WHERE plan_id = $1 AND catalogue_code = 'faith_ideological_dialogue' AND removed_at IS NULL`,
      [planId],
    );
    form = await client.get(`/plans/${planId}/interventions/${faith.id}/consent`);
    await client.post(`/plans/${planId}/interventions/${faith.id}/consent`, {
      version: version(form.body),
      given: 'no',
      recordedOn: today(),
      note: `${PROGRAMME} consent conditions`,
    });
    form = await client.get(`/plans/${planId}/agreement`);
    await client.post(`/plans/${planId}/agreement`, {
      version: version(form.body),
      response: 'agreed',
      prisonerWords: `${PROGRAMME} in their words`,
      recordedOn: today(),
    });
    form = await client.get(`/plans/${planId}/release`);
    await client.post(`/plans/${planId}/release/handovers`, {
      version: version(form.body),
      agency: 'Probation',
      date: today(),
      sharedWhat: `${PROGRAMME} shared`,
      legalBasis: '',
    });
    form = await client.get(`/plans/${planId}/submit`);
    expect(
      (await client.post(`/plans/${planId}/submit`, { version: version(form.body) })).statusCode,
    ).toBe(303);
    const boss = await as(supervisor);
    form = await boss.get(`/plans/${planId}/approve`);
    await boss.post(`/plans/${planId}/approve`, {
      version: version(form.body),
      decision: 'approve',
    });
    const [education] = await t.db.query(
      `SELECT id FROM plan_intervention WHERE plan_id = $1 AND catalogue_code = 'education' AND removed_at IS NULL`,
      [planId],
    );
    form = await client.get(`/plans/${planId}/interventions/${education.id}`);
    const goals = [
      ...form.body.matchAll(/name="goalIds" type="checkbox" value="([^"]+)" checked/g),
    ].map((m) => m[1]);
    expect(
      (
        await client.post(`/plans/${planId}/interventions/${education.id}`, {
          version: version(form.body),
          goalIds: goals,
          responsibleStaffId: '',
          provider: 'Regional college',
          frequency: 'P1W',
          plannedStart: today(),
          plannedEnd: '',
          location: 'Education block',
          status: 'scheduled',
        })
      ).statusCode,
    ).toBe(303);
    await client.get(`/plans/${planId}/sessions/new`);
    expect(
      (
        await client.post(`/plans/${planId}/sessions`, {
          interventionId: education.id,
          date: today(),
          attendance: 'attended',
          engagement: '3',
          notes: `${PROGRAMME} session notes`,
        })
      ).statusCode,
    ).toBe(303);
    await client.get(`/plans/${planId}/reviews/new`);
    expect(
      (
        await client.post(`/plans/${planId}/reviews`, {
          date: today(),
          attendees: 'pve_inspector',
          summary: `${PROGRAMME} review summary`,
          nextReviewDate: '2099-01-01',
        })
      ).statusCode,
    ).toBe(303);
    // The planted notes are there for the full view.
    const full = (await client.get(`/plans/${planId}`)).body;
    for (const part of [
      'goal',
      'consent conditions',
      'in their words',
      'session notes',
      'review summary',
    ])
      expect(full).toContain(`${PROGRAMME} ${part}`);
  });
  afterAll(() => t.close());

  const walk = async (user: TestUser, urls: string[], marks: string[]) => {
    const client = await as(user);
    const leaks: { url: string; status: number; mark: string }[] = [];
    for (const url of urls) {
      const res = await client.get(url);
      for (const mark of marks)
        if (res.body.includes(mark)) leaks.push({ url, status: res.statusCode, mark });
    }
    return leaks;
  };

  const planPages = () => [
    `/plans/${planId}`,
    `/plans/${planId}/release`,
    `/plans/${planId}/revisions`,
    `/plans/${planId}/approve`,
    `/plans/${planId}/agreement`,
    `/plans/${planId}/submit`,
    `/plans/${planId}/sessions/new`,
    `/plans/${planId}/reviews/new`,
  ];

  it('the security officer’s pages show neither clinical text nor programme notes', async () => {
    const urls = [
      '/',
      '/prisoners',
      ...prisonerPages(prisoner.id),
      `/prisoners/${prisoner.id}/risk-summary`,
      `/prisoners/${prisoner.id}/edit`,
      `/prisoners/${prisoner.id}/transfer`,
      `/prisoners/${prisoner.id}/events/new`,
      `/prisoners/${prisoner.id}/plan/new`,
      ...planPages(),
    ];
    expect(await walk(security, urls, [CLINICAL, PROGRAMME])).toEqual([]);
    // The summary does show what the security view and the logistics view hold.
    const client = await as(security);
    const summary = (await client.get(`/prisoners/${prisoner.id}/risk-summary`)).body;
    expect(summary).toContain('Escort with two officers');
    expect(summary).toContain('Education block');
  });

  it('the administrator’s pages show neither clinical text nor programme notes', async () => {
    const urls = [
      '/',
      '/admin/users',
      `/admin/users/${pve.id}`,
      `/admin/users/${pve.id}/edit`,
      `/admin/users/${pve.id}/certifications/new`,
      '/admin/facilities',
      '/admin/rule-sets',
      '/admin/rule-sets/ve-risk-spj/diff',
      ...prisonerPages(prisoner.id),
      `/prisoners/${prisoner.id}/risk-summary`,
      ...planPages(),
    ];
    expect(await walk(admin, urls, [CLINICAL, PROGRAMME])).toEqual([]);
  });

  it('the PVE inspector’s and supervisor’s pages never show clinical text', async () => {
    const urls = [
      '/',
      ...prisonerPages(prisoner.id),
      `/prisoners/${prisoner.id}/plan/new`,
      ...planPages(),
      '/oversight/approvals',
      '/audit',
    ];
    expect(await walk(pve, urls, [CLINICAL])).toEqual([]);
    expect(await walk(supervisor, urls, [CLINICAL])).toEqual([]);
  });
});
