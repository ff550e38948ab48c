import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { Page } from 'playwright-core';
import type { TestUser } from '../factories/index.js';
import { expectAccessible, startBrowserHarness, type BrowserHarness } from './harness.js';
import { signIn } from './prisoner-journey.js';

// Eleven pages scanned by axe per run, twice: allow for a loaded machine.
jest.setTimeout(600_000);

const BANNER = 'Training: fictional case';

/**
 * Training in Chromium, with and without JavaScript: the practice case is rated in the
 * assessment workspace in training mode (task list, domain, item pages with autosave or the
 * save buttons, final judgement, check and submit); every page and state passes axe (WCAG 2.1
 * AA) and shows the fictional-case banner.
 */
describe('training journey in the browser', () => {
  let h: BrowserHarness;
  let trainee: TestUser;
  let supervisor: TestUser;

  beforeAll(async () => {
    h = await startBrowserHarness();
    const facility = await h.f.facility({ code: 'TRN-B', name: 'Training facility' });
    trainee = await h.f.user(['psychologist'], [facility]);
    supervisor = await h.f.user(['supervisor'], [facility]);
  });
  afterAll(() => h.close());

  async function visit(page: Page, path: string): Promise<void> {
    await page.goto(path);
    expect(await page.locator('.app-training-banner').textContent()).toContain(BANNER);
    await expectAccessible(page);
  }

  for (const javaScriptEnabled of [true, false]) {
    it(`a trainee's pages and the supervisor's overview (JavaScript ${javaScriptEnabled ? 'on' : 'off'})`, async () => {
      const { page } = await h.newPage({ javaScriptEnabled });
      await signIn(page, trainee);
      await visit(page, '/training');
      const link = page.getByRole('link', { name: 'Practice case 2: the night fire' });
      const href = (await link.getAttribute('href'))!;
      await visit(page, href);
      const start = page.getByRole('button', { name: 'Start rating this case' });
      if (await start.count()) await Promise.all([page.waitForURL(/attempts/), start.click()]);
      else
        await Promise.all([
          page.waitForURL(/attempts/),
          page.getByRole('link', { name: 'Continue rating' }).click(),
        ]);
      const attempt = new URL(page.url()).pathname;
      // The assessment workspace in training mode: task list, domain, item pages.
      expect(await page.locator('h1').textContent()).toContain('Rate the practice case');
      expect(await page.locator('.app-identity').textContent()).toContain('Fictional case');
      await expectAccessible(page);
      await visit(page, `${attempt}/domains/SC`);
      await visit(page, `${attempt}/items/SC01`);
      await page.locator('input[name="rating"][value="low"]').check();
      if (javaScriptEnabled) {
        // Autosave: "Saved at" in the live region, and the rating survives a reload.
        await page
          .locator('[data-autosave-status]', { hasText: /^Saved at \d\d:\d\d$/ })
          .waitFor({ timeout: 15_000 });
        await page.reload();
        expect(await page.locator('input[name="rating"][value="low"]').isChecked()).toBe(true);
      } else {
        await Promise.all([
          page.waitForURL(/items\/SC02$/),
          page.getByRole('button', { name: 'Save and continue' }).click(),
        ]);
      }
      await visit(page, `${attempt}/items/SC02`);
      await visit(page, `${attempt}/judgement`);
      // An incomplete submission: the check page with the error summary.
      await visit(page, `${attempt}/check`);
      await Promise.all([
        page.waitForLoadState('load'),
        page.getByRole('button', { name: 'Submit and compare with the reference' }).click(),
      ]);
      expect(await page.locator('.govuk-error-summary').count()).toBe(1);
      expect(await page.locator('.app-training-banner').count()).toBe(1);
      await expectAccessible(page);

      // Completed through the API, then the results page.
      const auth = `Bearer ${await h.f.session(trainee.id)}`;
      const id = attempt.split('/').pop()!;
      const current = await h.t.http
        .get(`/api/v1/training/attempts/${id}`)
        .set('authorization', auth)
        .expect(200);
      const items = (
        await h.t.http
          .get('/api/v1/instruments/ve-risk-spj/versions/1.0.0')
          .set('authorization', auth)
          .expect(200)
      ).body.definition.domains.flatMap((d: { items: { code: string }[] }) => d.items);
      const edited = await h.t.http
        .patch(`/api/v1/training/attempts/${id}`)
        .set('authorization', auth)
        .set('if-match', String(current.body.version))
        .send({
          ratings: Object.fromEntries(
            items.map((i: { code: string }) => [i.code, { value: 'low' }]),
          ),
          finalLevel: 'low',
        })
        .expect(200);
      await h.t.http
        .post(`/api/v1/training/attempts/${id}/submit`)
        .set('authorization', auth)
        .set('if-match', String(edited.body.version))
        .expect(200);
      await visit(page, attempt);
      expect(await page.locator('h1').textContent()).toContain('compared with the reference');

      const second = await h.newPage({ javaScriptEnabled });
      await signIn(second.page, supervisor);
      await visit(second.page, '/training/overview');
    });
  }
});
