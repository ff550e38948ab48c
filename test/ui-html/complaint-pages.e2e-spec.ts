import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Page } from 'playwright-core';
import {
  Factories,
  type TestFacility,
  type TestPrisoner,
  type TestUser,
} from '../factories/index.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import {
  andWait,
  expectAccessible,
  startBrowserHarness,
  type BrowserHarness,
} from '../ui/harness.js';
import { signIn } from '../ui/prisoner-journey.js';
import { textOf, UiClient } from './support/ui-client.js';

const today = () => new Date().toISOString().slice(0, 10);
const WORDS = 'The night officer pushed me against the wall when I asked for my medicine.';
const CONFIDENTIAL = 'Told only to the visiting inspector: the corridor beatings continue.';

/**
 * Complaint pages (Mandela Rules 56-57) through forms without scripts: recorded by staff and
 * routed away from the staff it concerns, referred and answered by the supervisor it is
 * assigned to; a confidential one recorded by an inspector, which staff pages never show.
 */
describe('complaint pages', () => {
  let t: TestApp;
  let f: Factories;
  let a: TestFacility;
  let supervisor: TestUser;
  let deputy: TestUser;
  let officer: TestUser;
  let nightOfficer: TestUser;
  let prisoner: TestPrisoner;

  const as = async (user: TestUser) => {
    const client = new UiClient(t);
    await client.signInAs(user);
    return client;
  };

  beforeAll(async () => {
    t = await createTestApp();
    f = new Factories(t);
    a = await f.facility({ name: 'North facility' });
    supervisor = await f.user(['supervisor'], [a]);
    deputy = await f.user(['supervisor'], [a]);
    officer = await f.user(['security_officer'], [a]);
    nightOfficer = await f.user(['security_officer'], [a]);
    prisoner = await f.prisoner(a, { givenName: 'Arman', familyName: 'Sadykov' });
  });
  afterAll(() => t.close());

  it('staff record a complaint; the assigned supervisor refers and answers it; the officer sees the summary', async () => {
    const wing = await as(officer);
    const tab = await wing.get(`/prisoners/${prisoner.id}/complaints`);
    expect(tab.statusCode).toBe(200);
    expect(tab.body).toContain(`href="/prisoners/${prisoner.id}/complaints/new"`);
    expect(textOf(tab.body)).toContain('Record a complaint');
    const form = await wing.get(`/prisoners/${prisoner.id}/complaints/new`);
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain(`value="${nightOfficer.id}"`);
    const empty = await wing.post(`/prisoners/${prisoner.id}/complaints`, {
      receivedOn: today(),
      words: ' ',
    });
    expect(empty.statusCode).toBe(422);
    for (const message of [
      'Select who made the complaint',
      'Select what the complaint is about',
      'Select whether it alleges torture or ill-treatment',
      'Enter the complaint in the complainant’s words',
    ])
      expect(textOf(empty.body)).toContain(message);
    expect(
      await t.db.query(`SELECT 1 FROM complaint WHERE prisoner_id = $1`, [prisoner.id]),
    ).toEqual([]);
    const recorded = await wing.post(`/prisoners/${prisoner.id}/complaints`, {
      receivedOn: today(),
      madeBy: 'prisoner',
      subject: 'treatment_by_staff',
      allegesIllTreatment: 'yes',
      words: WORDS,
      concernsStaffIds: [nightOfficer.id, supervisor.id],
    });
    expect(recorded.statusCode).toBe(303);
    const href = String(recorded.headers.location);
    expect(href).toMatch(/^\/complaints\/[0-9a-f-]{36}$/);
    const summary = await wing.get(href);
    expect(summary.statusCode).toBe(200);
    expect(textOf(summary.body)).not.toContain('pushed me');
    expect(textOf(summary.body)).toContain('You see the summary of this complaint');
    expect(summary.body).not.toContain(`action="${href}/answer"`);
    expect(summary.body).not.toContain(`action="${href}/referrals"`);

    // The supervisor it concerns is not its handler, and reads the summary only.
    const concerned = await (await as(supervisor)).get(href);
    expect(textOf(concerned.body)).not.toContain('pushed me');
    expect(textOf(concerned.body)).not.toContain(nightOfficer.username);
    expect(concerned.body).not.toContain(`action="${href}/answer"`);
    expect(concerned.body).not.toContain(`action="${href}/referrals"`);

    const handler = await as(deputy);
    const queue = await handler.get('/complaints');
    expect(queue.body).toContain(`href="${href}"`);
    const nav = (await handler.get('/')).body;
    expect(nav).toContain('href="/complaints"');
    const page = textOf((await handler.get(href)).body);
    expect(page).toContain(WORDS);
    expect(page).toContain('Record its referral to an independent authority before answering');
    const early = await handler.post(`${href}/answer`, {
      outcome: 'not_upheld',
      response: 'Not borne out.',
    });
    expect(early.statusCode).toBe(422);
    expect(textOf(early.body)).toContain(
      'Record the referral to an independent authority before answering',
    );
    const badReferral = await handler.post(`${href}/referrals`, {
      authorityName: ' ',
      referredOn: '2000-01-01',
    });
    expect(badReferral.statusCode).toBe(422);
    expect(textOf(badReferral.body)).toContain('Select the kind of authority');
    expect(textOf(badReferral.body)).toContain('Enter the name of the authority');
    const referred = await handler.post(`${href}/referrals`, {
      authority: 'prosecutor',
      authorityName: 'Regional prosecutor',
      referredOn: today(),
      reference: 'PR-77',
    });
    expect(referred.statusCode).toBe(303);
    const answered = await handler.post(`${href}/answer`, {
      outcome: 'partly_upheld',
      response: 'Referred to the prosecutor; the officer is moved off night duty meanwhile.',
    });
    expect(answered.statusCode).toBe(303);
    const after = textOf((await handler.get(href)).body);
    expect(after).toContain('Partly upheld');
    expect(after).toContain('Regional prosecutor');

    // The officer it concerns then imposes a measure: the watch names it, in words.
    await f.measure(prisoner, nightOfficer);
    const watched = textOf((await handler.get(href)).body);
    expect(watched).toContain('Decided by staff the complaint concerns');
    const listed = textOf((await handler.get(`/prisoners/${prisoner.id}/complaints`)).body);
    expect(listed).toContain('1 by staff it concerns');
  });

  it('an inspector records a confidential complaint that no staff page shows', async () => {
    const inspector = await f.inspector([a]);
    const visit = await as(inspector);
    const tab = await visit.get(`/prisoners/${prisoner.id}/complaints`);
    expect(textOf(tab.body)).toContain('Record a confidential complaint');
    const form = await visit.get(`/prisoners/${prisoner.id}/complaints/new`);
    expect(textOf(form.body)).toContain('It is confidential');
    const recorded = await visit.post(`/prisoners/${prisoner.id}/complaints`, {
      receivedOn: today(),
      madeBy: 'prisoner',
      subject: 'treatment_by_staff',
      allegesIllTreatment: 'no',
      words: CONFIDENTIAL,
    });
    expect(recorded.statusCode).toBe(303);
    const href = String(recorded.headers.location);
    const own = textOf((await visit.get(href)).body);
    expect(own).toContain(CONFIDENTIAL);
    expect(own).toContain('An inspector (confidential)');
    expect(textOf((await visit.get('/complaints')).body)).toContain('Confidential');

    for (const user of [supervisor, deputy, officer]) {
      const staff = await as(user);
      expect((await staff.get(href)).statusCode).toBe(404);
      const list = (await staff.get(`/prisoners/${prisoner.id}/complaints`)).body;
      expect(list).not.toContain(href);
      expect(textOf(list)).not.toContain('Confidential');
      const queue = (await staff.get('/complaints?show=open')).body;
      expect(queue).not.toContain(href);
      const home = (await staff.get('/')).body;
      expect(home).not.toContain(href);
    }
    // The supervisor's audit page of the prisoner shows the staff complaint's events, never the
    // confidential one's.
    const staffComplaint = (
      await t.http
        .post(`/api/v1/prisoners/${prisoner.id}/complaints`)
        .set('authorization', officer.auth)
        .send({
          receivedOn: today(),
          madeBy: 'family',
          subject: 'family_contact',
          allegesIllTreatment: false,
          words: 'Visits were cancelled twice.',
        })
        .expect(201)
    ).body;
    const audit = await (await as(supervisor)).get(`/audit?prisoner=${prisoner.id}&limit=100`);
    expect(audit.statusCode).toBe(200);
    expect(audit.body).toContain(staffComplaint.id);
    expect(audit.body).not.toContain(href.split('/').pop());
    expect(audit.body).not.toContain('confidential_complaint');
  });
});

