import { expect } from '@jest/globals';
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import type { TestFacility, TestPrisoner, TestUser } from '../factories/index.js';
import { andWait, expectAccessible, type BrowserHarness } from './harness.js';
import { signIn } from './prisoner-journey.js';

/**
 * The working day of each role other than the psychologist, in Chromium, with axe (WCAG 2.1 AA)
 * on every page and state visited. The same journeys run with and without JavaScript.
 */

export interface RolesData {
  north: TestFacility;
  south: TestFacility;
  pve: TestUser;
  supervisor: TestUser;
  security: TestUser;
  admin: TestUser;
  /** A prisoner with approved needs and risk assessments and no plan. */
  planned: TestPrisoner;
  /** A prisoner with an approved risk assessment, for the security officer. */
  assessed: TestPrisoner;
  /** The username of someone who read `assessed` with emergency access. */
  grantHolder: string;
}

export async function seedRoles(h: BrowserHarness): Promise<RolesData> {
  const north = await h.f.facility({ name: 'North facility' });
  const south = await h.f.facility({ name: 'South facility' });
  const pve = await h.f.user(['pve_inspector'], [north]);
  const supervisor = await h.f.user(['supervisor'], [north]);
  const security = await h.f.user(['security_officer'], [north, south]);
  const admin = await h.f.user(['administrator']);
  const psychologist = await h.f.user(['psychologist'], [north]);
  const colleague = await h.f.user(['psychologist'], [north]);
  const planned = await h.f.prisoner(north, { givenName: 'Arman', familyName: 'Sadykov' });
  await h.f.approvedAssessment(planned, psychologist, colleague, {
    needs: [
      { code: 'ideology', priority: 'high' },
      { code: 'education', priority: 'medium' },
    ],
  });
  await h.f.approvedAssessment(planned, psychologist, colleague, {
    instrumentKey: 've-risk-spj',
    finalRiskLevel: 'high',
  });
  const assessed = await h.f.prisoner(north, { givenName: 'Bolat', familyName: 'Nurlanov' });
  await h.f.approvedAssessment(assessed, psychologist, colleague, {
    instrumentKey: 've-risk-spj',
    finalRiskLevel: 'moderate',
  });
  // An officer of another facility opens Bolat's record with emergency access and reads it.
  const holder = await h.f.user(['security_officer'], [south]);
  await h.f.grant(holder, assessed);
  const read = await h.t.http
    .get(`/api/v1/prisoners/${assessed.id}`)
    .set('authorization', holder.auth);
  expect(read.status).toBe(200);
  return {
    north,
    south,
    pve,
    supervisor,
    security,
    admin,
    planned,
    assessed,
    grantHolder: holder.username,
  };
}

/** Checks each page or state with axe and records where it was. */
class Visits {
  readonly paths: string[] = [];
  constructor(private readonly page: Page) {}

  async check(): Promise<void> {
    await expectAccessible(this.page);
    this.paths.push(new URL(this.page.url()).pathname);
  }

  async heading(): Promise<string> {
    return ((await this.page.locator('h1').textContent()) ?? '').trim();
  }

  async click(name: string | RegExp, role: 'link' | 'button' = 'link'): Promise<void> {
    await andWait(this.page, () => this.page.getByRole(role, { name }).first().click());
  }
}

/**
 * The PVE inspector builds a plan from the needs assessment (a goal changed, an intervention
 * added from the catalogue searched by need), records a refusal that then blocks scheduling,
 * records the prisoner's agreement and submits; the supervisor approves; the PVE inspector
 * schedules an intervention and records a session and a review.
 */
