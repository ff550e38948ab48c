import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { Page } from 'playwright-core';
import {
  Checks,
  countersign,
  heading,
  idFrom,
  judgeAndSubmit,
  rateEverything,
  seedWorkspace,
  startAssessment,
  type WorkspaceData,
} from './assessment-journey.js';
import { completeRatings, instrumentItems } from '../support/assessment-helpers.js';
import { andWait, startBrowserHarness, watchConsole, type BrowserHarness } from './harness.js';
import { signIn } from './prisoner-journey.js';

jest.setTimeout(300_000);

/**
 * The psychologist's working day in Chromium with JavaScript: start, rate every item (autosave
 * surviving a reload), judge, a refused submit whose error summary leads to the field, submit;
 * a second psychologist countersigns. Return and amend; the autosave conflict; keyboard only.
 * axe (WCAG 2.1 AA) on every page and state visited, and no console error or CSP violation.
 */
describe('assessment workspace in the browser', () => {
  let h: BrowserHarness;

  beforeAll(async () => {
    h = await startBrowserHarness();
  });
  afterAll(() => h.close());

  const sadykov = () => seedWorkspace(h);

  const submittedThroughApi = async (data: WorkspaceData) => {
    const auth = data.assessor.auth;
    const started = await h.t.http
      .post(`/api/v1/prisoners/${data.prisoner.id}/assessments`)
      .set('authorization', auth)
      .send({ instrumentKey: 've-risk-spj', instrumentVersion: '1.0.0', reason: 'intake' })
      .expect(201);
    const id = started.body.id as string;
    await h.t.http
      .patch(`/api/v1/assessments/${id}`)
      .set('authorization', auth)
      .set('if-match', '"1"')
      .send({
        ratings: completeRatings(await instrumentItems(h.t, auth, 've-risk-spj')),
        formulation: 'Grievance-driven; protective family ties.',
        finalRiskLevel: 'low',
        finalRationale: 'Current indicators are few.',
        prisonerParticipation: { informedOn: '2026-01-10', participated: 'yes' },
      })
      .expect(200);
    await h.t.http.post(`/api/v1/assessments/${id}/submit`).set('authorization', auth).expect(200);
    return id;
  };

  it('a psychologist completes and submits an assessment, and a second one countersigns it', async () => {
    const data = await sadykov();
    const { page } = await h.newPage();
    const problems = watchConsole(page);
    const checks = new Checks(page);
    await signIn(page, data.assessor);
    await checks.check('home: nothing yet');
    const id = await startAssessment(page, data, checks, true);
    await rateEverything(page, data, checks, true);
    await judgeAndSubmit(page, checks);

    const { page: second } = await h.newPage();
    const secondChecks = new Checks(second);
    watchConsole(second).forEach((p) => problems.push(p));
    await signIn(second, data.countersigner);
    await secondChecks.check('home: awaiting my countersignature');
    await countersign(second, secondChecks, 'Approve');
    expect(idFrom(second)).toBe(id);
    const text = await second.locator('main').textContent();
    expect(text).toContain('You approved the assessment.');
    expect(text).toContain('Approved');
    await secondChecks.check('assessment: approved');

    await andWait(second, () => second.getByRole('link', { name: 'Print view' }).click());
    expect(await second.locator('h1').textContent()).toBe('Assessment report');
    await secondChecks.check('print view');
    const download = await second.request.get(`/assessments/${id}/pdf`);
    expect(download.status()).toBe(200);
    expect(download.headers()['content-type']).toBe('application/pdf');
    expect((await download.body()).includes('/StructTreeRoot')).toBe(true);

    expect(problems).toEqual([]);
    expect(checks.visited.length + secondChecks.visited.length).toBeGreaterThanOrEqual(20);
  });

  it('a returned assessment is amended by its assessor and approved, then amended as a new revision', async () => {
    const data = await sadykov();
    // Completed and submitted through the API: the first journey does it through the pages.
    const id = await submittedThroughApi(data);
    const { page } = await h.newPage();
    const checks = new Checks(page);
    await signIn(page, data.assessor);

    const { page: second } = await h.newPage();
    await signIn(second, data.countersigner);
    await countersign(
      second,
      new Checks(second),
      'Return to the assessor',
      'Evidence for SC04 is thin',
    );

    await page.goto('/');
    const returned = page.locator('section', {
      has: page.getByRole('heading', { name: 'Assessments returned to me' }),
    });
    await andWait(page, () => returned.getByRole('link', { name: 'Arman Sadykov' }).click());
    expect(idFrom(page)).toBe(id);
    const banner = await page.locator('.govuk-notification-banner').textContent();
    expect(banner).toContain('Returned for changes');
    expect(banner).toContain('Evidence for SC04 is thin');
    await checks.check('task list: returned');
    await andWait(page, () => page.getByRole('link', { name: 'Check and submit' }).click());
    await andWait(page, () =>
      page.getByRole('button', { name: 'Submit for countersignature' }).click(),
    );

    await countersign(second, new Checks(second), 'Approve');

    await page.goto(`/assessments/${id}`);
    await andWait(page, () =>
      page.getByRole('link', { name: 'Amend: start a new revision' }).click(),
    );
    await checks.check('amend');
    await andWait(page, () => page.getByRole('button', { name: 'Start revision 2' }).click());
    expect(await page.locator('.govuk-error-summary a').allTextContents()).toEqual([
      'Enter the reason, in 10 to 2,000 characters',
    ]);
    await checks.check('amend: errors');
    await page
      .getByLabel('Why is it being amended?')
      .fill('New information from the intelligence unit');
    await andWait(page, () => page.getByRole('button', { name: 'Start revision 2' }).click());
    const revision = idFrom(page);
    expect(revision).not.toBe(id);
    expect(await page.locator('.govuk-caption-m').first().textContent()).toContain('Revision 2');
    expect(await page.locator('#domains-1-status').textContent()).toContain('Completed');

    await andWait(page, () => page.getByRole('link', { name: 'Cancel this assessment' }).click());
    await checks.check('cancel');
    await page
      .getByLabel('Why is it being cancelled?')
      .fill('Started in error: no new information');
    await andWait(page, () => page.getByRole('button', { name: 'Cancel the assessment' }).click());
    const view = await page.locator('main').textContent();
    expect(view).toContain('The assessment was cancelled.');
    expect(view).toContain('Started in error: no new information');
    await checks.check('assessment: cancelled, history');
    await andWait(page, () => page.getByRole('link', { name: 'Open revision 1' }).click());
    expect(idFrom(page)).toBe(id);
    expect(await page.locator('main').textContent()).toContain('Returned by');
  });

  it('autosave never overwrites a change made meanwhile: the user reviews it and re-applies their edit', async () => {
    const data = await sadykov();
    const opened: Page[] = [];
    for (let i = 0; i < 2; i++) {
      const { page } = await h.newPage();
      await signIn(page, data.assessor);
      opened.push(page);
    }
    const [first, second] = opened;
    const checks = new Checks(second);
    const id = await startAssessment(first, data, new Checks(first), true);
    const item = data.domains[1].items[0].code;
    for (const page of opened) await page.goto(`/assessments/${id}/items/${item}`);

    await first.getByRole('group', { name: 'Rating' }).getByLabel('Low', { exact: true }).check();
    await first.locator('[data-autosave-status]', { hasText: /^Saved at/ }).waitFor();

    await second
      .getByLabel('Evidence for', { exact: true })
      .fill('Told staff he would not take part');
    const status = second.locator('[data-autosave-status]');
    await status.getByRole('button', { name: 'Review the changes' }).waitFor();
    expect(await status.textContent()).toMatch(
      /^Not saved: You changed it on .+, in another window or tab\. Your changes are still on this page\./,
    );
    await checks.check('item: autosave conflict');

    await andWait(second, () => status.getByRole('button', { name: 'Review the changes' }).click());
    expect(await heading(second)).toBe('This assessment changed since you opened the page');
    const rows = await second.locator('tbody tr').allTextContents();
    expect(rows.map((r) => r.replace(/\s+/g, ' ').trim())).toEqual([
      'Rating Changed since you opened it Low (empty)',
      'Evidence for (empty) Told staff he would not take part',
    ]);
    await checks.check('conflict page');
    await andWait(second, () =>
      second.getByRole('button', { name: 'Apply my edits to the latest version' }).click(),
    );
    expect(new URL(second.url()).pathname).toBe(`/assessments/${id}/items/${item}`);
    expect(
      await second
        .getByRole('group', { name: 'Rating' })
        .getByLabel('Low', { exact: true })
        .isChecked(),
    ).toBe(true);
    expect(await second.getByLabel('Evidence for', { exact: true }).inputValue()).toBe(
      'Told staff he would not take part',
    );
  });

  it('saves before the user follows a link, without waiting for the pause', async () => {
    const data = await sadykov();
    const started = await h.t.http
      .post(`/api/v1/prisoners/${data.prisoner.id}/assessments`)
      .set('authorization', data.assessor.auth)
      .send({ instrumentKey: 've-risk-spj', instrumentVersion: '1.0.0', reason: 'intake' })
      .expect(201);
    const id = started.body.id as string;
    const [first, second] = data.domains[0].items;
    const { page } = await h.newPage();
    await signIn(page, data.assessor);
    await page.goto(`/assessments/${id}/items/${first.code}`);
    await page.getByLabel('Evidence for', { exact: true }).fill('Typed just before leaving');
    const nav = page.getByRole('navigation', { name: 'Items in this domain' });
    await andWait(page, () =>
      nav.getByRole('link', { name: new RegExp(`^${second.code} `) }).click(),
    );
    expect(new URL(page.url()).pathname).toBe(`/assessments/${id}/items/${second.code}`);
    const [row] = await h.t.db.query(`SELECT ratings FROM assessment WHERE id = $1`, [id]);
    expect(row.ratings[first.code]).toEqual({ evidenceFor: 'Typed just before leaving' });
  });

  it('an item page and submit work with the keyboard alone, focus landing on the error summary', async () => {
    const data = await sadykov();
    const { page } = await h.newPage();
    await signIn(page, data.assessor);
    const id = await startAssessment(page, data, new Checks(page), true);
    const [firstItem, secondItem] = data.domains[0].items;
    await page.goto(`/assessments/${id}/items/${firstItem.code}`);
    // "tag:name (or id, or text):value" of the focused element.
    const focused = () =>
      page.evaluate<string>(`(() => {
        const e = document.activeElement;
        if (!e) return '';
        const name = e.name || e.id || (e.textContent || '').trim();
        return e.tagName.toLowerCase() + ':' + name + ':' + (e.value ?? '');
      })()`);
    const tabTo = async (wanted: string) => {
      for (let i = 0; i < 250; i++) {
        await page.keyboard.press('Tab');
        if ((await focused()).startsWith(wanted)) return;
      }
      throw new Error(`${wanted} never received focus`);
    };
    await tabTo('input:rating:');
    // Arrow keys move within a radio group; Space selects the focused option.
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Space');
    expect(await focused()).toBe('input:rating:moderate');
    await tabTo('textarea:evidenceFor');
    await page.keyboard.type('Said on 3 March that the attack was deserved');
    await tabTo('textarea:evidenceAgainst');
    await page.keyboard.type('Nothing found against it');
    await tabTo('input:sources:interview');
    await page.keyboard.press('Space');
    await tabTo('input:reliability:');
    await page.keyboard.press('Space');
    await tabTo('button:next:continue');
    await andWait(page, () => page.keyboard.press('Enter'));
    expect(new URL(page.url()).pathname).toBe(`/assessments/${id}/items/${secondItem.code}`);

    await page.goto(`/assessments/${id}/check`);
    await tabTo('button:Submit for countersignature');
    await andWait(page, () => page.keyboard.press('Enter'));
    expect(await page.locator('.govuk-error-summary:focus').count()).toBe(1);
    await page.keyboard.press('Tab');
    expect(await focused()).toMatch(/^a:/);
    const rated = await h.t.db.query(`SELECT ratings FROM assessment WHERE id = $1`, [id]);
    expect(rated[0].ratings[firstItem.code]).toMatchObject({
      value: 'moderate',
      evidenceFor: 'Said on 3 March that the attack was deserved',
      evidenceAgainst: 'Nothing found against it',
      sources: ['interview'],
      reliability: 'high',
    });
  });
});
