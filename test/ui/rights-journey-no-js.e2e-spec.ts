import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import type { TestPrisoner, TestUser } from '../factories/index.js';
import { andWait, expectAccessible, startBrowserHarness, type BrowserHarness } from './harness.js';
import { signIn } from './prisoner-journey.js';

jest.setTimeout(240_000);

/** Clicks a link or button by its name and waits for the next page. */
const click = (page: Page, name: string | RegExp, role: 'link' | 'button' = 'link') =>
  andWait(page, () => page.getByRole(role, { name }).first().click());
const heading = async (page: Page) => ((await page.locator('h1').textContent()) ?? '').trim();

/**
 * Prisoners' rights in Chromium without JavaScript, axe (WCAG 2.1 AA) on every page and state:
 * a wing officer records a challenge and the psychologist it is routed to answers it; the
 * supervisor records a disclosure and prepares, redacts and releases a subject-access copy,
 * downloaded as a PDF.
 */
describe('prisoners’ rights pages without JavaScript', () => {
  let h: BrowserHarness;
  let officer: TestUser;
  let reviewer: TestUser;
  let supervisor: TestUser;
  let challenged: TestPrisoner;
  let requester: TestPrisoner;

  beforeAll(async () => {
    h = await startBrowserHarness();
    const east = await h.f.facility({ name: 'East facility' });
    const north = await h.f.facility({ name: 'North facility' });
    const assessor = await h.f.user(['psychologist'], [east, north]);
    const countersigner = await h.f.user(['psychologist'], [east, north]);
    reviewer = await h.f.user(['psychologist'], [east]);
    officer = await h.f.user(['security_officer'], [east]);
    supervisor = await h.f.user(['supervisor'], [north]);
    challenged = await h.f.prisoner(east, { givenName: 'Arman', familyName: 'Sadykov' });
    await h.f.approvedAssessment(challenged, assessor, countersigner, {
      instrumentKey: 've-risk-spj',
    });
    requester = await h.f.prisoner(north, { givenName: 'Bolat', familyName: 'Nurlanov' });
    await h.f.approvedAssessment(requester, assessor, countersigner, {
      instrumentKey: 've-risk-spj',
      finalRiskLevel: 'moderate',
    });
  });
  afterAll(() => h.close());

  it('a challenge is recorded by the wing officer and answered by the psychologist it is routed to', async () => {
    const { page } = await h.newPage({ javaScriptEnabled: false });
    await signIn(page, officer);
    await page.goto(`/prisoners/${challenged.id}/challenges`);
    expect(await heading(page)).toContain('Challenges');
    await expectAccessible(page);
    await click(page, 'Record a challenge', 'button');
    await expectAccessible(page);
    await click(page, 'Record the challenge', 'button');
    expect(await page.locator('.govuk-error-summary').textContent()).toContain(
      'Choose the assessment or plan the prisoner challenges',
    );
    await expectAccessible(page);
    await page.getByLabel(/Assessment: Violent/).check();
    await page.getByLabel('The prisoner’s words').fill('The risk level is wrong: I was not there.');
    await click(page, 'Record the challenge', 'button');
    expect(await heading(page)).toBe('Challenge');
    expect(await page.locator('main').textContent()).not.toContain('I was not there');
    await expectAccessible(page);

    const { page: psych } = await h.newPage({ javaScriptEnabled: false });
    await signIn(psych, reviewer);
    await click(psych, 'Challenges');
    expect(await heading(psych)).toBe('Challenges');
    await expectAccessible(psych);
    await andWait(psych, () => psych.locator('table a').first().click());
    expect(await psych.locator('main').textContent()).toContain('I was not there');
    await expectAccessible(psych);
    await click(psych, 'Record the answer', 'button');
    await expectAccessible(psych);
    await psych.getByLabel('Upheld', { exact: true }).check();
    await psych.getByLabel('Reasoned response').fill('The movement log confirms it.');
    await click(psych, 'Record the answer', 'button');
    const text = (await psych.locator('main').textContent()) ?? '';
    expect(text).toContain('Upheld');
    expect(text).toContain('Amendment due by');
    await expectAccessible(psych);
  });

  it('the supervisor records a disclosure and releases a subject-access copy as a PDF', async () => {
    const { page } = await h.newPage({ javaScriptEnabled: false });
    await signIn(page, supervisor);
    await page.goto(`/prisoners/${requester.id}/disclosures`);
    await expectAccessible(page);
    await click(page, 'Record a disclosure', 'button');
    await expectAccessible(page);
    await click(page, 'Record the disclosure', 'button');
    await expectAccessible(page);
    await page.getByLabel('Probation', { exact: true }).check();
    await page.getByLabel('Received by').fill('Regional probation');
    await page.getByLabel('Lawful basis').fill('Penal code, art. 169');
    await page.getByLabel('Purpose').fill('Release planning');
    await page.locator('#records-0-recordType').selectOption('particulars');
    await page.locator('#records-0-fields').fill('prisonNumber, expectedReleaseDate');
    await click(page, 'Record the disclosure', 'button');
    expect(await page.locator('main').textContent()).toContain('Regional probation');
    await click(page, 'Disclosures');
    expect(await heading(page)).toBe('Disclosure log');
    await expectAccessible(page);

    await page.goto(`/prisoners/${requester.id}/subject-access`);
    await expectAccessible(page);
    await page.getByLabel('Request for records').check();
    await page
      .getByLabel('Date received, or release date')
      .fill(new Date().toISOString().slice(0, 10));
    await click(page, 'Record the request', 'button');
    expect(await heading(page)).toBe('Subject-access request');
    await expectAccessible(page);
    await click(page, 'Add to the register', 'button');
    await expectAccessible(page);
    const withheld = await page
      .locator('#element option', { hasText: /^Disclosure .*\(the whole record\)$/ })
      .getAttribute('value');
    await page.locator('#element').selectOption(withheld!);
    await page.getByLabel('Legal ground').selectOption('safety_of_others');
    await click(page, 'Add to the register', 'button');
    expect(await page.locator('#register ~ table').first().textContent()).toContain(
      'Safety of others',
    );
    await expectAccessible(page);
    await click(page, 'Release the copy', 'button');
    await expectAccessible(page);
    await click(page, 'Print view of the copy');
    expect(await heading(page)).toBe('Copy of your records');
    await expectAccessible(page);
    await page.goBack();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Download the copy (PDF)' }).click(),
    ]);
    const pdf = readFileSync((await download.path())!);
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    await click(page, 'Subject access');
    expect(await heading(page)).toBe('Subject access');
    await click(page, 'Released');
    expect(await page.locator('table').textContent()).toContain(requester.prisonNumber);
    await expectAccessible(page);
  });
});