export async function pveJourney(
  h: BrowserHarness,
  data: RolesData,
  javaScriptEnabled: boolean,
): Promise<string[]> {
  const { page } = await h.newPage({ javaScriptEnabled });
  const v = new Visits(page);
  await signIn(page, data.pve);
  expect(await v.heading()).toBe('Home');
  await v.check();

  const ready = page.locator('section', {
    has: page.getByRole('heading', { name: 'Needs assessments with no plan yet' }),
  });
  await andWait(page, () => ready.getByRole('link', { name: 'Arman Sadykov' }).click());
  expect(await v.heading()).toContain('Start a plan');
  await v.check();
  await v.click('Draft a plan from this assessment', 'button');
  expect(await v.heading()).toContain('Disengagement plan');
  expect(await page.locator('.app-plan-summary').textContent()).toContain('Draft');
  await v.check();

  // A goal proposed from a need, reworded, with a priority and target date.
  await v.click('Change goal 1');
  expect(await v.heading()).toContain('Change a goal');
  await v.check();
  await page.getByLabel('Goal', { exact: true }).fill('');
  await v.click('Save', 'button');
  expect(await page.locator('.govuk-error-summary a').allTextContents()).toEqual([
    'Enter the goal, in at most 2,000 characters',
  ]);
  await v.check();
  await page.getByLabel('Goal', { exact: true }).fill('Question us-and-them thinking in the group');
  await page.getByLabel('Priority').selectOption('high');
  await page.getByLabel('Target date').fill('2027-06-30');
  await v.click('Save', 'button');
  expect(await page.locator('#goals ~ .govuk-summary-card').first().textContent()).toContain(
    'Question us-and-them thinking in the group',
  );

  // An intervention from the catalogue, searched by need, serving the education goal.
  await v.click('Add an intervention from the catalogue');
  await page
    .getByLabel('Show interventions for the need')
    .selectOption({ label: 'Employment and skills' });
  await v.click('Show', 'button');
  expect(await page.locator('.govuk-summary-card').count()).toBe(3);
  await v.check();
  await v.click(/Add to the plan\s*:\s*Vocational training and work/, 'button');
  expect(await v.heading()).toContain('Vocational training and work');
  await v.check();
  await page.locator('input[name="goalIds"]').nth(1).check();
  await page.getByLabel('Place').fill('Workshop 3');
  await v.click('Save', 'button');

  // Faith-based dialogue refused; the refusal is shown, and scheduling it is refused.
  await v.click('Record consent Faith-based or ideological dialogue');
  expect(await v.heading()).toContain('Consent: Faith-based or ideological dialogue');
  await v.check();
  await page.getByLabel('No, they refuse or withdraw consent').check();
  await page.getByLabel('Their conditions or reasons').fill('Does not want a religious visitor');
  await v.click('Record consent', 'button');
  expect(await page.locator('#refusals').textContent()).toContain(
    'Does not want a religious visitor',
  );
  await v.check();
  await v.click('Change Faith-based or ideological dialogue');
  await page.getByLabel('Status').selectOption('scheduled');
  await v.click('Save', 'button');
  expect(await page.locator('.govuk-error-summary a').first().textContent()).toMatch(
    /^The prisoner declined Faith-based or ideological dialogue/,
  );
  expect(await page.locator('#status-error').textContent()).toContain('The prisoner declined');
  await v.check();
  await v.click('Back to the plan');

  // The prisoner's agreement, in their own words, then submission.
  await v.click('Record the prisoner’s response');
  await v.check();
  await page.getByLabel('Agreed with the plan', { exact: true }).check();
  await page.getByLabel('In their own words').fill('I want to finish school first');
  await v.click('Save', 'button');
  await v.click('Check and submit for approval', 'button');
  expect(await v.heading()).toContain('Check and submit for approval');
  await v.check();
  await v.click('Submit for approval', 'button');
  expect(await page.locator('.app-plan-summary').textContent()).toContain('Awaiting approval');
  const planUrl = page.url();

  // The supervisor approves it.
  const { page: boss } = await h.newPage({ javaScriptEnabled });
  const b = new Visits(boss);
  await signIn(boss, data.supervisor);
  await b.check();
  await b.click(/Arman Sadykov\s*:\s*New plan/);
  expect(await b.heading()).toContain('Approve or return the plan');
  await b.check();
  await boss.getByLabel('Approve: the plan becomes active').check();
  await b.click('Confirm the decision', 'button');
  expect(await boss.locator('.app-plan-summary').textContent()).toContain('Active');
  await b.check();
  v.paths.push(...b.paths);

  // Delivery: education scheduled (no consent needed), a session, a review.
  await page.goto(planUrl);
  await v.click('Change Basic and further education');
  await page.getByLabel('Status').selectOption('scheduled');
  await page.getByLabel('Place').fill('Education block, room 2');
  await v.click('Save', 'button');
  await v.click('Record a session', 'button');
  expect(await v.heading()).toContain('Record a session');
  await v.check();
  await page.getByLabel('Intervention').selectOption({ label: 'Basic and further education' });
  await page.getByLabel('Attended', { exact: true }).check();
  await page.getByLabel('4 – good').check();
  await page.getByLabel('Notes').fill('Read a chapter together');
  await v.click('Record the session', 'button');
  expect(await page.locator('#sessions ~ table').first().textContent()).toContain(
    'Read a chapter together',
  );
  await v.click('Record a review', 'button');
  expect(await v.heading()).toContain('Record a review');
  await v.check();
  await page.getByLabel('PVE inspector').check();
  await page.getByLabel('Summary and decisions').fill('Engaging with education');
  await page.getByLabel('Next review date').fill('2099-01-01');
  await v.click('Record the review', 'button');
  expect(await page.locator('#reviews ~ .govuk-summary-card').first().textContent()).toContain(
    'Engaging with education',
  );
  await v.check();
  return v.paths;
}

