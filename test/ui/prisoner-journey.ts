import { expect } from '@jest/globals';
import type { Page } from 'playwright-core';
import {
  TEST_PASSWORD,
  type TestFacility,
  type TestPrisoner,
  type TestUser,
} from '../factories/index.js';
import { andWait, expectAccessible, type BrowserHarness } from './harness.js';

/** A psychologist's facility with a prisoner who has approved assessments, and one elsewhere. */
export interface JourneyData {
  facility: TestFacility;
  user: TestUser;
  prisoner: TestPrisoner;
  elsewhere: TestPrisoner;
}

export async function seedJourney(h: BrowserHarness): Promise<JourneyData> {
  const facility = await h.f.facility({ name: 'North facility' });
  const south = await h.f.facility({ name: 'South facility' });
  const user = await h.f.user(['psychologist'], [facility]);
  const colleague = await h.f.user(['psychologist'], [facility]);
  const prisoner = await h.f.prisoner(facility, {
    givenName: 'Arman',
    familyName: 'Sadykov',
    legalStatus: 'remand',
  });
  for (const [level, at] of [
    ['high', '2025-01-10T10:00:00Z'],
    ['moderate', '2025-07-10T10:00:00Z'],
  ]) {
    await h.f.approvedAssessment(prisoner, user, colleague, {
      instrumentKey: 've-risk-spj',
      finalRiskLevel: level,
      approvedAt: at,
    });
  }
  const elsewhere = await h.f.prisoner(south, { givenName: 'Other', familyName: 'Place' });
  return { facility, user, prisoner, elsewhere };
}

export async function signIn(page: Page, user: TestUser): Promise<void> {
  await page.goto('/sign-in');
  await page.getByLabel('Username').fill(user.username);
  await page.getByLabel('Password', { exact: true }).fill(TEST_PASSWORD);
  await andWait(page, () => page.getByRole('button', { name: 'Sign in' }).click());
}

/**
 * Sign in (first with empty fields), open the home page, search, open the prisoner and every
 * tab, switch to Russian, request emergency access elsewhere (first with too short a reason),
 * sign out; axe on each of the 14 pages and states. Returns the paths checked.
 */
export async function prisonerJourney(
  page: Page,
  { user, prisoner, elsewhere }: JourneyData,
): Promise<string[]> {
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
  // The form also sends the roll filter (empty: prisoners on the roll).
  expect(new URL(page.url()).search).toBe('?q=sady&facilityId=&onRoll=');
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
