import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { andWait, expectAccessible, startBrowserHarness, type BrowserHarness } from './harness.js';
import { signIn } from './prisoner-journey.js';

jest.setTimeout(300_000);

/**
 * Team working without JavaScript, each page and error state checked by axe as served:
 * contributions (list, add, refused), the countersign assignment (form, refused, live), and the
 * blind ratings (own set, comparison, consensus refused and recorded).
 */
describe('team working pages without JavaScript', () => {
  let h: BrowserHarness;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vep-team-journey-'));
    cpSync(join(process.cwd(), 'rule-sets'), dir, {
      recursive: true,
      filter: (src) => !src.includes('schema'),
    });
    cpSync(
      join(process.cwd(), 'test/fixtures/rule-sets/instruments/team-needs@1.0.0.yaml'),
      join(dir, 'instruments/team-needs@1.0.0.yaml'),
    );
    h = await startBrowserHarness({ env: { RULE_SETS_DIR: dir } });
  });
  afterAll(async () => {
    await h.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('contributions, the assignment and the blind ratings pass axe in every state', async () => {
    const home = await h.f.facility({ name: 'Team home' });
    const other = await h.f.facility({ name: 'Team other' });
    const psych = await h.f.user(['psychologist'], [home]);
    const pve = await h.f.user(['pve_inspector'], [home]);
    const pve2 = await h.f.user(['pve_inspector'], [home]);
    const supervisor = await h.f.user(['supervisor'], [home]);
    await h.f.user(['psychologist'], [other]);
    const prisoner = await h.f.prisoner(home);
    const draft = await h.f.openAssessment(prisoner, psych);

    const { page } = await h.newPage({ javaScriptEnabled: false });
    await signIn(page, pve);
    await page.goto(`/assessments/${draft}/contributions`);
    await expectAccessible(page);
    await andWait(page, () => page.getByRole('button', { name: 'Add contribution' }).click());
    expect(await page.locator('.govuk-error-summary').count()).toBe(1);
    await expectAccessible(page);
    await page.getByLabel('What you observed').fill('Attends education every day');
    await page.getByLabel('Programme session').check();
    await page.getByLabel('Date observed (YYYY-MM-DD)').fill('2025-04-01');
    await page.getByLabel('Everyone who reads the assessment').check();
    await andWait(page, () => page.getByRole('button', { name: 'Add contribution' }).click());
    expect(await page.locator('main').textContent()).toContain('Attends education every day');
    await expectAccessible(page);

    const submitted = await h.f.openAssessment(await h.f.prisoner(home), psych, 'submitted');
    const { page: sup } = await h.newPage({ javaScriptEnabled: false });
    await signIn(sup, supervisor);
    await sup.goto(`/assessments/${submitted}/countersign-assignment`);
    await expectAccessible(sup);
    await andWait(sup, () => sup.getByRole('button', { name: 'Assign' }).click());
    expect(await sup.locator('.govuk-error-summary').count()).toBe(1);
    await expectAccessible(sup);
    await sup.locator('input[name="assigneeId"]').first().check();
    await sup
      .getByLabel('Why the facility cannot countersign itself')
      .fill('One psychologist here');
    await andWait(sup, () => sup.getByRole('button', { name: 'Assign' }).click());
    expect(await sup.locator('main').textContent()).toContain('The psychologist was assigned.');
    await expectAccessible(sup);

    const started = await h.t.http
      .post(`/api/v1/prisoners/${(await h.f.prisoner(home)).id}/assessments`)
      .set('authorization', pve.auth)
      .send({
        instrumentKey: 'team-needs',
        reason: 'intake',
        doubleRating: true,
        secondAssessorId: pve2.id,
      })
      .expect(201);
    const id = started.body.id;
    const rate = async (user: typeof pve, value: string) => {
      const { page: rater } = await h.newPage({ javaScriptEnabled: false });
      await signIn(rater, user);
      await rater.goto(`/assessments/${id}/double-rating`);
      await expectAccessible(rater);
      await rater.locator(`input[name="value-DW01"][value="${value}"]`).check();
      await rater.locator('input[name="value-DW02"][value="none"]').check();
      await andWait(rater, () => rater.getByRole('button', { name: 'Submit my ratings' }).click());
      await expectAccessible(rater);
      return rater;
    };
    const lead = await rate(pve, 'significant');
    await rate(pve2, 'some');
    await lead.goto(`/assessments/${id}/double-rating`);
    expect(await lead.locator('table.govuk-table').count()).toBe(1);
    await expectAccessible(lead);
    await andWait(lead, () => lead.getByRole('button', { name: 'Record consensus' }).click());
    expect(await lead.locator('.govuk-error-summary').count()).toBe(1);
    await expectAccessible(lead);
    await lead.locator('input[name="value-DW01"][value="significant"]').check();
    await lead
      .getByLabel('How the differences were resolved')
      .fill('Agreed on the education record');
    await andWait(lead, () => lead.getByRole('button', { name: 'Record consensus' }).click());
    expect(await lead.locator('main').textContent()).toContain('Agreed on the education record');
    await expectAccessible(lead);
  });
});