/** The security officer records a prisoner, transfers them, records an event, reads the summary. */
export async function securityJourney(
  h: BrowserHarness,
  data: RolesData,
  javaScriptEnabled: boolean,
  prisonNumber: string,
): Promise<string[]> {
  const { page } = await h.newPage({ javaScriptEnabled });
  const v = new Visits(page);
  await signIn(page, data.security);
  await v.check();
  await v.click('Record a prisoner');
  await v.check();
  await v.click('Record the prisoner', 'button');
  expect(await page.locator('.govuk-error-summary a').count()).toBe(7);
  await v.check();
  await page.getByLabel('Prison number').fill(prisonNumber);
  await page.getByLabel('Given name').fill('Daniyar');
  await page.getByLabel('Family name').fill('Omarov');
  await page.getByLabel('Date of birth').fill('1991-04-12');
  await page.getByLabel('Male', { exact: true }).check();
  await page.getByLabel('Sentenced').check();
  await page.getByLabel('Facility').selectOption({ label: `North facility (${data.north.code})` });
  await v.click('Record the prisoner', 'button');
  expect(await v.heading()).toContain('Overview');
  await v.check();

  await v.click('Transfer to another facility');
  await v.check();
  await page
    .getByLabel('To', { exact: true })
    .selectOption({ label: `South facility (${data.south.code})` });
  await page.getByLabel('Reason for the transfer').fill('Dispersal after the allocation review');
  await v.click('Continue', 'button');
  expect(await v.heading()).toContain('Check the transfer');
  await v.check();
  await v.click('Confirm the transfer', 'button');
  expect(await v.heading()).toBe('Transfer recorded');
  await v.check();
  await v.click('Open the record');
  expect(await page.locator('table').first().textContent()).toContain(
    'Dispersal after the allocation review',
  );

  // An event for a prisoner with an approved risk assessment, and what it makes due.
  await page.goto(`/prisoners/${data.assessed.id}`);
  await v.click('Record an event');
  await v.check();
  await page.getByLabel('Serious incident').check();
  await page.getByLabel('Time').fill('00:01');
  await page.getByLabel('What happened', { exact: true }).fill('Fight on the wing');
  await v.click('Record the event', 'button');
  expect(await page.locator('table').textContent()).toContain('Reassessment');
  await v.check();
  await page.goto(`/prisoners/${data.assessed.id}`);
  await v.click('Risk summary and plan logistics');
  expect(await page.locator('main').textContent()).toContain('Moderate');
  await v.check();
  return v.paths;
}

