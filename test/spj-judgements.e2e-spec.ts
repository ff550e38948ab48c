import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Factories, type TestFacility, type TestUser } from './factories/index.js';
import { completeRatings, instrumentItems } from './support/assessment-helpers.js';
import { createTestApp, type TestApp } from './support/test-app.js';

/**
 * Issue 12, points 1-3 on ve-risk-spj 1.1.0: current-only bands, a provisional judgement before
 * the band, a rationale for every final judgement, judgements per outcome with their views, the
 * per-instrument risk timeline, relevance, structured scenarios and the appraisal. New
 * assessments use the newest version, 1.1.1: 1.1.0's items and rules with Russian text added.
 */
describe('structured professional judgement in depth (ve-risk-spj 1.1.0, 1.1.1)', () => {
  let t: TestApp;
  let f: Factories;
  let a: TestFacility;
  let author: TestUser;
  let second: TestUser;
  let pve: TestUser;
  let security: TestUser;
  let items: { code: string; kind: string }[];

  beforeAll(async () => {
    t = await createTestApp();
    f = new Factories(t);
    a = await f.facility({ code: 'SPJ-A' });
    author = await f.user(['psychologist'], [a]);
    second = await f.user(['psychologist'], [a]);
    pve = await f.user(['pve_inspector'], [a]);
    security = await f.user(['security_officer'], [a]);
    await f.certify(author.id, 've-risk-spj');
    await f.certify(second.id, 've-risk-spj');
    items = await instrumentItems(t, author.auth, 've-risk-spj', '1.1.1');
  });
  afterAll(() => t.close());

  const patch = (id: string, version: number, body: Record<string, unknown>, user = author) =>
    t.http
      .patch(`/api/v1/assessments/${id}`)
      .set('authorization', user.auth)
      .set('if-match', String(version))
      .send(body);
  const get = (id: string, user: TestUser) =>
    t.http.get(`/api/v1/assessments/${id}`).set('authorization', user.auth).expect(200);
  const submit = (id: string) =>
    t.http.post(`/api/v1/assessments/${id}/submit`).set('authorization', author.auth);
  const codes = (reasons: { code: string; field?: string }[]) =>
    reasons.map((r) => (r.field ? `${r.code}:${r.field}` : r.code)).sort();

  const scenario = {
    title: 'SCENARIO-TITLE',
    description: 'SCENARIO-TEXT',
    type: 'repeat',
    likelyTargets: 'TARGETS-TEXT: officers on the wing',
    severity: 'serious',
    imminence: 'months',
    warningSigns: 'SIGNS-TEXT',
    triggers: 'TRIGGERS-TEXT',
    managementActions: 'ACTIONS-TEXT',
  };
  const judgements = [
    { code: 'custody_violence', level: 'low', rationale: 'CUSTODY-RATIONALE' },
    { code: 'influence', level: 'moderate', rationale: 'INFLUENCE-RATIONALE' },
    { code: 'release_violence', level: 'low', rationale: 'RELEASE-RATIONALE' },
    { code: 'imminence', level: 'not_imminent', rationale: 'IMMINENCE-RATIONALE' },
    { code: 'severity', level: 'serious', rationale: 'SEVERITY-RATIONALE' },
  ];
  const report = {
    formulation: 'FORMULATION-TEXT',
    scenarios: [scenario],
    judgements,
    appraisal: {
      confidence: 'medium',
      informationQuality: 'QUALITY-TEXT',
      limitations: 'LIMITATIONS-TEXT',
      indexFacts: 'partly_admits',
    },
    finalRiskLevel: 'low',
    finalRationale: 'RATIONALE-TEXT',
    recommendations: [{ text: 'SECURITY-REC', tag: 'security' }],
    prisonerParticipation: { informedOn: '2026-11-01', participated: 'yes' },
  };

  /** Ratings with an old planned offence: historical items high, current ones low. */
  function ratingsWithHistory() {
    const ratings = completeRatings(items, { moderate: 0 });
    const high = {
      value: 'high',
      evidenceFor: 'EVIDENCE: conviction in 2015',
      evidenceAgainst: 'none',
      sources: ['file_review'],
      reliability: 'high',
      relevance: 'high',
    };
    return { ...ratings, HC01: high, HC07: high };
  }

  async function draft() {
    const prisoner = await f.prisoner(a);
    const res = await t.http
      .post(`/api/v1/prisoners/${prisoner.id}/assessments`)
      .set('authorization', author.auth)
      .send({ instrumentKey: 've-risk-spj', reason: 'intake' })
      .expect(201);
    return { prisoner, body: res.body };
  }

  it('new assessments use the newest, 1.1.1; the band waits for a provisional judgement, recorded once', async () => {
    const { body } = await draft();
    expect(body.instrument.version).toBe('1.1.1');
    const saved = (await patch(body.id, 1, { ratings: ratingsWithHistory() }).expect(200)).body;
    expect(saved.ratings.HC01).toMatchObject({ value: 'high', relevance: 'high' });
    expect(saved.indicative).toMatchObject({ withheld: true, indicativeLevel: null });
    expect(saved.indicative.judgements).toEqual([
      { code: 'custody_violence', indicativeLevel: null },
      { code: 'influence', indicativeLevel: null },
      { code: 'release_violence', indicativeLevel: null },
      { code: 'imminence', indicativeLevel: null },
      { code: 'severity', indicativeLevel: null },
    ]);
    expect(codes(saved.indicative.reasons)).toContain('provisional_required:provisional');
    // What the engine stored is not leaked through the list either.
    const list = await t.http
      .get(`/api/v1/prisoners/${body.prisonerId}/assessments`)
      .set('authorization', author.auth)
      .expect(200);
    expect(list.body.items[0].indicative.indicativeLevel).toBeNull();

    const incomplete = await patch(body.id, saved.version, {
      provisional: { level: 'moderate', judgements: { influence: 'low' } },
    }).expect(400);
    expect(incomplete.body.errors.map((e: { path: string }) => e.path).sort()).toEqual([
      'provisional.judgements.custody_violence',
      'provisional.judgements.imminence',
      'provisional.judgements.release_violence',
      'provisional.judgements.severity',
    ]);
    const provisional = {
      level: 'moderate',
      judgements: {
        custody_violence: 'low',
        influence: 'low',
        release_violence: 'moderate',
        imminence: 'not_imminent',
        severity: 'serious',
      },
    };
    const shown = (await patch(body.id, saved.version, { provisional }).expect(200)).body;
    expect(shown.provisional).toMatchObject({ ...provisional, recordedAt: expect.any(String) });
    // Current items are all low: the old offence (historical) does not hold the band up.
    expect(shown.indicative).toMatchObject({ withheld: false, indicativeLevel: 'low' });
    expect(shown.indicative.judgements.slice(0, 2)).toEqual([
      { code: 'custody_violence', indicativeLevel: 'low' },
      { code: 'influence', indicativeLevel: 'low' },
    ]);
    // Kept as first recorded: sending it back changes nothing, changing it is refused.
    const same = await patch(body.id, shown.version, { provisional: shown.provisional }).expect(
      200,
    );
    expect(same.body.provisional).toEqual(shown.provisional);
    const changed = await patch(body.id, same.body.version, {
      provisional: { ...provisional, level: 'low' },
    }).expect(400);
    expect(changed.body.errors).toEqual([
      expect.objectContaining({
        path: 'provisional',
        message: expect.stringMatching(/first recorded/),
      }),
    ]);
    await patch(body.id, same.body.version, { provisional: null }).expect(400);
  });

  it('submit asks for every judgement with a rationale, structured scenarios and the appraisal', async () => {
    const { body } = await draft();
    const saved = (
      await patch(body.id, 1, {
        ratings: ratingsWithHistory(),
        provisional: {
          level: 'low',
          judgements: {
            custody_violence: 'low',
            influence: 'low',
            release_violence: 'low',
            imminence: 'not_imminent',
            severity: 'limited',
          },
        },
        formulation: 'F',
        finalRiskLevel: 'low',
        scenarios: [{ title: 'T', description: 'D', type: 'repeat' }],
        judgements: [{ code: 'influence', level: 'low', rationale: null }],
        prisonerParticipation: { informedOn: '2026-11-01', participated: 'yes' },
      }).expect(200)
    ).body;
    const refused = await submit(body.id).expect(422);
    expect(codes(refused.body.reasons)).toEqual([
      'appraisal_required:appraisal.confidence',
      'appraisal_required:appraisal.indexFacts',
      'appraisal_required:appraisal.informationQuality',
      'appraisal_required:appraisal.limitations',
      // Same level as the band, yet a rationale is still owed.
      'final_rationale_required:finalRationale',
      'judgement_level_required:judgements.custody_violence.level',
      'judgement_level_required:judgements.imminence.level',
      'judgement_level_required:judgements.release_violence.level',
      'judgement_level_required:judgements.severity.level',
      'judgement_rationale_required:judgements.custody_violence.rationale',
      'judgement_rationale_required:judgements.imminence.rationale',
      'judgement_rationale_required:judgements.influence.rationale',
      'judgement_rationale_required:judgements.release_violence.rationale',
      'judgement_rationale_required:judgements.severity.rationale',
      'scenarios_required:scenarios',
    ]);
    expect(codes(saved.indicative.reasons)).toEqual(codes(refused.body.reasons));
    const bad = await patch(body.id, saved.version, {
      judgements: [
        { code: 'influence', level: 'extreme', rationale: 'x' },
        { code: 'nope', level: 'low', rationale: 'x' },
        { code: 'influence', level: 'low', rationale: 'x' },
      ],
      scenarios: [{ ...scenario, severity: 'catastrophic' }],
      appraisal: { confidence: 'total' },
    }).expect(400);
    expect(bad.body.errors.map((e: { path: string }) => e.path).sort()).toEqual([
      'appraisal.confidence',
      'scenarios[0].severity',
    ]);
    const bad2 = await patch(body.id, saved.version, {
      judgements: [
        { code: 'influence', level: 'extreme', rationale: 'x' },
        { code: 'nope', level: 'low', rationale: 'x' },
        { code: 'influence', level: 'low', rationale: 'x' },
      ],
    }).expect(400);
    expect(bad2.body.errors.map((e: { path: string }) => e.path)).toEqual([
      'judgements[0].level',
      'judgements[1].code',
      'judgements[2].code',
    ]);
    const done = (await patch(body.id, saved.version, report).expect(200)).body;
    expect(done.indicative.canSubmit).toBe(true);
    await submit(body.id).expect(200);
  });

  it('views: judgement levels reach programme and security once countersigned, never rationale or clinical content', async () => {
    const { prisoner, body } = await draft();
    const saved = (
      await patch(body.id, 1, {
        ratings: ratingsWithHistory(),
        provisional: {
          level: 'low',
          judgements: {
            custody_violence: 'low',
            influence: 'moderate',
            release_violence: 'low',
            imminence: 'not_imminent',
            severity: 'serious',
          },
        },
        ...report,
      }).expect(200)
    ).body;
    await submit(body.id).expect(200);
    const before = await get(body.id, security);
    expect(before.body.judgementLevels.every((j: { level: null }) => j.level === null)).toBe(true);
    await t.http
      .post(`/api/v1/assessments/${body.id}/countersign`)
      .set('authorization', second.auth)
      .send({ decision: 'approve' })
      .expect(200);
    const levels = [
      { code: 'custody_violence', label: 'Violence in custody', level: 'low' },
      {
        code: 'influence',
        label: 'Influencing or recruiting others towards violence',
        level: 'moderate',
      },
      { code: 'release_violence', label: 'Violence after release', level: 'low' },
      { code: 'imminence', label: 'Imminence', level: 'not_imminent' },
      { code: 'severity', label: 'Severity', level: 'serious' },
    ];
    for (const user of [pve, security]) {
      const view = await get(body.id, user);
      expect(view.body.judgementLevels).toEqual(levels);
      const text = JSON.stringify(view.body);
      for (const secret of [
        'RATIONALE',
        'SCENARIO',
        'TARGETS-TEXT',
        'QUALITY-TEXT',
        'LIMITATIONS-TEXT',
        'partly_admits',
        'EVIDENCE',
        'FORMULATION',
      ])
        expect(text).not.toContain(secret);
      expect(view.body).not.toHaveProperty('judgements');
      expect(view.body).not.toHaveProperty('appraisal');
      expect(view.body).not.toHaveProperty('provisional');
    }
    const full = await get(body.id, second);
    expect(full.body.judgements).toEqual(judgements);
    expect(full.body.appraisal).toEqual(report.appraisal);
    expect(full.body.scenarios).toEqual([scenario]);

    // The risk timeline per instrument carries the judgement levels.
    const timeline = await t.http
      .get(`/api/v1/prisoners/${prisoner.id}/risk-timeline?instrument=ve-risk-spj`)
      .set('authorization', security.auth)
      .expect(200);
    expect(timeline.body).toMatchObject({ instrumentKey: 've-risk-spj', view: 'security' });
    expect(timeline.body.entries).toEqual([
      expect.objectContaining({ assessmentId: body.id, finalRiskLevel: 'low', judgements: levels }),
    ]);
    const other = await t.http
      .get(`/api/v1/prisoners/${prisoner.id}/risk-timeline?instrument=ve-needs`)
      .set('authorization', security.auth)
      .expect(200);
    expect(other.body.entries).toEqual([]);
    await t.http
      .get(`/api/v1/prisoners/${prisoner.id}/risk-timeline?instrument=Not%20a%20key`)
      .set('authorization', security.auth)
      .expect(400);
    expect(saved.version).toBeGreaterThan(1);
  });

  it('1.0.0 stays usable and pinned, and asks for a rationale even when the level matches the band', async () => {
    const prisoner = await f.prisoner(a);
    const old = await t.http
      .post(`/api/v1/prisoners/${prisoner.id}/assessments`)
      .set('authorization', author.auth)
      .send({ instrumentKey: 've-risk-spj', instrumentVersion: '1.0.0', reason: 'intake' })
      .expect(201);
    const oldItems = await instrumentItems(t, author.auth, 've-risk-spj', '1.0.0');
    const saved = (
      await patch(old.body.id, 1, {
        ratings: completeRatings(oldItems),
        formulation: 'F',
        finalRiskLevel: 'low',
        prisonerParticipation: { informedOn: '2026-11-01', participated: 'yes' },
      }).expect(200)
    ).body;
    expect(saved.instrument.version).toBe('1.0.0');
    expect(saved.indicative).toMatchObject({ withheld: false, indicativeLevel: 'low' });
    expect(saved.judgementLevels).toEqual([]);
    expect(codes(saved.indicative.reasons)).toEqual(['final_rationale_required:finalRationale']);
    const judged = await patch(old.body.id, saved.version, {
      judgements: [{ code: 'influence', level: 'low', rationale: 'x' }],
    }).expect(400);
    expect(judged.body.errors[0]).toMatchObject({ path: 'judgements[0].code' });
    await patch(old.body.id, saved.version, { finalRationale: 'Matches the picture' }).expect(200);
    await submit(old.body.id).expect(200);
  });

  describe('trigger reviews (point 5)', () => {
    /** An approved 1.1.1 assessment of a fresh prisoner, through the API. */
    async function approvedAssessment() {
      const { prisoner, body } = await draft();
      await patch(body.id, 1, {
        ratings: completeRatings(items, { moderate: 0 }),
        provisional: {
          level: 'low',
          judgements: {
            custody_violence: 'low',
            influence: 'low',
            release_violence: 'low',
            imminence: 'not_imminent',
            severity: 'limited',
          },
        },
        ...report,
      }).expect(200);
      await submit(body.id).expect(200);
      await t.http
        .post(`/api/v1/assessments/${body.id}/countersign`)
        .set('authorization', second.auth)
        .send({ decision: 'approve' })
        .expect(200);
      return { prisoner, id: body.id as string };
    }
    const event = async (prisonerId: string, type: string) =>
      (
        await t.http
          .post(`/api/v1/prisoners/${prisonerId}/events`)
          .set('authorization', security.auth)
          .send({ type, occurredAt: new Date().toISOString() })
          .expect(201)
      ).body;
    const due = async (prisonerId: string) =>
      (
        await t.http
          .get('/api/v1/reviews/due?before=2000-01-01')
          .set('authorization', author.auth)
          .expect(200)
      ).body.items.filter((i: { prisonerId: string }) => i.prisonerId === prisonerId);
    const review = (id: string, body: object, user = author) =>
      t.http
        .post(`/api/v1/assessments/${id}/trigger-reviews`)
        .set('authorization', user.auth)
        .send(body);

    it('an event whose trigger says review is closed by a recorded review, not a reassessment', async () => {
      const { prisoner, id } = await approvedAssessment();
      const info = await event(prisoner.id, 'new_information');
      expect(info.makesDue).toEqual([
        expect.objectContaining({ instrumentKey: 've-risk-spj', action: 'review' }),
      ]);
      const incident = await event(prisoner.id, 'serious_incident');
      // Both listed at once, whatever the horizon, each with its action.
      expect(
        (await due(prisoner.id)).map(
          (i: { reason: string; action: string; event: { id: string } }) => [
            i.reason,
            i.action,
            i.event.id,
          ],
        ),
      ).toEqual(
        expect.arrayContaining([
          ['event', 'review', info.id],
          ['event', 'reassess', incident.id],
        ]),
      );

      await review(id, { eventId: info.id, outcome: 'no_change', rationale: 'short' }).expect(400);
      await review(
        id,
        {
          eventId: info.id,
          outcome: 'no_change',
          rationale: 'Nothing in the report changes a rating',
        },
        security,
      ).expect(403);
      const recorded = await review(id, {
        eventId: info.id,
        outcome: 'no_change',
        rationale: 'Nothing in the report changes a rating',
      }).expect(201);
      expect(recorded.body).toMatchObject({
        assessmentId: id,
        eventId: info.id,
        eventType: 'new_information',
        outcome: 'no_change',
        reviewer: { id: author.id },
        reviewedOn: new Date().toISOString().slice(0, 10),
      });
      const after = await due(prisoner.id);
      expect(after.map((i: { event: { id: string } }) => i.event.id)).toEqual([incident.id]);

      const again = await review(id, {
        eventId: info.id,
        outcome: 'no_change',
        rationale: 'Nothing in the report changes a rating',
      }).expect(409);
      expect(again.body.code).toBe('already_reviewed');
      const notReview = await review(id, {
        eventId: incident.id,
        outcome: 'no_change',
        rationale: 'A serious incident needs a reassessment',
      }).expect(422);
      expect(notReview.body.code).toBe('no_review_due');

      const [audit] = await t.db.query(
        `SELECT actor_id, details FROM audit_event WHERE action = 'assessment.trigger_review'
           AND outcome = 'success' AND entity_id = $1`,
        [id],
      );
      expect(audit).toMatchObject({
        actor_id: author.id,
        details: expect.objectContaining({ outcome: 'no_change', eventId: info.id }),
      });
      expect(JSON.stringify(audit)).not.toContain('changes a rating');
    });

    it('a review that decides to reassess makes a reassessment due at once', async () => {
      const { prisoner, id } = await approvedAssessment();
      const info = await event(prisoner.id, 'new_information');
      await review(id, {
        eventId: info.id,
        outcome: 'reassess',
        rationale: 'The report describes new contacts: SC01 needs rating again',
      }).expect(201);
      expect(await due(prisoner.id)).toEqual([
        expect.objectContaining({ reason: 'review_outcome', action: 'reassess', assessmentId: id }),
      ]);
    });
  });
});
