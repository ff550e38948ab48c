import { expect } from '@jest/globals';
import type { Page } from 'playwright-core';
import type { TestFacility, TestPrisoner, TestUser } from '../factories/index.js';
import { andWait, expectAccessible, type BrowserHarness } from './harness.js';

export const INSTRUMENT = 've-risk-spj';

/** Two certified psychologists in one facility, a prisoner there, and the instrument's domains. */
export interface WorkspaceData {
  facility: TestFacility;
  assessor: TestUser;
  countersigner: TestUser;
  prisoner: TestPrisoner;
  domains: { code: string; title: string; items: { code: string }[] }[];
}

export async function seedWorkspace(h: BrowserHarness): Promise<WorkspaceData> {
  const facility = await h.f.facility({ name: 'North facility' });
  const assessor = await h.f.user(['psychologist'], [facility]);
  const countersigner = await h.f.user(['psychologist'], [facility]);
  for (const user of [assessor, countersigner]) await h.f.certify(user.id, INSTRUMENT);
  const prisoner = await h.f.prisoner(facility, { givenName: 'Arman', familyName: 'Sadykov' });
  const [{ content }] = await h.t.db.query(
    `SELECT content FROM instrument_version WHERE key = $1 AND version = '1.0.0'`,
    [INSTRUMENT],
  );
  return { facility, assessor, countersigner, prisoner, domains: content.domains };
}

/** The pages and states checked with axe, in order. */
export class Checks {
  readonly visited: string[] = [];
  constructor(private readonly page: Page) {}

  async check(state: string, page: Page = this.page): Promise<void> {
    if (process.env.SHOTS) {
      await page.screenshot({
        path: `${process.env.SHOTS}/${String(this.visited.length).padStart(2, '0')}-${state.replace(/[^a-z0-9]+/gi, '-')}.png`,
        fullPage: true,
      });
    }
    await expectAccessible(page);
    this.visited.push(`${state} ${new URL(page.url()).pathname}`);
  }
}

export const heading = (page: Page) => page.locator('h1').textContent();
const pathOf = (page: Page) => new URL(page.url()).pathname;
export const idFrom = (page: Page) => /\/assessments\/([0-9a-f-]{36})/.exec(page.url())![1];
const save = (page: Page, name: string) =>
  andWait(page, () => page.getByRole('button', { name, exact: true }).click());

/** From the prisoner's Assessments tab, with a refused attempt first; returns the new id. */
export async function startAssessment(
  page: Page,
  { prisoner }: WorkspaceData,
  checks: Checks,
  js: boolean,
): Promise<string> {
  await page.goto(`/prisoners/${prisoner.id}/assessments`);
  await andWait(page, () => page.getByRole('link', { name: 'Start an assessment' }).click());
  expect(await heading(page)).toBe('Start an assessment');
  await checks.check('start: empty');

  await save(page, 'Start the assessment');
  expect(await page.locator('.govuk-error-summary a').allTextContents()).toEqual([
    'Select an instrument',
    'Select why the assessment is being done',
  ]);
  await checks.check('start: errors');

  // 1.1.0 asks for a provisional judgement first (test/ui-html/spj-pages.e2e-spec.ts); this
  // journey walks 1.0.0, which stays active beside it.
  await page.getByLabel(/Violent extremism risk.*version 1\.0\.0/).check();
  await page.getByLabel('After an event').check();
  const trigger = page.getByLabel('What prompted it');
  if (js) expect(await trigger.isVisible()).toBe(true);
  await checks.check('start: event reason revealed');
  await trigger.fill('Serious incident on the wing last week');
  await save(page, 'Start the assessment');
  expect(await heading(page)).toBe('Complete the assessment');
  expect(await page.locator('.govuk-notification-banner--success').textContent()).toContain(
    'The assessment has been started.',
  );
  await checks.check('task list: new');
  return idFrom(page);
}

async function rate(page: Page, value: 'Low' | 'Moderate' | 'Not rated'): Promise<void> {
  await page.getByRole('group', { name: 'Rating' }).getByLabel(value, { exact: true }).check();
}

/**
 * Rates every item through the pages: the first item of the first domain with evidence (trying
 * "not rated" first, which reveals its reason), the very last not rated with a reason, all the
 * others low. With JavaScript, autosave is checked to survive a reload.
 */
export async function rateEverything(
  page: Page,
  data: WorkspaceData,
  checks: Checks,
  js: boolean,
): Promise<void> {
  const last = data.domains.at(-1)!.items.at(-1)!.code;
  for (const [d, domain] of data.domains.entries()) {
    await andWait(page, () => page.getByRole('link', { name: domain.title }).click());
    expect(pathOf(page)).toMatch(new RegExp(`/domains/${domain.code}$`));
    if (d === 0) await checks.check('domain: not started');
    await andWait(page, () =>
      page.getByRole('link', { name: 'Start with the first item' }).click(),
    );
    for (const [i, item] of domain.items.entries()) {
      expect(pathOf(page)).toMatch(new RegExp(`/items/${item.code}$`));
      if (d === 0 && i === 0) {
        await checks.check('item: empty');
        await rate(page, 'Not rated');
        if (js) expect(await page.getByLabel('Why it is not rated').isVisible()).toBe(true);
        await checks.check('item: not rated, reason revealed');
        await rate(page, 'Moderate');
        await page
          .getByLabel('Evidence for', { exact: true })
          .fill('Said on 3 March that the attack was deserved');
        await page
          .getByLabel('Evidence against', { exact: true })
          .fill('Has not repeated it since');
        await page.getByLabel('Interview with the prisoner').check();
        // The autosave of the last change (earlier ones may have been saved already).
        const saved = js
          ? page.waitForResponse(
              (r) =>
                r.request().method() === 'POST' &&
                (r.request().postData() ?? '').includes('reliability=medium'),
            )
          : undefined;
        await page
          .getByRole('group', { name: 'Reliability of the information' })
          .getByLabel('Medium')
          .check();
        if (js) {
          expect((await saved!).status()).toBe(200);
          await page
            .locator('[data-autosave-status]', { hasText: /^Saved at \d\d:\d\d$/ })
            .waitFor();
          await checks.check('item: autosaved');
          await page.reload();
          expect(await page.getByLabel('Evidence for', { exact: true }).inputValue()).toBe(
            'Said on 3 March that the attack was deserved',
          );
          expect(
            await page.getByRole('group', { name: 'Rating' }).getByLabel('Moderate').isChecked(),
          ).toBe(true);
        }
      } else if (item.code === last) {
        await rate(page, 'Not rated');
        await page
          .getByLabel('Why it is not rated')
          .fill('The family has not been interviewed yet');
      } else {
        await rate(page, 'Low');
      }
      await save(page, 'Save and continue');
    }
    expect(pathOf(page)).toMatch(new RegExp(`/domains/${domain.code}$`));
    if (d === 0) await checks.check('domain: completed');
    await andWait(page, () => page.getByRole('link', { name: 'Return to the task list' }).click());
  }
  expect(await page.locator('#domains-1-status').textContent()).toContain('Completed');
}

