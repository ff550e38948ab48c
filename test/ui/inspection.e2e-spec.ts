import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { Page } from 'playwright-core';
import type { TestPrisoner, TestUser } from '../factories/index.js';
import {
  andWait,
  expectAccessible,
  startBrowserHarness,
  watchConsole,
  type BrowserHarness,
} from './harness.js';
import { signIn } from './prisoner-journey.js';

jest.setTimeout(240_000);

/**
 * The oversight pages of issue 13 in Chromium, with and without JavaScript: axe (WCAG 2.1 AA) on
 * every page and error state, no console error or CSP violation.
 */
describe('inspection pages in a browser', () => {
  let h: BrowserHarness;
  let inspector: TestUser;
  let officer: TestUser;
  let supervisor: TestUser;
  let admin: TestUser;
  let prisoner: TestPrisoner;
  let assessmentId: string;
  let measureId: string;

  beforeAll(async () => {
    h = await startBrowserHarness();
    const north = await h.f.facility({ name: 'North facility' });
    inspector = await h.f.inspector([north]);
    officer = await h.f.user(['security_officer'], [north]);
    supervisor = await h.f.user(['supervisor'], [north]);
    admin = await h.f.user(['administrator']);
    prisoner = await h.f.prisoner(north, { givenName: 'Arman', familyName: 'Sadykov' });
    const psychologist = await h.f.user(['psychologist'], [north]);
    const colleague = await h.f.user(['psychologist'], [north]);
    assessmentId = await h.f.approvedAssessment(prisoner, psychologist, colleague, {
      instrumentKey: 've-risk-spj',
    });
    measureId = await h.f.measure(prisoner, officer, { daysAgo: 14 });
  });
  afterAll(() => h.close());

  const visit = async (page: Page, url: string, status = 200) => {
    const response = await page.goto(url);
    expect(response?.status()).toBe(status);
    await expectAccessible(page);
  };

  for (const javaScriptEnabled of [true, false]) {
    it(`inspector, supervisor and security officer pages are accessible (JavaScript ${javaScriptEnabled ? 'on' : 'off'})`, async () => {
      const { page } = await h.newPage({ javaScriptEnabled });
      const problems = watchConsole(page);
      await signIn(page, inspector);
      for (const url of [
        '/',
        '/statistics',
        '/statistics?period=quarter',
        '/restrictive-measures/alerts',
        `/prisoners/${prisoner.id}`,
        `/prisoners/${prisoner.id}/restrictive-measures`,
        `/restrictive-measures/${measureId}`,
        `/assessments/${assessmentId}`,
      ])
        await visit(page, url);
      await visit(page, '/statistics?from=2026-99-99', 400);

      const officerPage = (await h.newPage({ javaScriptEnabled })).page;
      await signIn(officerPage, officer);
      await visit(officerPage, `/prisoners/${prisoner.id}/restrictive-measures/new`);
      await andWait(officerPage, () =>
        officerPage.getByRole('button', { name: 'Record the measure' }).click(),
      );
      expect(await officerPage.locator('.govuk-error-summary').count()).toBe(1);
      await expectAccessible(officerPage);
      await visit(officerPage, `/restrictive-measures/${measureId}`);
      await andWait(officerPage, () =>
        officerPage.getByRole('button', { name: 'Record the day' }).click(),
      );
      expect(await officerPage.locator('.govuk-error-summary').count()).toBe(1);
      await expectAccessible(officerPage);

      const adminPage = (await h.newPage({ javaScriptEnabled })).page;
      await signIn(adminPage, admin);
      await visit(adminPage, '/admin/appointments');
      await visit(adminPage, '/admin/appointments/new');
      await andWait(adminPage, () => adminPage.getByRole('button', { name: 'Appoint' }).click());
      expect(await adminPage.locator('.govuk-error-summary').count()).toBe(1);
      await expectAccessible(adminPage);

      const supervisorPage = (await h.newPage({ javaScriptEnabled })).page;
      await signIn(supervisorPage, supervisor);
      await visit(supervisorPage, '/');
      expect(
        await supervisorPage.getByText('Restrictive measures: alerts').count(),
      ).toBeGreaterThan(0);
      expect(problems).toEqual([]);
    });
  }
});
