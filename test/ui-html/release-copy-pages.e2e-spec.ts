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

const DAY = 86_400_000;
const inDays = (days: number) => new Date(Date.now() + days * DAY).toISOString().slice(0, 10);

/**
 * The official copy on release in the pages: My work lists it for the facility's supervisors
 * with a link to the subject-access form, the kind and release date filled in; the prisoner's
 * page says beside the release date whether it has been requested, to those who record it only.
 */
describe('official copy on release: pages', () => {
  let t: TestApp;
  let f: Factories;
  let a: TestFacility;
  let supervisor: TestUser;
  let officer: TestUser;
  let psychologist: TestUser;
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
    officer = await f.user(['security_officer'], [a]);
    psychologist = await f.user(['psychologist'], [a]);
    prisoner = await f.prisoner(a, { givenName: 'Arman', familyName: 'Sadykov' });
    await t.db.query(`UPDATE prisoner SET expected_release_date = $2 WHERE id = $1`, [
      prisoner.id,
      inDays(12),
    ]);
  });
  afterAll(() => t.close());

  const formHref = () => `/prisoners/${prisoner.id}/subject-access?kind=release_copy#record`;

  it('My work lists the copy to the supervisor with a link to the form, filled in', async () => {
    const client = await as(supervisor);
    const home = await client.get('/');
    expect(home.statusCode).toBe(200);
    const text = textOf(home.body);
    expect(text).toContain('Official copy on release');
    expect(text).toContain('Release date approaching');
    expect(home.body).toContain(`href="${formHref()}"`);

    const form = await client.get(formHref().split('#')[0]);
    expect(form.statusCode).toBe(200);
    expect(form.body).toMatch(/<input[^>]*value="release_copy"[^>]*checked/);
    expect(form.body).not.toMatch(/<input[^>]*value="request"[^>]*checked/);
    expect(form.body).toMatch(new RegExp(`id="receivedOn"[^>]*value="${inDays(12)}"`));
    // Without the query the form is the usual one.
    const plain = await client.get(`/prisoners/${prisoner.id}/subject-access`);
    expect(plain.body).toMatch(/<input[^>]*value="request"[^>]*checked/);
    expect(plain.body).not.toMatch(new RegExp(`value="${inDays(12)}"`));
  });

  it('a copy past its date is in the supervisor’s overdue work, linked to the form', async () => {
    const late = await f.prisoner(a, { givenName: 'Bolat', familyName: 'Late' });
    await t.db.query(`UPDATE prisoner SET expected_release_date = $2 WHERE id = $1`, [
      late.id,
      inDays(-4),
    ]);
    const client = await as(supervisor);
    const overdue = await client.get('/oversight/overdue');
    expect(overdue.statusCode).toBe(200);
    expect(textOf(overdue.body)).toContain('Official copy on release');
    expect(textOf(overdue.body)).toContain('Release date passed');
    expect(overdue.body).toContain(
      `href="/prisoners/${late.id}/subject-access?kind=release_copy#record"`,
    );
    await t.db.query(`UPDATE prisoner SET expected_release_date = NULL WHERE id = $1`, [late.id]);
  });

  it('is not in other roles’ work, nor on their prisoner page', async () => {
    for (const user of [officer, psychologist]) {
      const client = await as(user);
      const home = await client.get('/');
      expect(home.statusCode).toBe(200);
      expect(textOf(home.body)).not.toContain('Official copy on release');
      const page = await client.get(`/prisoners/${prisoner.id}`);
      expect(page.statusCode).toBe(200);
      expect(textOf(page.body)).not.toContain('Official copy on release');
    }
  });

  it('the prisoner page says it is not yet requested, then when it is due once recorded', async () => {
    const client = await as(supervisor);
    const before = await client.get(`/prisoners/${prisoner.id}`);
    expect(textOf(before.body)).toContain('Official copy on release Not yet requested');
    expect(before.body).toContain(`href="${formHref()}"`);

    const recorded = await client.post(`/prisoners/${prisoner.id}/subject-access`, {
      kind: 'release_copy',
      receivedOn: inDays(12),
      note: '',
    });
    expect(recorded.statusCode).toBe(303);
    const href = String(recorded.headers.location);
    expect(href).toMatch(/^\/subject-access\/[0-9a-f-]{36}$/);

    const after = await client.get(`/prisoners/${prisoner.id}`);
    expect(textOf(after.body)).not.toContain('Not yet requested');
    expect(textOf(after.body)).toContain('Requested, due');
    expect(after.body).toContain(`href="${href}"`);
    const home = await client.get('/');
    expect(textOf(home.body)).not.toContain('Official copy on release');
  });
});

/** The same pages in Chromium without JavaScript, axe on each. */
describe('official copy on release pages without JavaScript: axe', () => {
  let h: BrowserHarness;
  let supervisor: TestUser;
  let prisoner: TestPrisoner;

  beforeAll(async () => {
    h = await startBrowserHarness();
    const east = await h.f.facility({ name: 'East facility' });
    supervisor = await h.f.user(['supervisor'], [east]);
    prisoner = await h.f.prisoner(east, { givenName: 'Arman', familyName: 'Sadykov' });
    await h.t.db.query(`UPDATE prisoner SET expected_release_date = $2 WHERE id = $1`, [
      prisoner.id,
      inDays(-3),
    ]);
  }, 120_000);
  afterAll(() => h.close());

  const click = (page: Page, name: string) =>
    andWait(page, () => page.getByRole('button', { name }).first().click());

  it('from My work to the recorded request; every page passes axe', async () => {
    const { page } = await h.newPage({ javaScriptEnabled: false });
    await signIn(page, supervisor);
    await page.goto('/');
    expect(await page.locator('main').textContent()).toContain('Release date passed');
    await expectAccessible(page);

    await page.goto(`/prisoners/${prisoner.id}`);
    expect(await page.locator('main').textContent()).toContain('Not yet requested');
    await expectAccessible(page);

    await andWait(page, () =>
      page.getByRole('link', { name: 'Record the request for the official copy' }).click(),
    );
    expect(await page.getByLabel('Official copy on release').isChecked()).toBe(true);
    expect(await page.locator('#receivedOn').inputValue()).toBe(inDays(-3));
    await expectAccessible(page);
    await click(page, 'Record the request');
    expect(page.url()).toMatch(/\/subject-access\/[0-9a-f-]{36}$/);

    await page.goto(`/prisoners/${prisoner.id}`);
    expect(await page.locator('main').textContent()).toContain('Requested, due');
    await expectAccessible(page);
  }, 240_000);
});
