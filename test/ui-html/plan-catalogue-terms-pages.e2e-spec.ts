import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { rmSync } from 'node:fs';
import { Factories, type TestFacility, type TestUser } from '../factories/index.js';
import { ruleSetsDir } from '../support/rule-sets-dir.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { textOf, UiClient } from './support/ui-client.js';

const past = (days: number) => new Date(Date.now() - days * 86400e3).toISOString().slice(0, 10);

/**
 * Issue 12 point 10: plan pages name intervention types and disciplines the message catalogue
 * does not know by the intervention catalogue's titles, in the page's language where the
 * catalogue gives one; and the review form offers the disciplines that catalogue declares.
 */
describe('plan pages on a catalogue that declares its own types and disciplines', () => {
  let t: TestApp;
  let f: Factories;
  let dir: string;
  let a: TestFacility;
  let pve: TestUser;
  let psychologist: TestUser;
  let supervisor: TestUser;
  let planId: string;

  beforeAll(async () => {
    dir = ruleSetsDir('vep-catalogue-terms-ui-');
    t = await createTestApp({ env: { RULE_SETS_DIR: dir } });
    f = new Factories(t);
    a = await f.facility({ code: 'CTU-A' });
    pve = await f.user(['pve_inspector'], [a]);
    psychologist = await f.user(['psychologist'], [a]);
    supervisor = await f.user(['supervisor'], [a]);
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
    let plan = (
      await t.http
        .post(`/api/v1/prisoners/${p.id}/plans`)
        .set('authorization', pve.auth)
        .send({ basedOnAssessmentId })
        .expect(201)
    ).body;
    planId = plan.id;
    plan = (
      await t.http
        .patch(`/api/v1/plans/${planId}`)
        .set('authorization', pve.auth)
        .set('if-match', String(plan.version))
        .send({
          prisonerAgreement: { response: 'agreed', prisonerWords: 'I agree', recordedOn: past(1) },
        })
        .expect(200)
    ).body;
    plan = (
      await t.http
        .post(`/api/v1/plans/${planId}/submit`)
        .set('authorization', pve.auth)
        .set('if-match', String(plan.version))
        .expect(200)
    ).body;
    await t.http
      .post(`/api/v1/plans/${planId}/activate`)
      .set('authorization', supervisor.auth)
      .set('if-match', String(plan.version))
      .expect(200);
  });
  afterAll(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const as = async (user: TestUser) => {
    const client = new UiClient(t);
    await client.signInAs(user);
    return client;
  };

  it('shows declared types and disciplines by the catalogue’s titles, known ones by the message catalogue', async () => {
    const client = await as(pve);
    const page = await client.get(`/plans/${planId}`);
    expect(page.statusCode).toBe(200);
    const text = textOf(page.body);
    for (const title of [
      'Restorative justice facilitator',
      'Restorative justice',
      'Aftercare worker',
      'Religious education',
      'Theologian',
    ])
      expect(text).toContain(title);
    // No raw code where the catalogue has a title.
    expect(text).not.toMatch(/restorative_facilitator|aftercare_worker|religious_education/);
  });

  it('uses the catalogue’s title in the page’s language, when it has one', async () => {
    const client = await as(pve);
    await client.get('/');
    await client.post('/language', { locale: 'ru', returnTo: '/' });
    const text = textOf((await client.get(`/plans/${planId}`)).body);
    expect(text).toContain('Теолог');
    expect(text).toContain('Восстановительное правосудие');
    expect(text).toContain('Специалист по сопровождению');
    expect(text).not.toContain('Theologian');
  });

  it('offers the catalogue’s disciplines as review attendees, and only those', async () => {
    // Another inspector: the one above now reads the pages in Russian.
    const client = await as(await f.user(['pve_inspector'], [a]));
    const form = await client.get(`/plans/${planId}/reviews/new`);
    expect(form.statusCode).toBe(200);
    const offered = [
      ...form.body.matchAll(/name="attendees" type="checkbox" value="([a-z_]+)"/g),
    ].map((m) => m[1]);
    expect(offered.sort()).toEqual(
      [
        'aftercare_worker',
        'psychologist',
        'pve_inspector',
        'restorative_facilitator',
        'theologian',
      ].sort(),
    );
    expect(textOf(form.body)).toContain('Theologian');
  });

  it('lists a review’s attendees by the catalogue’s titles', async () => {
    await t.http
      .post(`/api/v1/plans/${planId}/reviews`)
      .set('authorization', pve.auth)
      .send({
        date: past(0),
        attendees: ['restorative_facilitator', 'aftercare_worker'],
        summary: 'Agreed next steps',
        nextReviewDate: '2099-01-15',
      })
      .expect(201);
    const client = await as(await f.user(['pve_inspector'], [a]));
    const text = textOf((await client.get(`/plans/${planId}`)).body);
    expect(text).toContain('Restorative justice facilitator, Aftercare worker');
  });
});