/** The complaint forms in Chromium without JavaScript, axe on every state. */
describe('complaint pages without JavaScript: axe', () => {
  let h: BrowserHarness;
  let officer: TestUser;
  let supervisor: TestUser;
  let inspector: TestUser;
  let prisonerId: string;

  beforeAll(async () => {
    h = await startBrowserHarness();
    const east = await h.f.facility({ name: 'East facility' });
    officer = await h.f.user(['security_officer'], [east]);
    supervisor = await h.f.user(['supervisor'], [east]);
    inspector = await h.f.inspector([east]);
    prisonerId = (await h.f.prisoner(east, { givenName: 'Arman', familyName: 'Sadykov' })).id;
  }, 120_000);
  afterAll(() => h.close());

  const click = (page: Page, name: string) =>
    andWait(page, () => page.getByRole('button', { name }).first().click());

  it('records, refers and answers a complaint; every page and error state passes axe', async () => {
    const { page } = await h.newPage({ javaScriptEnabled: false });
    await signIn(page, officer);
    await page.goto(`/prisoners/${prisonerId}/complaints`);
    await expectAccessible(page);
    await page.goto(`/prisoners/${prisonerId}/complaints/new`);
    await expectAccessible(page);
    await click(page, 'Record the complaint');
    expect(await page.locator('.govuk-error-summary').textContent()).toContain(
      'Select who made the complaint',
    );
    await expectAccessible(page);
    await page.getByLabel('Their legal adviser', { exact: true }).check();
    await page.getByLabel('Conditions of detention', { exact: true }).check();
    await page.getByLabel('Yes', { exact: true }).check();
    await page.getByLabel('The complaint', { exact: true }).fill(WORDS);
    await click(page, 'Record the complaint');
    const href = new URL(page.url()).pathname;
    expect(href).toMatch(/^\/complaints\//);
    await expectAccessible(page);

    const { page: sup } = await h.newPage({ javaScriptEnabled: false });
    await signIn(sup, supervisor);
    await sup.goto(href);
    await expectAccessible(sup);
    await click(sup, 'Record the answer');
    expect(await sup.locator('.govuk-error-summary').textContent()).toContain('Select the outcome');
    await expectAccessible(sup);
    await click(sup, 'Record the referral');
    expect(await sup.locator('.govuk-error-summary').textContent()).toContain(
      'Select the kind of authority',
    );
    await expectAccessible(sup);
    await sup.getByLabel('National preventive mechanism', { exact: true }).check();
    await sup.getByLabel('Name of the authority').fill('NPM of the Republic');
    await click(sup, 'Record the referral');
    await sup.getByLabel('Not upheld', { exact: true }).check();
    await sup.getByLabel('Response', { exact: true }).fill('The conditions meet the standard.');
    await click(sup, 'Record the answer');
    expect(await sup.locator('main').textContent()).toContain('The conditions meet the standard.');
    await expectAccessible(sup);
    await sup.goto('/complaints?show=answered');
    await expectAccessible(sup);

    const { page: visit } = await h.newPage({ javaScriptEnabled: false });
    await signIn(visit, inspector);
    await visit.goto(`/prisoners/${prisonerId}/complaints/new`);
    await expectAccessible(visit);
  }, 240_000);
});
