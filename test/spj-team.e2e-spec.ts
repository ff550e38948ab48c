import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { cpSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  Factories,
  type TestFacility,
  type TestPrisoner,
  type TestUser,
} from './factories/index.js';
import { ruleSetsDir } from './support/rule-sets-dir.js';
import { createTestApp, type TestApp } from './support/test-app.js';

const TEAM_FIXTURE = join(
  process.cwd(),
  'test/fixtures/rule-sets/instruments/team-needs@1.0.0.yaml',
);

/**
 * Issue 12 point 6, team working: per-instrument assessor and countersigner roles (the
 * team-needs fixture: PVE inspectors or psychologists assess, supervisors countersign),
 * cross-facility countersign assignments, other disciplines' contributions, and double rating
 * (two blind sets, the differences, a consensus by the lead).
 */
describe('team working', () => {
  let t: TestApp;
  let f: Factories;
  let dir: string;
  let home: TestFacility;
  let other: TestFacility;
  let psych: TestUser;
  let psych2: TestUser;
  let pve: TestUser;
  let pve2: TestUser;
  let security: TestUser;
  let supervisor: TestUser;
  let admin: TestUser;
  let otherPsych: TestUser;
  let otherSupervisor: TestUser;

  beforeAll(async () => {
    dir = ruleSetsDir('vep-team-rule-sets-', { fixtures: false });
    cpSync(TEAM_FIXTURE, join(dir, 'instruments/team-needs@1.0.0.yaml'));
    t = await createTestApp({ env: { RULE_SETS_DIR: dir } });
    f = new Factories(t);
    home = await f.facility({ code: 'TEAM-HOME' });
    other = await f.facility({ code: 'TEAM-OTHER' });
    psych = await f.user(['psychologist'], [home]);
    psych2 = await f.user(['psychologist'], [home]);
    pve = await f.user(['pve_inspector'], [home]);
    pve2 = await f.user(['pve_inspector'], [home]);
    security = await f.user(['security_officer'], [home]);
    supervisor = await f.user(['supervisor'], [home]);
    admin = await f.user(['administrator']);
    otherPsych = await f.user(['psychologist'], [other]);
    otherSupervisor = await f.user(['supervisor'], [other]);
  });
  afterAll(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const start = (user: TestUser, prisoner: TestPrisoner, body: object) =>
    t.http
      .post(`/api/v1/prisoners/${prisoner.id}/assessments`)
      .set('authorization', user.auth)
      .send({ reason: 'intake', ...body });
  const get = (user: TestUser, path: string) =>
    t.http.get(`/api/v1${path}`).set('authorization', user.auth);
  const post = (user: TestUser, path: string, body?: object, ifMatch?: number) => {
    const req = t.http.post(`/api/v1${path}`).set('authorization', user.auth);
    if (ifMatch !== undefined) req.set('if-match', String(ifMatch));
    return body ? req.send(body) : req;
  };
  const patch = (user: TestUser, path: string, ifMatch: number, body: object) =>
    t.http
      .patch(`/api/v1${path}`)
      .set('authorization', user.auth)
      .set('if-match', String(ifMatch))
      .send(body);
  const auditOf = (action: string, entityId?: string) =>
    t.db.query(
      `SELECT actor_id, outcome, entity_id, details, changed_fields FROM audit_event
       WHERE action = $1 AND outcome = 'success' ${entityId ? "AND (entity_id = $2 OR details->>'assessmentId' = $2)" : ''}
       ORDER BY seq`,
      entityId ? [action, entityId] : [action],
    );

  const NEED_RATINGS = {
    DW01: { value: 'significant', evidenceFor: 'No work or education place for a year' },
    DW02: { value: 'none' },
    RL01: { value: 'some', evidenceFor: 'Has not asked about vocational training' },
    RL02: { value: 'none' },
  };

  describe('which roles assess and countersign, per instrument', () => {
    it('lets a PVE inspector write a team instrument’s assessment and a supervisor countersign it', async () => {
      const prisoner = await f.prisoner(home);
      const created = await start(pve, prisoner, { instrumentKey: 'team-needs' }).expect(201);
      expect(created.body.view).toBe('full');
      expect(created.body.assessor.id).toBe(pve.id);
      const id = created.body.id;
      const edited = await patch(pve, `/assessments/${id}`, created.body.version, {
        ratings: NEED_RATINGS,
        needs: [{ code: 'education', priority: 'high' }],
        prisonerParticipation: { informedOn: '2025-03-01', participated: 'yes' },
      }).expect(200);
      expect(edited.body.ratings.DW01.value).toBe('significant');
      // Another PVE inspector reads it in full but may not edit it.
      expect((await get(pve2, `/assessments/${id}`).expect(200)).body.view).toBe('full');
      await patch(pve2, `/assessments/${id}`, edited.body.version, { formulation: 'x' }).expect(
        403,
      );
      const submitted = await post(pve, `/assessments/${id}/submit`);
      expect(submitted.body.reasons ?? []).toEqual([]);
      // Psychologists are not its countersigners; supervisors are, and read it in full.
      const refused = await post(psych, `/assessments/${id}/countersign`, {
        decision: 'approve',
      }).expect(403);
      expect(refused.body.code).toBe('forbidden');
      expect((await get(supervisor, `/assessments/${id}`).expect(200)).body.view).toBe('full');
      const approved = await post(supervisor, `/assessments/${id}/countersign`, {
        decision: 'approve',
      }).expect(200);
      expect(approved.body.status).toBe('approved');
      expect(approved.body.countersigner.id).toBe(supervisor.id);
    });

    it('keeps roles an instrument does not name out of it', async () => {
      const prisoner = await f.prisoner(home);
      await start(security, prisoner, { instrumentKey: 'team-needs' }).expect(403);
      await start(supervisor, prisoner, { instrumentKey: 'team-needs' }).expect(403);
      // Out of scope stays 404 for a named role.
      await start(pve, await f.prisoner(other), { instrumentKey: 'team-needs' }).expect(404);
    });

    it('keeps today’s behaviour for instruments without a team', async () => {
      const prisoner = await f.prisoner(home);
      await start(pve, prisoner, { instrumentKey: 've-needs' }).expect(403);
      const created = await start(psych, prisoner, { instrumentKey: 've-needs' }).expect(201);
      expect(created.body.doubleRating).toBe(false);
      expect((await get(pve, `/assessments/${created.body.id}`).expect(200)).body.view).toBe(
        'programme',
      );
      expect((await get(supervisor, `/assessments/${created.body.id}`).expect(200)).body.view).toBe(
        'programme',
      );
      // Certification still applies where the instrument asks for it.
      const risk = await start(psych, prisoner, { instrumentKey: 've-risk-spj' }).expect(403);
      expect(risk.body.code).toBe('certification_required');
    });
  });

  describe('cross-facility countersign assignment', () => {
    it('opens one assessment to a psychologist of another facility until it is countersigned', async () => {
      const prisoner = await f.prisoner(home);
      const id = await f.openAssessment(prisoner, psych, 'submitted', 've-needs');
      const sibling = await f.approvedAssessment(prisoner, psych, psych2, {
        instrumentKey: 've-needs',
      });
      await get(otherPsych, `/assessments/${id}`).expect(404);
      await post(otherPsych, `/assessments/${id}/countersign`, { decision: 'approve' }).expect(404);

      // Only supervisors of the prisoner's facility assign.
      const body = { assigneeId: otherPsych.id, reason: 'One psychologist here, who wrote it' };
      await post(psych2, `/assessments/${id}/countersign-assignments`, body).expect(403);
      await post(otherSupervisor, `/assessments/${id}/countersign-assignments`, body).expect(404);
      await post(admin, `/assessments/${id}/countersign-assignments`, body).expect(403);
      const assigned = await post(
        supervisor,
        `/assessments/${id}/countersign-assignments`,
        body,
      ).expect(201);
      expect(assigned.body).toMatchObject({
        assessmentId: id,
        assignee: { id: otherPsych.id },
        assignedBy: { id: supervisor.id },
        state: 'live',
      });
      expect(assigned.headers.etag).toBe(`"${assigned.body.version}"`);
      await post(supervisor, `/assessments/${id}/countersign-assignments`, body).expect(409);

      // The assignee reads that assessment in full and the prisoner's record (whose it is),
      // nothing else of the prisoner.
      expect((await get(otherPsych, `/assessments/${id}`).expect(200)).body.view).toBe('full');
      await get(otherPsych, `/assessments/${sibling}`).expect(404);
      await get(otherPsych, `/prisoners/${prisoner.id}`).expect(200);
      const listedForAssignee = await get(otherPsych, `/prisoners/${prisoner.id}/assessments`);
      expect((listedForAssignee.body.items ?? []).map((a: { id: string }) => a.id)).not.toContain(
        sibling,
      );
      const queue = await get(otherPsych, '/assessments?awaitingMyCountersignature=true').expect(
        200,
      );
      expect(queue.body.items.map((a: { id: string }) => a.id)).toEqual([id]);

      const approved = await post(otherPsych, `/assessments/${id}/countersign`, {
        decision: 'approve',
      }).expect(200);
      expect(approved.body.countersigner.id).toBe(otherPsych.id);
      // Used: the assignment ends, and with it the access.
      await get(otherPsych, `/assessments/${id}`).expect(404);
      await get(otherPsych, `/prisoners/${prisoner.id}`).expect(404);
      const listed = await get(supervisor, `/assessments/${id}/countersign-assignments`).expect(
        200,
      );
      expect(listed.body.items).toHaveLength(1);
      expect(listed.body.items[0].state).toBe('used');

      const [created] = await auditOf('countersign_assignment.create', assigned.body.id);
      expect(created).toMatchObject({ actor_id: supervisor.id, outcome: 'success' });
      expect(JSON.stringify(created)).not.toContain('One psychologist here');
      const [used] = await auditOf('countersign_assignment.use', assigned.body.id);
      expect(used).toMatchObject({ actor_id: otherPsych.id, outcome: 'success' });
      expect(used.details).toEqual({ assessmentId: id });
    });

    it('is revocable, with If-Match', async () => {
      const prisoner = await f.prisoner(home);
      const id = await f.openAssessment(prisoner, psych, 'submitted', 've-needs');
      const assigned = await post(supervisor, `/assessments/${id}/countersign-assignments`, {
        assigneeId: otherPsych.id,
        reason: 'Facility has one psychologist',
      }).expect(201);
      await get(otherPsych, `/assessments/${id}`).expect(200);
      const path = `/countersign-assignments/${assigned.body.id}/revoke`;
      await post(supervisor, path).expect(428);
      await post(supervisor, path, undefined, assigned.body.version + 1).expect(409);
      await post(otherSupervisor, path, undefined, assigned.body.version).expect(404);
      const revoked = await post(supervisor, path, undefined, assigned.body.version).expect(200);
      expect(revoked.body).toMatchObject({ state: 'revoked', revokedBy: { id: supervisor.id } });
      await post(supervisor, path, undefined, revoked.body.version).expect(409);
      await get(otherPsych, `/assessments/${id}`).expect(404);
      await post(otherPsych, `/assessments/${id}/countersign`, { decision: 'approve' }).expect(404);
      expect(await auditOf('countersign_assignment.revoke', assigned.body.id)).toHaveLength(1);
    });

    it('refuses assignees who may not countersign it', async () => {
      const prisoner = await f.prisoner(home);
      const id = await f.openAssessment(prisoner, psych, 'submitted', 've-needs');
      const assign = (assigneeId: string) =>
        post(supervisor, `/assessments/${id}/countersign-assignments`, {
          assigneeId,
          reason: 'Facility has one psychologist',
        });
      for (const who of [psych.id, psych2.id, (await f.user(['pve_inspector'], [other])).id]) {
        const res = await assign(who).expect(422);
        expect(res.body.code).toBe('invalid_assignee');
        expect(res.body.errors[0].path).toBe('assigneeId');
      }
      // Certification applies where the instrument asks for it.
      const risk = await f.openAssessment(prisoner, psych, 'submitted', 've-risk-spj');
      const uncertified = await post(supervisor, `/assessments/${risk}/countersign-assignments`, {
        assigneeId: otherPsych.id,
        reason: 'Facility has one psychologist',
      }).expect(422);
      expect(uncertified.body.errors[0].message).toMatch(/certification/);
      const bad = await post(supervisor, `/assessments/${id}/countersign-assignments`, {
        assigneeId: 'nope',
        reason: '',
      }).expect(400);
      expect(bad.body.errors.map((e: { path: string }) => e.path).sort()).toEqual([
        'assigneeId',
        'reason',
      ]);
    });
  });

  describe('contributions of other disciplines', () => {
    it('are added by other disciplines, shown by confidentiality, and never change a rating', async () => {
      const prisoner = await f.prisoner(home);
      const created = await start(psych, prisoner, { instrumentKey: 've-needs' }).expect(201);
      const id = created.body.id;
      const before = (await get(psych, `/assessments/${id}`).expect(200)).body;
      const add = (user: TestUser, confidentiality: string, observation: string, key?: string) => {
        const req = t.http
          .post(`/api/v1/assessments/${id}/contributions`)
          .set('authorization', user.auth);
        if (key) req.set('idempotency-key', key);
        return req.send({
          observation,
          source: 'observation',
          observedOn: '2025-03-01',
          confidentiality,
        });
      };
      const fromPve = await add(pve, 'standard', 'STANDARD-OBS attends education', 'k-1').expect(
        201,
      );
      expect(fromPve.body).toMatchObject({ discipline: 'pve_inspector', author: { id: pve.id } });
      // The same key answers the same contribution, once.
      const replay = await add(pve, 'standard', 'STANDARD-OBS attends education', 'k-1').expect(
        201,
      );
      expect(replay.body.id).toBe(fromPve.body.id);
      await add(security, 'security', 'SECURITY-OBS intelligence on associations').expect(201);
      await add(psych2, 'clinical', 'CLINICAL-OBS seen by mental health team').expect(201);
      const notPermitted = await add(security, 'clinical', 'x'.repeat(10)).expect(403);
      expect(notPermitted.body.code).toBe('confidentiality_not_permitted');
      await add(pve, 'security', 'x'.repeat(10)).expect(403);
      await add(supervisor, 'standard', 'x'.repeat(10)).expect(403);
      await add(otherPsych, 'standard', 'x'.repeat(10)).expect(404);
      const bad = await t.http
        .post(`/api/v1/assessments/${id}/contributions`)
        .set('authorization', pve.auth)
        .send({ observation: '', source: 'rumour', observedOn: '2999-01-01', confidentiality: 'x' })
        .expect(400);
      expect(bad.body.errors.map((e: { path: string }) => e.path).sort()).toEqual([
        'confidentiality',
        'observation',
        'source',
      ]);

      const seen = async (user: TestUser) =>
        (await get(user, `/assessments/${id}/contributions`).expect(200)).body.items.map(
          (c: { observation: string }) => c.observation.split(' ')[0],
        );
      expect(await seen(psych)).toEqual(['STANDARD-OBS', 'SECURITY-OBS', 'CLINICAL-OBS']);
      expect(await seen(security)).toEqual(['STANDARD-OBS', 'SECURITY-OBS']);
      expect(await seen(pve)).toEqual(['STANDARD-OBS']);
      expect(await seen(supervisor)).toEqual(['STANDARD-OBS']);
      await get(admin, `/assessments/${id}/contributions`).expect(403);
      await get(otherPsych, `/assessments/${id}/contributions`).expect(404);

      const after = (await get(psych, `/assessments/${id}`).expect(200)).body;
      expect(after.version).toBe(before.version);
      expect(after.ratings).toEqual(before.ratings);
      expect(after.indicative).toEqual(before.indicative);

      const events = await auditOf('contribution.create', id);
      expect(events).toHaveLength(3);
      expect(JSON.stringify(events)).not.toMatch(/OBS/);
      expect(
        events.map((e: { details: { confidentiality: string } }) => e.details.confidentiality),
      ).toEqual(['standard', 'security', 'clinical']);
    });

    it('are taken while the assessment is written, not after', async () => {
      const prisoner = await f.prisoner(home);
      const id = await f.openAssessment(prisoner, psych, 'submitted', 've-needs');
      const res = await post(pve, `/assessments/${id}/contributions`, {
        observation: 'Late observation',
        source: 'records',
        observedOn: '2025-03-01',
        confidentiality: 'standard',
      }).expect(409);
      expect(res.body.code).toBe('invalid_status');
    });
  });

  describe('double rating', () => {
    it('is declared by the instrument and needs a second assessor who may assess', async () => {
      const prisoner = await f.prisoner(home);
      const off = await start(psych, prisoner, {
        instrumentKey: 've-needs',
        doubleRating: true,
      }).expect(400);
      expect(off.body.errors[0].path).toBe('doubleRating');
      const missing = await start(pve, prisoner, {
        instrumentKey: 'team-needs',
        doubleRating: true,
      }).expect(400);
      expect(missing.body.errors[0].path).toBe('secondAssessorId');
      const wrongRole = await start(pve, prisoner, {
        instrumentKey: 'team-needs',
        doubleRating: true,
        secondAssessorId: security.id,
      }).expect(422);
      expect(wrongRole.body.code).toBe('invalid_second_assessor');
      // Nothing half-written.
      const [{ n }] = await t.db.query(
        `SELECT count(*)::int AS n FROM assessment WHERE prisoner_id = $1`,
        [prisoner.id],
      );
      expect(n).toBe(0);
    });

    it('keeps two raters blind, shows where they differ, and takes the lead’s consensus', async () => {
      const prisoner = await f.prisoner(home);
      const created = await start(pve, prisoner, {
        instrumentKey: 'team-needs',
        doubleRating: true,
        secondAssessorId: psych.id,
      }).expect(201);
      const id = created.body.id;
      expect(created.body.doubleRating).toBe(true);
      await patch(pve, `/assessments/${id}`, created.body.version, {
        ratings: NEED_RATINGS,
      }).expect(409);

      const sets = (user: TestUser) => get(user, `/assessments/${id}/rating-sets`);
      const leadSet = (await sets(pve).expect(200)).body;
      expect(leadSet).toMatchObject({ stage: 'rating', sets: [], differences: [] });
      expect(leadSet.mine.lead).toBe(true);
      const secondSet = (await sets(psych).expect(200)).body;
      expect(secondSet.mine.lead).toBe(false);
      await sets(psych2).expect(403);
      await sets(pve2).expect(403);

      await patch(pve, `/assessments/${id}/rating-sets/mine`, leadSet.mine.version, {
        ratings: { ...NEED_RATINGS, DW01: { value: 'significant', evidenceFor: 'LEAD-EVIDENCE' } },
      }).expect(200);
      await patch(pve, `/assessments/${id}/rating-sets/mine`, leadSet.mine.version, {
        ratings: { DW02: { value: 'none' } },
      }).expect(409);
      const bad = await patch(
        psych,
        `/assessments/${id}/rating-sets/mine`,
        secondSet.mine.version,
        {
          ratings: { XX99: { value: 'none' }, DW01: { value: 'enormous' } },
        },
      ).expect(400);
      expect(bad.body.errors.map((e: { path: string }) => e.path)).toEqual(
        expect.arrayContaining(['ratings.XX99', 'ratings.DW01.value']),
      );
      const second = await patch(
        psych,
        `/assessments/${id}/rating-sets/mine`,
        secondSet.mine.version,
        {
          ratings: {
            DW01: { value: 'some', evidenceFor: 'SECOND-EVIDENCE' },
            DW02: { value: 'none' },
            RL01: { value: 'some', evidenceFor: 'Has not asked' },
            RL02: { value: 'some', evidenceFor: 'Few visits' },
          },
        },
      ).expect(200);
      await patch(pve2, `/assessments/${id}/rating-sets/mine`, 1, { ratings: {} }).expect(403);

      // Blind: neither sees the other's set, nor the assessment's ratings show either.
      for (const [user, theirs] of [
        [pve, 'SECOND-EVIDENCE'],
        [psych, 'LEAD-EVIDENCE'],
      ] as const) {
        expect(JSON.stringify((await sets(user).expect(200)).body)).not.toContain(theirs);
        expect(
          JSON.stringify((await get(user, `/assessments/${id}`).expect(200)).body),
        ).not.toContain(theirs);
      }
      const early = await post(
        pve,
        `/assessments/${id}/consensus`,
        { ratings: NEED_RATINGS, rationale: 'Agreed' },
        created.body.version,
      ).expect(409);
      expect(early.body.code).toBe('blind_ratings_pending');

      const leadNow = (await sets(pve).expect(200)).body.mine;
      await post(
        pve,
        `/assessments/${id}/rating-sets/mine/submit`,
        undefined,
        leadNow.version,
      ).expect(200);
      const stillBlind = (await sets(psych).expect(200)).body;
      expect(stillBlind.stage).toBe('rating');
      expect(JSON.stringify(stillBlind)).not.toContain('LEAD-EVIDENCE');
      const compared = (
        await post(
          psych,
          `/assessments/${id}/rating-sets/mine/submit`,
          undefined,
          second.body.mine.version,
        ).expect(200)
      ).body;
      expect(compared.stage).toBe('compare');
      expect(compared.sets).toHaveLength(2);
      expect(compared.differences).toEqual([
        { item: 'DW01', domain: 'DW', lead: 'significant', second: 'some' },
        { item: 'RL02', domain: 'RL', lead: 'none', second: 'some' },
      ]);
      expect(compared.agreed).toBe(2);
      // Readers of the full view see the comparison once both are in; the programme view does not.
      expect((await sets(supervisor).expect(200)).body.differences).toHaveLength(2);
      await sets(security).expect(403);

      const current = (await get(pve, `/assessments/${id}`).expect(200)).body;
      await post(
        psych,
        `/assessments/${id}/consensus`,
        { ratings: NEED_RATINGS, rationale: 'Agreed' },
        current.version,
      ).expect(403);
      const incomplete = await post(
        pve,
        `/assessments/${id}/consensus`,
        { ratings: { DW01: NEED_RATINGS.DW01 }, rationale: 'Agreed after discussion' },
        current.version,
      ).expect(400);
      expect(incomplete.body.errors.map((e: { path: string }) => e.path).sort()).toEqual([
        'ratings.DW02',
        'ratings.RL01',
        'ratings.RL02',
      ]);
      const agreed = await post(
        pve,
        `/assessments/${id}/consensus`,
        { ratings: NEED_RATINGS, rationale: 'Agreed: no current work or study place' },
        current.version,
      ).expect(200);
      expect(agreed.body.ratings.DW01.value).toBe('significant');
      expect(agreed.body.consensus).toMatchObject({
        rationale: 'Agreed: no current work or study place',
        recordedBy: { id: pve.id },
        differed: ['DW01', 'RL02'],
      });
      expect(agreed.headers.etag).toBe(`"${agreed.body.version}"`);
      expect((await sets(pve).expect(200)).body.stage).toBe('agreed');
      const [event] = await auditOf('assessment.consensus', id);
      expect(event.changed_fields).toEqual(['consensus', 'ratings']);
      expect(JSON.stringify(event)).not.toMatch(/Agreed|EVIDENCE/);
    });

    it('changes an agreed rating only by a consensus, and an amendment keeps what was agreed', async () => {
      const prisoner = await f.prisoner(home);
      const created = await start(pve, prisoner, {
        instrumentKey: 'team-needs',
        doubleRating: true,
        secondAssessorId: pve2.id,
      }).expect(201);
      const id = created.body.id;
      for (const rater of [pve, pve2]) {
        const mine = (await get(rater, `/assessments/${id}/rating-sets`).expect(200)).body.mine;
        const rated = await patch(rater, `/assessments/${id}/rating-sets/mine`, mine.version, {
          ratings: NEED_RATINGS,
        }).expect(200);
        await post(
          rater,
          `/assessments/${id}/rating-sets/mine/submit`,
          undefined,
          rated.body.mine.version,
        ).expect(200);
      }
      const agreed = await post(
        pve,
        `/assessments/${id}/consensus`,
        { ratings: NEED_RATINGS, rationale: 'Both rated alike' },
        (await get(pve, `/assessments/${id}`).expect(200)).body.version,
      ).expect(200);

      // Evidence of an agreed rating may be completed; the rating itself not by an edit.
      const changed = await patch(pve, `/assessments/${id}`, agreed.body.version, {
        ratings: {
          DW01: { value: 'some', evidenceFor: 'Rated down alone' },
          DW02: null,
          RL01: { ...NEED_RATINGS.RL01, evidenceAgainst: 'Asked once, in 2024' },
          XX99: { value: 'none' },
        },
      }).expect(400);
      // Every failing field at once: the unknown item, and the agreed ratings changed.
      expect(changed.body.errors).toEqual([
        { path: 'ratings.XX99', message: expect.any(String) },
        {
          path: 'ratings.DW01.value',
          message: expect.stringMatching(/record the consensus again/),
        },
        {
          path: 'ratings.DW02.value',
          message: expect.stringMatching(/record the consensus again/),
        },
      ]);
      const completed = await patch(pve, `/assessments/${id}`, agreed.body.version, {
        ratings: { RL01: { ...NEED_RATINGS.RL01, evidenceAgainst: 'Asked once, in 2024' } },
        needs: [{ code: 'education', priority: 'high' }],
        prisonerParticipation: { informedOn: '2025-03-01', participated: 'yes' },
      }).expect(200);
      expect(completed.body.ratings.RL01).toMatchObject({
        value: 'some',
        evidenceAgainst: 'Asked once, in 2024',
      });
      // A consensus recorded again (with its rationale) may change it.
      const again = await post(
        pve,
        `/assessments/${id}/consensus`,
        {
          ratings: { ...NEED_RATINGS, DW01: { value: 'some', evidenceFor: 'Part-time course' } },
          rationale: 'Agreed again after the course was confirmed',
        },
        completed.body.version,
      ).expect(200);
      expect(again.body.ratings.DW01.value).toBe('some');

      const submitted = await post(pve, `/assessments/${id}/submit`);
      expect(submitted.body.reasons ?? []).toEqual([]);
      await post(supervisor, `/assessments/${id}/countersign`, { decision: 'approve' }).expect(200);

      // The amendment carries the agreement: the ratings stay as agreed, a consensus cannot be
      // recorded without blind sets, and submitting does not ask for one.
      const draft = await post(pve, `/assessments/${id}/amend`, {
        reason: 'Correct the evidence of RL01',
      }).expect(201);
      expect(draft.body).toMatchObject({
        doubleRating: true,
        consensus: { rationale: 'Agreed again after the course was confirmed' },
      });
      const amendedId = draft.body.id;
      const rerated = await patch(pve, `/assessments/${amendedId}`, draft.body.version, {
        ratings: { RL02: { value: 'significant' } },
      }).expect(400);
      expect(rerated.body.errors).toEqual([
        {
          path: 'ratings.RL02.value',
          message: expect.stringMatching(/a reassessment rates them again/),
        },
      ]);
      const corrected = await patch(pve, `/assessments/${amendedId}`, draft.body.version, {
        ratings: { RL01: { ...NEED_RATINGS.RL01, evidenceAgainst: 'Asked once, in March 2024' } },
      }).expect(200);
      const consensus = await post(
        pve,
        `/assessments/${amendedId}/consensus`,
        { ratings: NEED_RATINGS, rationale: 'Re-rated' },
        corrected.body.version,
      ).expect(409);
      expect(consensus.body.code).toBe('agreed_in_amended_revision');
      const resubmitted = await post(pve, `/assessments/${amendedId}/submit`);
      expect(resubmitted.body.reasons ?? []).toEqual([]);
      expect(resubmitted.status).toBe(200);
    });

    it('makes the consensus a condition of submitting', async () => {
      const prisoner = await f.prisoner(home);
      const created = await start(pve, prisoner, {
        instrumentKey: 'team-needs',
        doubleRating: true,
        secondAssessorId: pve2.id,
      }).expect(201);
      const res = await post(pve, `/assessments/${created.body.id}/submit`).expect(422);
      expect(res.body.reasons.map((r: { code: string }) => r.code)).toContain('consensus_required');
    });
  });
});
