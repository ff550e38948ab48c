import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { expectAccessible, startBrowserHarness, type BrowserHarness } from './harness.js';
import { prisonerJourney, seedJourney, type JourneyData } from './prisoner-journey.js';

jest.setTimeout(300_000);

/** Every page and form works without JavaScript: the same journey, each page checked by axe as served. */
describe('browser journey without JavaScript', () => {
  let h: BrowserHarness;
  let data: JourneyData;

  beforeAll(async () => {
    h = await startBrowserHarness();
    data = await seedJourney(h);
  });
  afterAll(() => h.close());

  it('works the same with JavaScript turned off', async () => {
    const { page } = await h.newPage({ javaScriptEnabled: false });
    expect(await prisonerJourney(page, data)).toHaveLength(14);
  });

  it('the privacy notice and accessibility statement open from the footer without signing in, axe-clean', async () => {
    for (const javaScriptEnabled of [false, true]) {
      const { page } = await h.newPage({ javaScriptEnabled });
      await page.goto('/sign-in');
      for (const [link, path] of [
        ['Privacy notice', '/privacy'],
        ['Accessibility statement', '/accessibility'],
      ]) {
        await page.getByRole('contentinfo').getByRole('link', { name: link }).click();
        await page.waitForURL(`**${path}`);
        expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe(link);
        await expectAccessible(page);
      }
    }
  });
});
