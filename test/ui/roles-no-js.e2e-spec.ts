import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { startBrowserHarness, type BrowserHarness } from './harness.js';
import {
  adminJourney,
  pveJourney,
  securityJourney,
  seedRoles,
  supervisorJourney,
  type RolesData,
} from './role-journeys.js';

jest.setTimeout(240_000);

/** The same role journeys with JavaScript turned off: every page and form works without it. */
describe('role journeys without JavaScript', () => {
  let h: BrowserHarness;
  let data: RolesData;

  beforeAll(async () => {
    h = await startBrowserHarness();
    data = await seedRoles(h);
  });
  afterAll(() => h.close());

  it('PVE inspector and supervisor: a plan built, submitted, approved and delivered', async () => {
    expect((await pveJourney(h, data, false)).length).toBe(18);
  });

  it('security officer', async () => {
    expect((await securityJourney(h, data, false, 'NOJS-0001')).length).toBe(10);
  });

  it('supervisor', async () => {
    expect((await supervisorJourney(h, data, false)).length).toBe(9);
  });

  it('administrator', async () => {
    expect((await adminJourney(h, data, false, 'nojs.karimova')).length).toBe(7);
  });
});
