import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DemoSeed } from '../src/demo/demo-seed.service.js';
import { completeRatings, instrumentItems } from './support/assessment-helpers.js';
import { createTestApp, type TestApp } from './support/test-app.js';

const PASSWORD = 'demo walkthrough passphrase';

/**
 * What a new user does on a fresh demo: sign in as the demo users and take an intake
 * assessment of a demo prisoner from draft to approved, then look at it as the other roles.
 */
describe('demo data and the walkthrough a new user would do', () => {
  let t: TestApp;
  const tokens = new Map<string, string>();

  beforeAll(async () => {
    t = await createTestApp({ env: { SEED_DEMO: 'true', DEMO_PASSWORD: PASSWORD } });
    for (const username of [
      'demo.admin',
      'demo.psychologist',
      'demo.psychologist2',
      'demo.pve',
      'demo.security',
      'demo.security.b',
      'demo.supervisor',
    ]) {
      const res = await t.http
        .post('/api/v1/auth/login')
        .send({ username, password: PASSWORD })
        .expect(200);
      tokens.set(username, `Bearer ${res.body.accessToken}`);
    }
  });
  afterAll(() => t.close());

  const as = (username: string) => tokens.get(username)!;

  it('seeds facilities, one user per role with their caseloads, and certified psychologists, once', async () => {
    const me = await t.http
      .get('/api/v1/auth/me')
      .set('authorization', as('demo.supervisor'))
      .expect(200);
    expect(me.body.facilities.map((f: { code: string }) => f.code)).toEqual(['DEMO-A', 'DEMO-B']);
    const users = await t.http
      .get('/api/v1/users')
      .query({ limit: 100 })
      .set('authorization', as('demo.admin'))
      .expect(200);
    const psychologist = users.body.items.find(
      (u: { username: string }) => u.username === 'demo.psychologist',
    );
    expect(
      psychologist.certifications.map((c: { instrumentKey: string; current: boolean }) => [
        c.instrumentKey,
        c.current,
      ]),
    ).toEqual([['ve-risk-spj', true]]);
    const count = async () =>
      (
        await t.db.query(
          `SELECT (SELECT count(*) FROM app_user)::int AS users, (SELECT count(*) FROM prisoner)::int AS prisoners, (SELECT count(*) FROM certification)::int AS certs`,
        )
      )[0];
    const before = await count();
    await t.app.get(DemoSeed).run();
    expect(await count()).toEqual(before);
  });

  it('seeds fictional prisoners whose flags are derived', async () => {
    const list = await t.http
      .get('/api/v1/prisoners')
      .query({ q: 'DEMO-' })
      .set('authorization', as('demo.security'))
      .expect(200);
    const byNumber = Object.fromEntries(
      list.body.items.map((p: { prisonNumber: string; flags: unknown }) => [
        p.prisonNumber,
        p.flags,
      ]),
    );
    expect(byNumber).toEqual({
      'DEMO-0001': { under18: false, remand: false },
      'DEMO-0002': { under18: false, remand: true },
      'DEMO-0003': { under18: true, remand: false },
    });
  });

  it('takes an intake assessment of a demo prisoner from draft to approved', async () => {
    const found = await t.http
      .get('/api/v1/prisoners')
      .query({ q: 'DEMO-0001' })
      .set('authorization', as('demo.psychologist'))
      .expect(200);
    const prisonerId = found.body.items[0].id;
    const draft = await t.http
      .post(`/api/v1/prisoners/${prisonerId}/assessments`)
      .set('authorization', as('demo.psychologist'))
      .send({ instrumentKey: 've-risk-spj', instrumentVersion: '1.0.0', reason: 'intake' })
      .expect(201);
    const items = await instrumentItems(t, as('demo.psychologist'), 've-risk-spj');
    await t.http
      .patch(`/api/v1/assessments/${draft.body.id}`)
      .set('authorization', as('demo.psychologist'))
      .set('if-match', `"${draft.body.version}"`)
      .send({
        ratings: completeRatings(items),
        formulation: 'Engagement followed a period of isolation; no current intent identified.',
        finalRiskLevel: 'low',
        finalRationale: 'No current intent or capability; protective family ties.',
        recommendations: [{ text: 'Standard supervision', tag: 'security' }],
        prisonerParticipation: {
          informedOn: '2026-11-20',
          participated: 'yes',
          prisonerComments: 'Agrees with the summary',
        },
      })
      .expect(200);
    await t.http
      .post(`/api/v1/assessments/${draft.body.id}/submit`)
      .set('authorization', as('demo.psychologist'))
      .expect(200);
    const approved = await t.http
      .post(`/api/v1/assessments/${draft.body.id}/countersign`)
      .set('authorization', as('demo.psychologist2'))
      .send({ decision: 'approve', comments: 'Agreed' })
      .expect(200);
    expect(approved.body).toMatchObject({ status: 'approved', finalRiskLevel: 'low' });
    const security = await t.http
      .get(`/api/v1/assessments/${draft.body.id}`)
      .set('authorization', as('demo.security'))
      .expect(200);
    expect(security.body).toMatchObject({
      view: 'security',
      finalRiskLevel: 'low',
      recommendations: [{ text: 'Standard supervision', tag: 'security' }],
    });
    await t.http
      .get(`/api/v1/assessments/${draft.body.id}`)
      .set('authorization', as('demo.security.b'))
      .expect(404);
  });
  it('seeds an inspector appointed to DEMO-A: reads there, writes nothing', async () => {
    const login = await t.http
      .post('/api/v1/auth/login')
      .send({ username: 'demo.inspector', password: PASSWORD })
      .expect(200);
    const auth = `Bearer ${login.body.accessToken}`;
    const list = await t.http.get('/api/v1/prisoners?limit=100').set('authorization', auth);
    expect(list.status).toBe(200);
    expect(list.body.items.length).toBeGreaterThan(0);
    const codes = new Set(
      list.body.items.map((p: { facility: { code: string } }) => p.facility.code),
    );
    expect([...codes]).toEqual(['DEMO-A']);
    expect((await t.http.get('/api/v1/statistics').set('authorization', auth)).status).toBe(200);
    const write = await t.http
      .post(`/api/v1/prisoners/${list.body.items[0].id}/events`)
      .set('authorization', auth)
      .send({ type: 'new_information', occurredAt: new Date().toISOString() });
    expect(write.status).toBe(403);
  });
});
