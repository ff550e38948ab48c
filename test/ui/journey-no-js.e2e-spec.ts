import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { startBrowserHarness, type BrowserHarness } from './harness.js';
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
});