/**
 * Formulation, needs, a recommendation, participation, a final level above the indicative band
 * without a rationale: submit is refused with an error summary linking to the rationale, which
 * is then written, and the assessment submitted.
 */
export async function judgeAndSubmit(page: Page, checks: Checks): Promise<void> {
  await andWait(page, () => page.getByRole('link', { name: 'Formulation and scenarios' }).click());
  await checks.check('formulation: empty');
  await page
    .getByLabel('Formulation', { exact: true })
    .fill('Grievance-driven; protective family ties.');
  await page.getByLabel('Title').fill('Recruitment on the wing');
  await page.getByLabel('Description').fill('Approaches younger prisoners at exercise.');
  await save(page, 'Save and continue');

  expect(await heading(page)).toBe('Needs');
  await checks.check('needs');
  await page.locator('input[type=radio][value="high"]').first().check();
  await save(page, 'Save and continue');

  expect(await heading(page)).toBe('Recommendations');
  await page.getByLabel('Recommendation', { exact: true }).fill('Escort with two officers');
  await page.getByLabel('Security').check();
  await save(page, 'Save and add another recommendation');
  expect(await page.getByLabel('Recommendation', { exact: true }).count()).toBe(2);
  await checks.check('recommendations: a second row');
  await save(page, 'Save and continue');

  expect(await heading(page)).toBe('Prisoner participation');
  await page.getByLabel('Day').fill('31');
  await page.getByLabel('Month').fill('2');
  await page.getByLabel('Year').fill('2026');
  await page.getByLabel('Yes', { exact: true }).check();
  await save(page, 'Save and continue');
  expect(await page.locator('.govuk-error-summary a').allTextContents()).toEqual([
    'Enter the date the prisoner was told, as a real day, month and year',
  ]);
  await checks.check('participation: errors');
  await page.getByLabel('Day').fill('28');
  await save(page, 'Save and continue');

  expect(await heading(page)).toBe('Final judgement');
  const body = await page.locator('main').textContent();
  expect(body).toContain('Illustrative, not predictive.');
  expect(body).toContain('Low (indicative)');
  await checks.check('judgement');
  await page.getByLabel('Moderate (indicative)').check();
  await save(page, 'Save and continue');

  expect(await heading(page)).toBe('Check your answers before submitting');
  expect(await page.locator('.app-outstanding a').allTextContents()).toEqual([
    'Explain why the final level differs from the indicative band',
  ]);
  await checks.check('check: outstanding');
  await save(page, 'Submit for countersignature');
  expect(await page.title()).toMatch(/^Error: /);
  const link = page.locator('.govuk-error-summary a');
  expect(await link.allTextContents()).toEqual([
    'Explain why the final level differs from the indicative band',
  ]);
  await checks.check('submit: refused');
  await andWait(page, () => link.click());
  expect(new URL(page.url()).hash).toBe('#finalRationale');
  await page.getByLabel('Rationale').fill('Recent recruitment attempts outweigh the low count.');
  await save(page, 'Save and continue');
  expect(await page.locator('.app-outstanding').count()).toBe(0);
  await save(page, 'Submit for countersignature');
  expect(await page.locator('.govuk-notification-banner--success').textContent()).toContain(
    'submitted for countersignature',
  );
  await checks.check('assessment: submitted');
}

/**
 * A second (signed-in) psychologist finds it in My work and decides; a return is first tried
 * without comments.
 */
export async function countersign(
  page: Page,
  checks: Checks,
  decision: 'Approve' | 'Return to the assessor',
  comments = '',
): Promise<void> {
  await page.goto('/');
  const section = page.locator('section', {
    has: page.getByRole('heading', { name: 'Awaiting my countersignature' }),
  });
  await andWait(page, () => section.getByRole('link', { name: 'Arman Sadykov' }).first().click());
  expect(await heading(page)).toBe('Countersign the assessment');
  await checks.check('countersign');
  if (decision === 'Return to the assessor') {
    await page.getByLabel(decision).check();
    await save(page, 'Record the decision');
    expect(await page.locator('.govuk-error-summary a').allTextContents()).toEqual([
      'Say what the assessor must address',
    ]);
    await checks.check('countersign: errors');
    await page.getByLabel('Comments').fill(comments);
  } else {
    await page.getByLabel(decision).check();
  }
  await save(page, 'Record the decision');
  expect(await page.locator('.govuk-notification-banner--success').count()).toBe(1);
}