/** The supervisor reviews an emergency grant, searches the audit trail, exports and verifies it. */
export async function supervisorJourney(
  h: BrowserHarness,
  data: RolesData,
  javaScriptEnabled: boolean,
): Promise<string[]> {
  const { page } = await h.newPage({ javaScriptEnabled });
  const v = new Visits(page);
  await signIn(page, data.supervisor);
  await v.check();
  await v.click('Emergency access');
  expect(await v.heading()).toBe('Emergency access');
  await v.check();
  await andWait(page, () => page.locator('table a').first().click());
  expect(await v.heading()).toBe('Emergency access review');
  expect(await page.locator('#reads ~ .moj-timeline').textContent()).toContain('prisoner.read');
  await v.check();
  await page.getByLabel('Justified', { exact: true }).check();
  await v.click('Record the review', 'button');
  await page.getByLabel('Note').fill('Escort incident confirmed by the duty log');
  await v.click('Record the review', 'button');
  expect(await page.locator('main').textContent()).toContain(
    'Escort incident confirmed by the duty log',
  );
  await v.check();

  await v.click('Audit trail');
  await v.check();
  await page.getByLabel('Person').fill(data.grantHolder);
  await page.getByLabel('Action').selectOption('prisoner.read');
  await v.click('Apply filters', 'button');
  const rows = page.locator('.app-audit-table tbody tr');
  expect(await rows.count()).toBeGreaterThanOrEqual(1);
  await v.check();
  await andWait(page, () => rows.first().getByRole('link').click());
  expect(await v.heading()).toMatch(/^Audit event \d+$/);
  await v.check();
  await page.goBack();
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: 'CSV (spreadsheet)' }).click(),
  ]);
  const csv = readFileSync((await download.path())!, 'utf8')
    .trim()
    .split('\n');
  expect(csv.length).toBeGreaterThanOrEqual(2);
  expect(csv.slice(1).every((line) => line.includes('"prisoner.read"'))).toBe(true);

  await v.click('Verify the audit trail');
  await v.check();
  await v.click('Verify now', 'button');
  expect(await page.locator('.govuk-panel__title').textContent()).toContain(
    'The audit trail is intact',
  );
  await v.check();
  return v.paths;
}

/** The administrator creates an account (first with mixed roles) and certifies it. */
export async function adminJourney(
  h: BrowserHarness,
  data: RolesData,
  javaScriptEnabled: boolean,
  username: string,
): Promise<string[]> {
  const { page } = await h.newPage({ javaScriptEnabled });
  const v = new Visits(page);
  await signIn(page, data.admin);
  await v.check();
  await v.click('Create an account');
  await v.check();
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Name', { exact: true }).fill('Aigerim Karimova');
  await page.getByLabel('Administrator').check();
  await page.getByLabel('Psychologist').check();
  await page.getByLabel(`North facility (${data.north.code})`).check();
  await page.getByLabel('Password', { exact: true }).fill('a long and unusual passphrase here');
  await v.click('Create the account', 'button');
  expect(await page.locator('.govuk-error-summary a').allTextContents()).toEqual([
    'Choose at least one role; administrator is never combined with a case role',
  ]);
  await v.check();
  await page.getByLabel('Administrator').uncheck();
  await page.getByLabel('Password', { exact: true }).fill('a long and unusual passphrase here');
  await v.click('Create the account', 'button');
  expect(await v.heading()).toBe('Aigerim Karimova');
  await v.check();
  await v.click('Record a certification');
  await v.check();
  await page.getByLabel('Instrument').selectOption('ve-risk-spj');
  await page.getByLabel('Valid until').fill('2099-06-30');
  await v.click('Record the certification', 'button');
  expect(await page.locator('#certifications ~ table').textContent()).toMatch(
    /ve-risk-spj\s+30 June 2099\s+Valid/,
  );
  await v.check();
  await v.click('Rule-sets');
  await v.check();
  return v.paths;
}
