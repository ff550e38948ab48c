import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Factories, type TestFacility, type TestUser } from '../factories/index.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { textOf, UiClient } from './support/ui-client.js';

/**
 * Team working pages (issue 12 point 6): contributions on the assessment, the supervisors'
 * countersign assignment, and the blind ratings with their comparison and consensus; without
 * JavaScript, each showing a role only what its API view would.
 */
describe('team working pages', () => {
  let t: TestApp;
  let f: Factories;
  let dir: string;
  let home: TestFacility;
  let psych: TestUser;
  let pve: TestUser;
  let pve2: TestUser;
  let security: TestUser;
  let supervisor: TestUser;
  let otherPsych: TestUser;

  const as = async (user: TestUser) => {
    const client = new UiClient(t);
    await client.signInAs(user);
    return client;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vep-team-pages-'));
    cpSync(join(process.cwd(), 'rule-sets'), dir, {
      recursive: true,
      filter: (src) => !src.includes('schema'),
    });
    cpSync(
      join(process.cwd(), 'test/fixtures/rule-sets/instruments/team-needs@1.0.0.yaml'),
      join(dir, 'instruments/team-needs@1.0.0.yaml'),
    );
    t = await createTestApp({ env: { RULE_SETS_DIR: dir } });
    f = new Factories(t);
    home = await f.facility({ name: 'Home facility' });
    const other = await f.facility({ name: 'Other facility' });
    psych = await f.user(['psychologist'], [home]);
    pve = await f.user(['pve_inspector'], [home]);
    pve2 = await f.user(['pve_inspector'], [home]);
    security = await f.user(['security_officer'], [home]);
    supervisor = await f.user(['supervisor'], [home]);
    otherPsych = await f.user(['psychologist'], [other]);
  });
  afterAll(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists and adds contributions, each role seeing only the classes it reads', async () => {
    const prisoner = await f.prisoner(home);
    const id = await f.openAssessment(prisoner, psych);
    const workspace = await (await as(psych)).get(`/assessments/${id}`);
    expect(workspace.body).toContain(`href="/assessments/${id}/contributions"`);

    const client = await as(pve);
    const page = await client.get(`/assessments/${id}/contributions`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('name="observation"');
    // A PVE inspector marks only what they read: no security or clinical class offered.
    expect(page.body).toContain('value="standard"');
    expect(page.body).not.toContain('value="security"');

    const empty = await client.post(`/assessments/${id}/contributions`, {});
    expect(empty.statusCode).toBe(422);
    expect(empty.body).toContain('govuk-error-summary');
    expect(empty.body).toContain('href="#observation"');
    expect(empty.body).toContain('href="#confidentiality"');

    const added = await client.post(`/assessments/${id}/contributions`, {
      observation: 'PVE-PAGE-OBS attends every education session',
      source: 'programme_session',
      observedOn: '2025-04-01',
      confidentiality: 'standard',
    });
    expect(added.statusCode).toBe(303);
    expect(added.headers.location).toBe(`/assessments/${id}/contributions?done=added`);
    expect(textOf((await client.get(added.headers.location as string)).body)).toContain(
      'Your contribution was added.',
    );

    const sec = await as(security);
    await sec.get(`/assessments/${id}/contributions`);
    const secAdded = await sec.post(`/assessments/${id}/contributions`, {
      observation: 'SECURITY-PAGE-OBS association with a named group',
      source: 'intelligence',
      observedOn: '2025-04-02',
      confidentiality: 'security',
    });
    expect(secAdded.statusCode).toBe(303);
    const clinical = await as(psych);
    await clinical.get(`/assessments/${id}/contributions`);
    await clinical.post(`/assessments/${id}/contributions`, {
      observation: 'CLINICAL-PAGE-OBS under mental health care',
      source: 'records',
      observedOn: '2025-04-03',
      confidentiality: 'clinical',
    });

    const shown = async (user: TestUser) =>
      textOf((await (await as(user)).get(`/assessments/${id}/contributions`)).body);
    const psychText = await shown(psych);
    expect(psychText).toContain('PVE-PAGE-OBS');
    expect(psychText).toContain('SECURITY-PAGE-OBS');
    expect(psychText).toContain('CLINICAL-PAGE-OBS');
    const secText = await shown(security);
    expect(secText).toContain('SECURITY-PAGE-OBS');
    expect(secText).not.toContain('CLINICAL-PAGE-OBS');
    const pveText = await shown(pve);
    expect(pveText).toContain('PVE-PAGE-OBS');
    expect(pveText).not.toContain('SECURITY-PAGE-OBS');
    expect(pveText).not.toContain('CLINICAL-PAGE-OBS');
  });

  it('offers a named role the actions its instrument gives it (a PVE inspector cancels their own)', async () => {
    const prisoner = await f.prisoner(home);
    const id = await f.openAssessment(prisoner, pve, 'draft', 'team-needs');
    const page = await (await as(pve)).get(`/assessments/${id}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(`href="/assessments/${id}/cancel"`);
  });

  it('lets a supervisor assign and revoke a psychologist of another facility', async () => {
    const prisoner = await f.prisoner(home);
    const id = await f.openAssessment(prisoner, psych, 'submitted');
    expect(
      (await (await as(psych)).get(`/assessments/${id}/countersign-assignment`)).statusCode,
    ).toBe(403);
    const client = await as(supervisor);
    const view = await client.get(`/assessments/${id}`);
    expect(view.body).toContain(`href="/assessments/${id}/countersign-assignment"`);
    const page = await client.get(`/assessments/${id}/countersign-assignment`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(`value="${otherPsych.id}"`);
    expect(page.body).not.toContain(`value="${psych.id}"`);

    const missing = await client.post(`/assessments/${id}/countersign-assignment`, {});
    expect(missing.statusCode).toBe(422);
    expect(missing.body).toContain('href="#assigneeId"');
    expect(missing.body).toContain('href="#reason"');

    const assigned = await client.post(`/assessments/${id}/countersign-assignment`, {
      assigneeId: otherPsych.id,
      reason: 'One psychologist in this facility',
    });
    expect(assigned.statusCode).toBe(303);
    const live = await client.get(assigned.headers.location as string);
    expect(textOf(live.body)).toContain(otherPsych.username);
    // The assignee works on the pages: the assessment with the prisoner's frame, and the
    // countersign action.
    const assignee = await as(otherPsych);
    const assessmentPage = await assignee.get(`/assessments/${id}`);
    expect(assessmentPage.statusCode).toBe(200);
    expect(assessmentPage.body).toContain(`href="/assessments/${id}/countersign"`);
    expect(textOf(assessmentPage.body)).toContain(prisoner.familyName);
    expect((await assignee.get(`/assessments/${id}/countersign`)).statusCode).toBe(200);
    const action = /action="([^"]+\/revoke)"/.exec(live.body)![1];
    const version = /name="version" value="(\d+)"/.exec(live.body)![1];
    const revoked = await client.post(action, { version });
    expect(revoked.statusCode).toBe(303);
    const after = await client.get(revoked.headers.location as string);
    expect(after.body).not.toContain('/revoke"');
    expect((await assignee.get(`/assessments/${id}`)).statusCode).toBe(404);
    expect(after.body).toContain(`value="${otherPsych.id}"`);
  });

  it('takes two blind rating sets, shows where they differ and records the lead’s consensus', async () => {
    const prisoner = await f.prisoner(home);
    const started = await t.http
      .post(`/api/v1/prisoners/${prisoner.id}/assessments`)
      .set('authorization', pve.auth)
      .send({
        instrumentKey: 'team-needs',
        reason: 'intake',
        doubleRating: true,
        secondAssessorId: pve2.id,
      })
      .expect(201);
    const id = started.body.id;
    const lead = await as(pve);
    const second = await as(pve2);
    const rate = async (
      client: UiClient,
      values: Record<string, string>,
      action: 'save' | 'submit',
    ) => {
      const page = await client.get(`/assessments/${id}/double-rating`);
      expect(page.statusCode).toBe(200);
      const version = /name="version" value="(\d+)"/.exec(page.body)![1];
      return client.post(`/assessments/${id}/double-rating/ratings`, {
        version,
        action,
        ...values,
      });
    };
    const saved = await rate(
      lead,
      { 'value-DW01': 'significant', 'evidence-DW01': 'LEAD-PAGE-EVIDENCE', 'value-DW02': 'none' },
      'save',
    );
    expect(saved.statusCode).toBe(303);
    // Blind: the second assessor's page shows nothing of the lead's set.
    const secondPage = await second.get(`/assessments/${id}/double-rating`);
    expect(secondPage.body).not.toContain('LEAD-PAGE-EVIDENCE');
    expect(
      (
        await rate(
          lead,
          {
            'value-DW01': 'significant',
            'evidence-DW01': 'LEAD-PAGE-EVIDENCE',
            'value-DW02': 'none',
          },
          'submit',
        )
      ).statusCode,
    ).toBe(303);
    expect(
      (
        await rate(
          second,
          { 'value-DW01': 'some', 'evidence-DW01': 'Some need seen', 'value-DW02': 'none' },
          'submit',
        )
      ).statusCode,
    ).toBe(303);

    const compare = await lead.get(`/assessments/${id}/double-rating`);
    const text = textOf(compare.body);
    expect(compare.body).toContain('govuk-table');
    expect(text).toContain('DW01');
    expect(compare.body).toContain('name="value-DW01"');
    expect(compare.body).not.toContain('name="value-DW02"');
    // Only the lead records the consensus.
    expect((await second.get(`/assessments/${id}/double-rating`)).body).not.toContain(
      'double-rating/consensus',
    );

    const version = /name="version" value="(\d+)"/.exec(compare.body)![1];
    const incomplete = await lead.post(`/assessments/${id}/double-rating/consensus`, { version });
    expect(incomplete.statusCode).toBe(422);
    expect(incomplete.body).toContain('href="#consensus"');
    expect(incomplete.body).toContain('href="#rationale"');
    const agreed = await lead.post(`/assessments/${id}/double-rating/consensus`, {
      version,
      'value-DW01': 'significant',
      rationale: 'Agreed after reviewing the education record',
    });
    expect(agreed.statusCode).toBe(303);
    const done = textOf((await lead.get(agreed.headers.location as string)).body);
    expect(done).toContain('Agreed after reviewing the education record');
    const [row] = await t.db.query(`SELECT ratings, consensus FROM assessment WHERE id = $1`, [id]);
    expect(row.ratings.DW01).toMatchObject({
      value: 'significant',
      evidenceFor: 'LEAD-PAGE-EVIDENCE',
    });
    expect(row.ratings.DW02).toMatchObject({ value: 'none' });
    expect(row.consensus.differed).toEqual(['DW01']);
  });

  it('says on an amendment of a double-rated assessment that its ratings were agreed earlier', async () => {
    const prisoner = await f.prisoner(home);
    const api = (
      user: TestUser,
      method: 'post' | 'patch',
      path: string,
      body?: object,
      v?: number,
    ) => {
      const req = t.http[method](`/api/v1${path}`).set('authorization', user.auth);
      if (v !== undefined) req.set('if-match', String(v));
      return body ? req.send(body) : req;
    };
    const ratings = {
      DW01: { value: 'significant', evidenceFor: 'No work place for a year' },
      DW02: { value: 'none' },
      RL01: { value: 'some', evidenceFor: 'Has not asked about training' },
      RL02: { value: 'none' },
    };
    const started = await api(pve, 'post', `/prisoners/${prisoner.id}/assessments`, {
      instrumentKey: 'team-needs',
      reason: 'intake',
      doubleRating: true,
      secondAssessorId: pve2.id,
    }).expect(201);
    const id = started.body.id;
    for (const rater of [pve, pve2]) {
      const sets = await t.http
        .get(`/api/v1/assessments/${id}/rating-sets`)
        .set('authorization', rater.auth)
        .expect(200);
      const rated = await api(
        rater,
        'patch',
        `/assessments/${id}/rating-sets/mine`,
        { ratings },
        sets.body.mine.version,
      ).expect(200);
      await api(
        rater,
        'post',
        `/assessments/${id}/rating-sets/mine/submit`,
        undefined,
        rated.body.mine.version,
      ).expect(200);
    }
    const current = await t.http
      .get(`/api/v1/assessments/${id}`)
      .set('authorization', pve.auth)
      .expect(200);
    const agreed = await api(
      pve,
      'post',
      `/assessments/${id}/consensus`,
      { ratings, rationale: 'Rated alike' },
      current.body.version,
    ).expect(200);
    await api(
      pve,
      'patch',
      `/assessments/${id}`,
      {
        needs: [{ code: 'education', priority: 'high' }],
        prisonerParticipation: { informedOn: '2025-03-01', participated: 'yes' },
      },
      agreed.body.version,
    ).expect(200);
    await api(pve, 'post', `/assessments/${id}/submit`).expect(200);
    await api(supervisor, 'post', `/assessments/${id}/countersign`, { decision: 'approve' }).expect(
      200,
    );
    const amended = await api(pve, 'post', `/assessments/${id}/amend`, {
      reason: 'Correct evidence',
    }).expect(201);

    const lead = await as(pve);
    const original = await lead.get(`/assessments/${id}`);
    expect(original.body).toContain(`/assessments/${id}/double-rating`);
    const page = await lead.get(`/assessments/${amended.body.id}`);
    expect(page.statusCode).toBe(200);
    expect(textOf(page.body)).toContain(
      'Its ratings were agreed by two assessors in the revision this amends',
    );
    expect(page.body).not.toContain(`/assessments/${amended.body.id}/double-rating`);

    // An item page shows the agreed rating (kept by the form) and takes corrected evidence.
    const item = await lead.get(`/assessments/${amended.body.id}/items/RL01`);
    expect(item.statusCode).toBe(200);
    expect(textOf(item.body)).toContain('Agreed by the two assessors of the revision this amends');
    expect(item.body).toContain('<input type="hidden" name="rating" value="some">');
    expect(item.body).not.toContain('name="rating" type="radio"');
    const corrected = await lead.post(`/assessments/${amended.body.id}/items/RL01`, {
      version: /name="version" value="(\d+)"/.exec(item.body)![1],
      rating: 'some',
      evidenceFor: 'Has not asked about training since March 2024',
    });
    expect(corrected.statusCode).toBe(303);
    const [row] = await t.db.query(`SELECT ratings FROM assessment WHERE id = $1`, [
      amended.body.id,
    ]);
    expect(row.ratings.RL01).toMatchObject({
      value: 'some',
      evidenceFor: 'Has not asked about training since March 2024',
    });
    // Before the consensus an item page edits nothing: the blind sets give the ratings.
    const open = await api(pve, 'post', `/prisoners/${(await f.prisoner(home)).id}/assessments`, {
      instrumentKey: 'team-needs',
      reason: 'intake',
      doubleRating: true,
      secondAssessorId: pve2.id,
    }).expect(201);
    const pending = await lead.get(`/assessments/${open.body.id}/items/DW01`);
    expect(pending.statusCode).toBe(200);
    expect(pending.body).not.toContain('name="evidenceFor"');
    expect(pending.body).not.toContain('name="rating"');
    expect(pending.body).toContain(`/assessments/${open.body.id}/double-rating`);
  });
});
