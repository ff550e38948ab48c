import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Factories, type TestFacility, type TestUser } from '../factories/index.js';
import { completeRatings, instrumentItems } from '../support/assessment-helpers.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { textOf, UiClient } from './support/ui-client.js';

/**
 * The psychologist's pages for ve-risk-spj 1.1.0 (issue 12): the provisional judgement before
 * the band, judgements per outcome, relevance per item, structured scenarios and the appraisal;
 * and what the security officer's page shows of them.
 */
describe('structured professional judgement pages (ve-risk-spj 1.1.0)', () => {
  let t: TestApp;
  let f: Factories;
  let north: TestFacility;
  let assessor: TestUser;
  let colleague: TestUser;
  let security: TestUser;

  const as = async (user: TestUser) => {
    const client = new UiClient(t);
    await client.signInAs(user);
    return client;
  };
  const version = async (id: string) =>
    String((await t.db.query(`SELECT version FROM assessment WHERE id = $1`, [id]))[0].version);

  beforeAll(async () => {
    t = await createTestApp();
    f = new Factories(t);
    north = await f.facility({ name: 'North facility' });
    assessor = await f.user(['psychologist'], [north]);
    colleague = await f.user(['psychologist'], [north]);
    security = await f.user(['security_officer'], [north]);
    for (const user of [assessor, colleague]) await f.certify(user.id, 've-risk-spj');
  });
  afterAll(() => t.close());

  it('asks for a provisional judgement before it shows the band, then the judgements; submit and read back', async () => {
    const prisoner = await f.prisoner(north);
    const client = await as(assessor);
    const form = await client.get(`/prisoners/${prisoner.id}/assessments/new`);
    expect(form.body).toContain('value="ve-risk-spj@1.1.0"');
    const started = await client.post(`/prisoners/${prisoner.id}/assessments`, {
      instrument: 've-risk-spj@1.1.0',
      reason: 'intake',
    });
    expect(started.statusCode).toBe(303);
    const id = /\/assessments\/([0-9a-f-]{36})/.exec(started.headers.location as string)![1];
    const items = await instrumentItems(t, assessor.auth, 've-risk-spj', '1.1.0');
    await t.http
      .patch(`/api/v1/assessments/${id}`)
      .set('authorization', assessor.auth)
      .set('if-match', '1')
      .send({
        ratings: {
          ...completeRatings(items, { moderate: 0 }),
          SC03: {
            value: 'high',
            evidenceFor: 'TARGET-EVIDENCE: named an officer',
            evidenceAgainst: 'none',
            sources: ['intelligence'],
            reliability: 'medium',
          },
        },
      })
      .expect(200);
    // The shared flag reaches security at once, on the draft: its label and date only.
    const warned = textOf((await (await as(security)).get(`/assessments/${id}`)).body);
    expect(warned).toContain('Warnings shared with you');
    expect(warned).toContain('Specific targets identified');
    expect(warned).not.toContain('TARGET-EVIDENCE');
    // The psychologist sees the flag with the rule that raised it.
    const checked = await client.get(`/assessments/${id}/check`);
    expect(textOf(checked.body)).toContain('Raised by the rule');
    expect(checked.body).toContain('has(score.SC03) &amp;&amp; score.SC03 &gt;= 2');
    expect(textOf(checked.body)).toContain(
      'The indicative band is shown after you record your provisional judgement.',
    );

    // Relevance on an item page, separate from the rating; history marked as context.
    const item = await client.get(`/assessments/${id}/items/HC01`);
    expect(textOf(item.body)).toContain('History: shown as context.');
    expect(item.body).toContain('name="relevance"');
    const rated = await client.post(`/assessments/${id}/items/BA01`, {
      version: await version(id),
      rating: 'low',
      relevance: 'high',
      next: 'stay',
    });
    expect(rated.statusCode).toBe(303);
    const [{ ratings }] = await t.db.query(`SELECT ratings FROM assessment WHERE id = $1`, [id]);
    expect(ratings.BA01).toEqual({ value: 'low', label: 'Low', relevance: 'high' });

    // The judgement page withholds the band until the provisional judgement is recorded.
    const before = await client.get(`/assessments/${id}/judgement`);
    expect(before.statusCode).toBe(200);
    const shown = textOf(before.body);
    expect(shown).toContain('Your provisional judgement');
    expect(shown).not.toContain('Indicative band');
    expect(before.body).not.toContain('name="finalRiskLevel"');
    expect(before.body).not.toContain('data-module="app-autosave"');
    const partial = await client.post(`/assessments/${id}/judgement`, {
      version: await version(id),
      mode: 'provisional',
      'provisional-level': 'moderate',
      next: 'stay',
    });
    expect(partial.statusCode).toBe(422);
    expect(textOf(partial.body)).toContain('Select a provisional level for each judgement');
    const provisional = await client.post(`/assessments/${id}/judgement`, {
      version: await version(id),
      mode: 'provisional',
      'provisional-level': 'moderate',
      'provisional-custody_violence': 'low',
      'provisional-influence': 'low',
      'provisional-release_violence': 'moderate',
      'provisional-imminence': 'not_imminent',
      'provisional-severity': 'serious',
      next: 'stay',
    });
    expect(provisional.statusCode).toBe(303);
    const after = await client.get(`/assessments/${id}/judgement`);
    const text = textOf(after.body);
    expect(text).toMatch(/Indicative band\s+Low/);
    expect(text).toContain('Provisional judgement recorded on');
    expect(text).toContain('Influencing or recruiting others towards violence');
    expect(after.body).toContain('name="judgement-influence-level"');

    // Check page: every outstanding piece links to its field.
    const check = await client.get(`/assessments/${id}/check`);
    const outstanding = textOf(check.body);
    expect(outstanding).toContain('Violence in custody: select the final level');
    expect(outstanding).toContain('Describe each scenario in full');
    expect(check.body).toContain(`/assessments/${id}/judgement#judgement-severity-rationale`);
    expect(check.body).toContain(`/assessments/${id}/formulation#appraisal-indexFacts`);

    const formulation = await client.post(`/assessments/${id}/formulation`, {
      version: await version(id),
      formulation: 'Grievance-driven; protective family ties.',
      'scenario-1-title': 'Recruitment on the wing',
      'scenario-1-description': 'Approaches younger prisoners at exercise.',
      'scenario-1-type': 'repeat',
      'scenario-1-likelyTargets': 'Younger prisoners on the wing',
      'scenario-1-severity': 'serious',
      'scenario-1-imminence': 'months',
      'scenario-1-warningSigns': 'Seeks out new arrivals',
      'scenario-1-triggers': 'Transfer of a peer',
      'scenario-1-managementActions': 'Key worker sessions',
      'appraisal-confidence': 'medium',
      'appraisal-informationQuality': 'Interview and file',
      'appraisal-limitations': 'No police file yet',
      'appraisal-indexFacts': 'denies',
      'factor-1-title': 'Debt to a cell-mate',
      'factor-1-description': 'Owes money called in as favours',
      'factor-1-evidence': 'Wing report',
      'factor-1-rating': 'high',
      next: 'continue',
    });
    expect(formulation.statusCode).toBe(303);
    const levels: Record<string, string> = {
      custody_violence: 'low',
      influence: 'moderate',
      release_violence: 'low',
      imminence: 'not_imminent',
      severity: 'serious',
    };
    const judged = await client.post(`/assessments/${id}/judgement`, {
      version: await version(id),
      finalRiskLevel: 'low',
      finalRationale: 'Current indicators are low.',
      ...Object.fromEntries(
        Object.entries(levels).flatMap(([code, level]) => [
          [`judgement-${code}-level`, level],
          [`judgement-${code}-rationale`, `Because of ${code}`],
        ]),
      ),
      next: 'check',
    });
    expect(judged.statusCode).toBe(303);
    await client.post(`/assessments/${id}/participation`, {
      version: await version(id),
      'informedOn-day': '10',
      'informedOn-month': '1',
      'informedOn-year': '2026',
      participated: 'yes',
      next: 'check',
    });
    const ready = await client.get(`/assessments/${id}/check`);
    expect(textOf(ready.body)).toContain('Everything the instrument asks for is recorded.');
    const submitted = await client.post(`/assessments/${id}/submit`, {
      version: await version(id),
    });
    expect(submitted.statusCode).toBe(303);
    await t.http
      .post(`/api/v1/assessments/${id}/countersign`)
      .set('authorization', colleague.auth)
      .send({ decision: 'approve' })
      .expect(200);

    const full = textOf((await (await as(colleague)).get(`/assessments/${id}`)).body);
    for (const expected of [
      'Because of influence',
      'Younger prisoners on the wing',
      'Repeat: like harm in the past',
      'Denies them',
      'High relevance',
      'Provisional overall level',
      'Case-specific factors',
      'Debt to a cell-mate',
    ])
      expect(full).toContain(expected);

    const securityPage = textOf((await (await as(security)).get(`/assessments/${id}`)).body);
    expect(securityPage).toContain('Influencing or recruiting others towards violence');
    expect(securityPage).toContain('Moderate');
    for (const secret of [
      'Because of',
      'Younger prisoners',
      'Denies them',
      'No police file',
      'Provisional',
      'Debt to a cell-mate',
    ])
      expect(securityPage).not.toContain(secret);
  });

  it('records a trigger review from the assessment page; refusals beside the fields', async () => {
    const prisoner = await f.prisoner(north);
    // ve-needs: a programme milestone makes a review of the approved assessment due.
    const id = await f.approvedAssessment(prisoner, assessor, colleague, {
      instrumentKey: 've-needs',
      needs: [{ code: 'ideology', priority: 'high' }],
    });
    const [{ id: eventId }] = await t.db.query(
      `INSERT INTO prisoner_event (prisoner_id, facility_id, type, occurred_at, note, recorded_by)
       VALUES ($1, $2, 'programme_milestone', now(), 'Completed the course', $3) RETURNING id`,
      [prisoner.id, prisoner.facilityId, assessor.id],
    );
    const client = await as(colleague);
    const view = await client.get(`/assessments/${id}`);
    expect(view.body).toContain(`href="/assessments/${id}/trigger-review"`);
    const page = await client.get(`/assessments/${id}/trigger-review`);
    expect(page.statusCode).toBe(200);
    expect(textOf(page.body)).toContain('programme milestone: Completed the course');
    const empty = await client.post(`/assessments/${id}/trigger-review`, {});
    expect(empty.statusCode).toBe(422);
    expect(textOf(empty.body)).toContain('Select the outcome');
    const done = await client.post(`/assessments/${id}/trigger-review`, {
      eventId,
      outcome: 'no_change',
      rationale: 'The course completion changes no need priority.',
    });
    expect(done.statusCode).toBe(303);
    expect(done.headers.location).toBe(`/assessments/${id}?done=reviewed`);
    await client.get(`/assessments/${id}/trigger-review`);
    const again = await client.post(`/assessments/${id}/trigger-review`, {
      eventId,
      outcome: 'no_change',
      rationale: 'The course completion changes no need priority.',
    });
    expect(again.statusCode).toBe(422);
    expect(textOf(again.body)).toContain('That event has already been reviewed');
    // A security officer gets no such page.
    const officer = await as(security);
    const refused = await officer.get(`/assessments/${id}/trigger-review`);
    expect(refused.statusCode).toBe(303);
    expect(refused.headers.location).toBe(`/assessments/${id}`);
  });
});
