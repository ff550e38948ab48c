import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { startBrowserHarness, watchConsole, type BrowserHarness } from './harness.js';
import {
  adminJourney,
  pveJourney,
  securityJourney,
  seedRoles,
  supervisorJourney,
  type RolesData,
} from './role-journeys.js';

jest.setTimeout(240_000);

/**
 * Every other role's working day in Chromium with JavaScript, axe on every page and state, no
 * console error or CSP violation. (Without JavaScript: roles-no-js.e2e-spec.ts.)
 */
describe('role journeys', () => {
  let h: BrowserHarness;
  let data: RolesData;

  beforeAll(async () => {
    h = await startBrowserHarness();
    data = await seedRoles(h);
  });
  afterAll(() => h.close());

  it('PVE inspector: builds, submits and, once the supervisor approves, delivers a plan', async () => {
    expect((await pveJourney(h, data, true)).length).toBe(18);
  });

  it('security officer: records, transfers, records an event and reads the risk summary', async () => {
    expect((await securityJourney(h, data, true, 'JS-0001')).length).toBe(10);
  });

  it('supervisor: reviews emergency access, searches, exports and verifies the audit trail', async () => {
    expect((await supervisorJourney(h, data, true)).length).toBe(9);
  });

  it('administrator: creates an account and certifies it', async () => {
    expect((await adminJourney(h, data, true, 'js.karimova')).length).toBe(7);
  });

  it('pages run their scripts without console errors or CSP violations', async () => {
    const { page } = await h.newPage();
    const problems = watchConsole(page);
    const { signIn } = await import('./prisoner-journey.js');
    await signIn(page, data.supervisor);
    for (const url of ['/', '/oversight/overdue', '/audit', '/audit/verify']) await page.goto(url);
    expect(problems).toEqual([]);
  });
});
