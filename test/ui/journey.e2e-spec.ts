import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { Page } from 'playwright-core';
import {
  TEST_PASSWORD,
  type TestFacility,
  type TestPrisoner,
  type TestUser,
} from '../factories/index.js';
import {
  andWait,
  expectAccessible,
  startBrowserHarness,
  watchConsole,
  type BrowserHarness,
} from './harness.js';

jest.setTimeout(180_000);

/**
 * A working session in Chromium, with and without JavaScript: sign in, search, open a prisoner
 * and every tab, switch to Russian, request emergency access, sign out; axe (WCAG 2.1 AA) on
 * every page on the way, and no console error or CSP violation.
 */
describe('browser journey', () => {
  let h: BrowserHarness;
  let facility: TestFacility;
  let prisoner: TestPrisoner;
  let elsewhere: TestPrisoner;

  beforeAll(async () => {
    h = await startBrowserHarness({ env: { UI_IDLE_TIMEOUT: '2m' } });
    facility = await h.f.facility({ name: 'North facility' });
    const south = await h.f.facility({ name: 'South facility' });
    const assessor = await h.f.user(['psychologist'], [facility]);
    const colleague = await h.f.user(['psychologist'], [facility]);
    prisoner = await h.f.prisoner(facility, {
      givenName: 'Arman',
      familyName: 'Sadykov',
      legalStatus: 'remand',
    });
    for (const [level, at] of [
      ['high', '2025-01-10T10:00:00Z'],
      ['moderate', '2025-07-10T10:00:00Z'],
    ]) {
      await h.f.approvedAssessment(prisoner, assessor, colleague, {
        instrumentKey: 've-risk-spj',
        finalRiskLevel: level,
        approvedAt: at,
      });
    }
    elsewhere = await h.f.prisoner(south, { givenName: 'Other', familyName: 'Place' });
  });
  afterAll(() => h.close());

  const psychologist = () => h.f.user(['psychologist'], [facility]);

  async function signIn(page: Page, user: TestUser) {
    await page.goto('/sign-in');
    await page.getByLabel('Username').fill(user.username);
    await page.getByLabel('Password', { exact: true }).fill(TEST_PASSWORD);
    await andWait(page, () => page.getByRole('button', { name: 'Sign in' }).click());
  }

  async function journey(page: Page, user: TestUser): Promise<string[]> {
    const checked: string[] = [];
    const check = async () => {
      await expectAccessible(page);
      checked.push(new URL(page.url()).pathname);
    };
    const heading = () => page.locator('h1').textContent();

    await page.goto('/');
    expect(new URL(page.url()).pathname).toBe('/sign-in');
    await check();

    await andWait(page, () => page.getByRole('button', { name: 'Sign in' }).click());
    expect(await page.title()).toBe('Error: Sign in – VEP casework');
    expect(await page.locator('.govuk-error-summary a').allTextContents()).toEqual([
      'Enter your username',
      'Enter your password',
    ]);
    await check();

    await page.getByLabel('Username').fill(user.username);
    await page.getByLabel('Password', { exact: true }).fill(TEST_PASSWORD);
    await andWait(page, () => page.getByRole('button', { name: 'Sign in' }).click());
    expect(await heading()).toBe('Home');
    await check();

    const navigation = page.getByRole('navigation', { name: 'Main sections' });
    await andWait(page, () => navigation.getByRole('link', { name: 'Prisoners' }).click());
    await check();
    await page.getByLabel('Prison number or name').fill('sady');
    await andWait(page, () => page.getByRole('button', { name: 'Search' }).click());
    expect(new URL(page.url()).search).toBe('?q=sady&facilityId=');
    await andWait(page, () => page.getByRole('link', { name: prisoner.prisonNumber }).click());
    expect(await heading()).toContain('Overview');
    await check();

    const tabs = page.getByRole('navigation', { name: 'Prisoner record' });
    for (const tab of ['Assessments', 'Risk over time', 'Plan', 'Events']) {
      await andWait(page, () => tabs.getByRole('link', { name: tab }).click());
      expect(await heading()).toContain(tab);
      await check();
      if (tab === 'Risk over time') {
        const chart = page.getByRole('img', { name: /^Final risk level over time/ });
        expect(await chart.count()).toBe(1);
      }
    }

    await andWait(page, () => page.getByRole('button', { name: 'Русский' }).click());
    expect(await page.locator('html').getAttribute('lang')).toBe('ru');
    expect(await heading()).toContain('События');
    await check();

    await page.goto(`/prisoners/${elsewhere.id}`);
    expect(await heading()).toBe('Заключённый не найден');
    await check();
    const reason = page.getByLabel('Почему вам нужно это дело сейчас?');
    const open = page.getByRole('button', { name: 'Открыть дело с экстренным доступом' });
    await reason.fill('Угроза');
    await andWait(page, () => open.click());
    expect(await page.locator('.govuk-error-summary').count()).toBe(1);
    await check();
    await reason.fill('Угроза сотрудникам при конвоировании сегодня вечером');
    await andWait(page, () => open.click());
    expect(new URL(page.url()).pathname).toBe(`/prisoners/${elsewhere.id}`);
    expect(await page.locator('.govuk-notification-banner').textContent()).toMatch(
      /экстренным доступом до \d\d\.\d\d\.\d{4}, \d\d:\d\d/,
    );
    await check();

    await andWait(page, () => page.getByRole('button', { name: 'Выйти' }).click());
    expect(new URL(page.url()).pathname).toBe('/signed-out');
    expect(await heading()).toBe('Вы вышли из системы');
    await check();
    await page.goto(`/prisoners/${prisoner.id}`);
    expect(new URL(page.url()).pathname).toBe('/sign-in');
    return checked;
  }

  it('works with JavaScript, with no accessibility violation or console error', async () => {
    const { page } = await h.newPage();
    const problems = watchConsole(page);
    const checked = await journey(page, await psychologist());
    expect(checked).toHaveLength(14);
    expect(problems).toEqual([]);
  });

  it('works the same with JavaScript turned off', async () => {
    const { page } = await h.newPage({ javaScriptEnabled: false });
    expect(await journey(page, await psychologist())).toHaveLength(14);
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
    await page.goto(`/prisoners/${prisoner.id}`);
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
