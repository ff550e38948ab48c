import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import {
  Checks,
  countersign,
  idFrom,
  judgeAndSubmit,
  rateEverything,
  seedWorkspace,
  startAssessment,
} from './assessment-journey.js';
import { startBrowserHarness, type BrowserHarness } from './harness.js';
import { signIn } from './prisoner-journey.js';

jest.setTimeout(300_000);

/**
 * The same working day with JavaScript turned off: every item saved with the Save buttons, the
 * "not rated" reason always shown, the refused submit and its error summary, countersigning.
 * Each page and state is checked by axe as served.
 */
describe('assessment workspace without JavaScript', () => {
  let h: BrowserHarness;

  beforeAll(async () => {
    h = await startBrowserHarness();
  });
  afterAll(() => h.close());

  it('a psychologist completes and submits with the Save buttons, and another countersigns', async () => {
    const data = await seedWorkspace(h);
    const { page } = await h.newPage({ javaScriptEnabled: false });
    const checks = new Checks(page);
    await signIn(page, data.assessor);
    const id = await startAssessment(page, data, checks, false);
    await rateEverything(page, data, checks, false);
    await judgeAndSubmit(page, checks);

    const { page: second } = await h.newPage({ javaScriptEnabled: false });
    const secondChecks = new Checks(second);
    await signIn(second, data.countersigner);
    await countersign(second, secondChecks, 'Approve');
    expect(idFrom(second)).toBe(id);
    expect(await second.locator('main').textContent()).toContain('You approved the assessment.');
    await secondChecks.check('assessment: approved');
    expect(checks.visited.length).toBeGreaterThanOrEqual(15);
  });
});
