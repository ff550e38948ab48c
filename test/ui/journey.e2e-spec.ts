import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import {
  andWait,
  expectAccessible,
  startBrowserHarness,
  watchConsole,
  type BrowserHarness,
} from './harness.js';
import { prisonerJourney, seedJourney, signIn, type JourneyData } from './prisoner-journey.js';
import { TEST_PASSWORD } from '../factories/index.js';

jest.setTimeout(300_000);

/**
 * A working session in Chromium with JavaScript: the prisoner journey with axe (WCAG 2.1 AA) on
 * every page and no console error, failed asset or CSP violation; sign-in by keyboard alone;
 * the idle-timeout warning. (The same journey without JavaScript: journey-no-js.e2e-spec.ts.)
 */
describe('browser journey', () => {
  let h: BrowserHarness;
  let data: JourneyData;

  beforeAll(async () => {
    h = await startBrowserHarness({ env: { UI_IDLE_TIMEOUT: '2m' } });
    data = await seedJourney(h);
  });
  afterAll(() => h.close());

  const psychologist = () => h.f.user(['psychologist'], [data.facility]);

  it('works with JavaScript, with no accessibility violation or console error', async () => {
    const { page } = await h.newPage();
    const problems = watchConsole(page);
    const checked = await prisonerJourney(page, { ...data, user: await psychologist() });
    expect(checked).toHaveLength(14);
    expect(problems).toEqual([]);
  });

  it('signs in with the keyboard alone, and an error moves focus to the summary', async () => {
    const user = await psychologist();
    const { page } = await h.newPage();
    const focused = async () => {
      const element = page.locator(':focus');
      return (await element.getAttribute('id')) || (await element.textContent())?.trim() || '';
    };
    await page.goto('/sign-in');
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('Skip to main content');
    await page.keyboard.press('Enter');
    const order: string[] = [];
    for (let i = 0; i < 4; i++) {
      await page.keyboard.press('Tab');
      order.push(await focused());
    }
    expect(order).toEqual(['username', 'password', 'Show', 'Sign in']);

    await andWait(page, () => page.keyboard.press('Enter'));
    expect(await page.locator('.govuk-error-summary:focus').count()).toBe(1);
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    expect(await focused()).toBe('username');
    await page.keyboard.type(user.username);
    await page.keyboard.press('Tab');
    await page.keyboard.type(TEST_PASSWORD);
    await andWait(page, () => page.keyboard.press('Enter'));
    expect(await page.locator('h1').textContent()).toBe('Home');
  });

  it('warns before the idle timeout, lets the user stay signed in, and otherwise signs out', async () => {
    const user = await psychologist();
    const { page } = await h.newPage();
    // The browser's session is the user's newest (the factory opened one for API tokens).
    const browserSession = `(SELECT id FROM user_session WHERE user_id = $1 ORDER BY created_at DESC LIMIT 1)`;
    const idleSeconds = async () => {
      const [{ idle }] = await h.t.db.query(
        `SELECT extract(epoch FROM now() - last_seen_at) AS idle FROM user_session
         WHERE id = ${browserSession}`,
        [user.id],
      );
      return Number(idle);
    };
    const setIdle = (seconds: number) =>
      h.t.db.query(
        `UPDATE user_session SET last_seen_at = now() - make_interval(secs => $2)
         WHERE id = ${browserSession}`,
        [user.id, seconds],
      );
    // The page's clock is driven by the test; the server's idle time is set to match.
    await page.clock.install();
    await signIn(page, user);
    await page.goto(`/prisoners/${data.prisoner.id}`);
    const dialog = page.getByRole('dialog', { name: 'You are about to be signed out' });
    expect(await dialog.isVisible()).toBe(false);

    await page.clock.fastForward('01:25'); // 35 s left of 2 minutes: inside the warning time
    await dialog.waitFor();
    expect(await dialog.textContent()).toMatch(/You will be signed out in 3\d seconds\./);
    await expectAccessible(page);
    await setIdle(85);
    await dialog.getByRole('button', { name: 'Stay signed in' }).click();
    await dialog.waitFor({ state: 'hidden' });
    expect(await idleSeconds()).toBeLessThan(5);

    // Nobody answers the next warning: when time runs out the page goes to the timeout page.
    await setIdle(125);
    await andWait(page, () => page.clock.fastForward('02:05'));
    expect(new URL(page.url()).pathname).toBe('/session-timeout');
    expect(await page.locator('h1').textContent()).toBe('You have been signed out');
    await expectAccessible(page);
  });
});
