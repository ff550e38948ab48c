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

/** A supervisor records a discharge and readmits from the prisoner's page, without JavaScript. */
describe('discharge pages', () => {
  let t: TestApp;
  let f: Factories;
  let a: TestFacility;
  let supervisor: TestUser;
  let officer: TestUser;
  let p: TestPrisoner;

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
    supervisor = await f.user(['supervisor'], [a]);
    officer = await f.user(['security_officer'], [a]);
    p = await f.prisoner(a, { givenName: 'Arman', familyName: 'Sadykov' });
  });
  afterAll(() => t.close());

  it('offers the discharge to supervisors only, refuses a stale form, then shows the banner', async () => {
    const officerClient = await as(officer);
    const officerView = await officerClient.get(`/prisoners/${p.id}`);
    expect(officerView.body).not.toContain(`href="/prisoners/${p.id}/discharge"`);
    expect((await officerClient.get(`/prisoners/${p.id}/discharge`)).statusCode).toBe(403);

    const client = await as(supervisor);
    const overview = await client.get(`/prisoners/${p.id}`);
    expect(overview.body).toContain(`href="/prisoners/${p.id}/discharge"`);
    const form = await client.get(`/prisoners/${p.id}/discharge`);
    expect(form.statusCode).toBe(200);
    const empty = await client.post(`/prisoners/${p.id}/discharge`, {
      version: version(form.body),
      dischargedOn: '',
    });
    expect(empty.statusCode).toBe(422);
    expect(empty.body).toContain('<a href="#dischargedOn">');
    expect(empty.body).toContain('<a href="#reason">');
    const stale = await client.post(`/prisoners/${p.id}/discharge`, {
      version: '99',
      dischargedOn: today(),
      reason: 'released',
    });
    expect(stale.statusCode).toBe(422);
    expect(textOf(stale.body)).toContain('Someone changed the record');
    const done = await client.post(`/prisoners/${p.id}/discharge`, {
      version: version(form.body),
      dischargedOn: today(),
      reason: 'released',
      note: 'Collected at the gate',
    });
    expect(done.statusCode).toBe(303);
    const after = await client.get(`/prisoners/${p.id}`);
    expect(textOf(after.body)).toMatch(/Discharged on .+ \(Released\)/);
    expect(after.body).toContain(`href="/prisoners/${p.id}/readmit"`);
    expect(after.body).not.toContain(`href="/prisoners/${p.id}/discharge"`);
    // The officer sees the banner too, and no transfer for a discharged prisoner.
    const seen = await officerClient.get(`/prisoners/${p.id}`);
    expect(textOf(seen.body)).toContain('(Released)');
    expect(seen.body).not.toContain(`href="/prisoners/${p.id}/transfer"`);

    const readmit = await client.get(`/prisoners/${p.id}/readmit`);
    const back = await client.post(`/prisoners/${p.id}/readmit`, {
      version: version(readmit.body),
      readmittedOn: today(),
      note: 'Discharge recorded in error',
    });
    expect(back.statusCode).toBe(303);
    const held = await client.get(`/prisoners/${p.id}`);
    expect(textOf(held.body)).not.toContain('(Released)');
  });

  it('lists prisoners on the roll, with a link to the discharged', async () => {
    const gone = await f.prisoner(a, { familyName: 'Goneaway' });
    await t.db.query(
      `UPDATE prisoner SET discharged_on = current_date, discharge_reason = 'deceased' WHERE id = $1`,
      [gone.id],
    );
    const client = await as(supervisor);
    const list = await client.get('/prisoners');
    expect(list.statusCode).toBe(200);
    expect(list.body).not.toContain('Goneaway');
    expect(list.body).toContain('href="/prisoners?onRoll=false"');
    const discharged = await client.get('/prisoners?onRoll=false');
    expect(discharged.body).toContain('Goneaway');
    expect(discharged.body).not.toContain('Sadykov');
  });
});

/** The discharge and readmission forms in Chromium without JavaScript, axe on every state. */
describe('discharge pages without JavaScript: axe', () => {
  let h: BrowserHarness;
  let supervisor: TestUser;
  let prisonerId: string;

  beforeAll(async () => {
    h = await startBrowserHarness();
    const east = await h.f.facility({ name: 'East facility' });
    supervisor = await h.f.user(['supervisor'], [east]);
    prisonerId = (await h.f.prisoner(east, { givenName: 'Arman', familyName: 'Sadykov' })).id;
  }, 120_000);
  afterAll(() => h.close());

  const click = (page: Page, name: string) =>
    andWait(page, () => page.getByRole('button', { name }).first().click());

  it('records a discharge and readmits; every page and error state passes axe', async () => {
    const { page } = await h.newPage({ javaScriptEnabled: false });
    await signIn(page, supervisor);
    await page.goto(`/prisoners/${prisonerId}/discharge`);
    await expectAccessible(page);
    await click(page, 'Record discharge');
    expect(await page.locator('.govuk-error-summary').textContent()).toContain('Choose the reason');
    await expectAccessible(page);
    await page.getByLabel('Released', { exact: true }).check();
    await click(page, 'Record discharge');
    expect(new URL(page.url()).pathname).toBe(`/prisoners/${prisonerId}`);
    expect(await page.locator('.govuk-notification-banner').first().textContent()).toContain(
      'Discharged on',
    );
    await expectAccessible(page);
    await page.goto(`/prisoners/${prisonerId}/readmit`);
    await expectAccessible(page);
    await click(page, 'Readmit');
    expect(new URL(page.url()).pathname).toBe(`/prisoners/${prisonerId}`);
    await page.goto('/prisoners?onRoll=false');
    await expectAccessible(page);
  });
});
