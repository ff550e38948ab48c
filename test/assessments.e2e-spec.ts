import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  Factories,
  type TestFacility,
  type TestPrisoner,
  type TestUser,
} from './factories/index.js';
import { completeRatings, instrumentItems } from './support/assessment-helpers.js';
import { createTestApp, type TestApp } from './support/test-app.js';

describe('assessments: structured professional judgement, four eyes, revisions', () => {
  let t: TestApp;
  let f: Factories;
  let a: TestFacility;
  let b: TestFacility;
  let author: TestUser;
  let second: TestUser;
  let uncertified: TestUser;
  let pve: TestUser;
  let security: TestUser;
  let supervisor: TestUser;
  let items: { code: string; kind: string }[];
  let needsItems: { code: string; kind: string }[];

  beforeAll(async () => {
    t = await createTestApp();
    f = new Factories(t);
    a = await f.facility({ code: 'ASM-A' });
    b = await f.facility({ code: 'ASM-B' });
    author = await f.user(['psychologist'], [a]);
    second = await f.user(['psychologist'], [a]);
    uncertified = await f.user(['psychologist'], [a]);
    pve = await f.user(['pve_inspector'], [a]);
    security = await f.user(['security_officer'], [a]);
    supervisor = await f.user(['supervisor'], [a]);
    await f.certify(author.id, 've-risk-spj');
    await f.certify(second.id, 've-risk-spj');
    items = await instrumentItems(t, author.auth, 've-risk-spj');
    needsItems = await instrumentItems(t, author.auth, 've-needs');
  });
  afterAll(() => t.close());

  const create = (prisoner: TestPrisoner, user = author, body: Record<string, unknown> = {}) =>
    t.http
      .post(`/api/v1/prisoners/${prisoner.id}/assessments`)
      .set('authorization', user.auth)
      .send({
        instrumentKey: 've-risk-spj',
        instrumentVersion: '1.0.0',
        reason: 'intake',
        ...body,
      });
  const patch = (id: string, version: number, body: Record<string, unknown>, user = author) =>
    t.http
      .patch(`/api/v1/assessments/${id}`)
      .set('authorization', user.auth)
      .set('if-match', String(version))
      .send(body);
  const judgement = {
    formulation: 'FORMULATION-TEXT: grievance-driven engagement with a peer network',
    finalRiskLevel: 'low',
    finalRationale: 'RATIONALE-TEXT',
    recommendations: [
      { text: 'SECURITY-REC: routine searches', tag: 'security' },
      { text: 'PROGRAMME-REC: mentoring', tag: 'programme' },
      { text: 'CLINICAL-REC: trauma-focused work', tag: 'clinical' },
    ],
    prisonerParticipation: {
      informedOn: '2026-11-01',
      participated: 'yes',
      prisonerComments: 'PRISONER-WORDS: I disagree with item BA02',
    },
    scenarios: [{ title: 'SCENARIO-TITLE', description: 'SCENARIO-TEXT' }],
  };

  /** An approved assessment of a fresh prisoner, through the API. */
  async function approved(prisoner?: TestPrisoner, instrumentKey = 've-risk-spj') {
    prisoner ??= await f.prisoner(a);
    const draft = (await create(prisoner, author, { instrumentKey }).expect(201)).body;
    const content =
      instrumentKey === 've-needs'
        ? {
            ratings: completeRatings(needsItems, { lowCode: 'none', moderateCode: 'some' }),
            ...judgement,
            formulation: undefined,
            finalRiskLevel: undefined,
            finalRationale: undefined,
            needs: [{ code: 'identity_belonging', priority: 'medium' }],
          }
        : { ratings: completeRatings(items), ...judgement };
    const edited = (await patch(draft.id, draft.version, content).expect(200)).body;
    await t.http
      .post(`/api/v1/assessments/${draft.id}/submit`)
      .set('authorization', author.auth)
      .expect(200);
    const done = await t.http
      .post(`/api/v1/assessments/${draft.id}/countersign`)
      .set('authorization', second.auth)
      .send({ decision: 'approve' })
      .expect(200);
    return { prisoner, id: draft.id as string, body: done.body, edited };
  }

  it('takes an intake assessment from draft to approved with a second psychologist', async () => {
    const prisoner = await f.prisoner(a);
    const draft = await create(prisoner).expect(201);
    expect(draft.body).toMatchObject({
      prisonerId: prisoner.id,
      status: 'draft',
      revision: 1,
      version: 1,
      view: 'full',
      instrument: { key: 've-risk-spj', version: '1.0.0', purpose: 'risk' },
      indicative: expect.objectContaining({ indicativeLevel: null, canSubmit: false }),
    });
    const ratings = completeRatings(items);
    const saved = await patch(draft.body.id, 1, { ratings }).expect(200);
    expect(saved.headers.etag).toBe('"2"');
    // The ratings meet the instrument's rules; the judgement is still owed, so no submit yet.
    expect(saved.body.indicative).toMatchObject({ indicativeLevel: 'low', canSubmit: false });
    expect(saved.body.indicative.reasons.map((r: { code: string }) => r.code).sort()).toEqual([
      'final_level_required',
      'formulation_required',
      'participation_required',
    ]);
    expect(saved.body.ratings[items[0].code]).toMatchObject({
      value: 'moderate',
      label: 'Moderate',
      sources: ['interview', 'file_review'],
    });

    const incomplete = await t.http
      .post(`/api/v1/assessments/${draft.body.id}/submit`)
      .set('authorization', author.auth)
      .expect(422);
    expect(incomplete.body.code).toBe('assessment_incomplete');
    expect(incomplete.body.reasons.map((r: { code: string }) => r.code).sort()).toEqual([
      'final_level_required',
      'formulation_required',
      'participation_required',
    ]);

    await patch(draft.body.id, 2, judgement).expect(200);
    const submitted = await t.http
      .post(`/api/v1/assessments/${draft.body.id}/submit`)
      .set('authorization', author.auth)
      .expect(200);
    expect(submitted.body.status).toBe('submitted');
    await patch(draft.body.id, submitted.body.version, { formulation: 'late change' }).expect(409);

    const own = await t.http
      .post(`/api/v1/assessments/${draft.body.id}/countersign`)
      .set('authorization', author.auth)
      .send({ decision: 'approve' })
      .expect(403);
    expect(own.body.code).toBe('own_assessment');
    const notCertified = await t.http
      .post(`/api/v1/assessments/${draft.body.id}/countersign`)
      .set('authorization', uncertified.auth)
      .send({ decision: 'approve' })
      .expect(403);
    expect(notCertified.body.code).toBe('certification_required');
    await t.http
      .post(`/api/v1/assessments/${draft.body.id}/countersign`)
      .set('authorization', second.auth)
      .send({ decision: 'return' })
      .expect(400);
    const returned = await t.http
      .post(`/api/v1/assessments/${draft.body.id}/countersign`)
      .set('authorization', second.auth)
      .send({ decision: 'return', comments: 'Evidence for BA02 needs a second source' })
      .expect(200);
    expect(returned.body.status).toBe('returned');
    expect(returned.body.history.at(-1)).toMatchObject({
      from: 'submitted',
      to: 'returned',
      comments: 'Evidence for BA02 needs a second source',
    });

    await patch(draft.body.id, returned.body.version, {
      ratings: { [items[1].code]: { value: 'low' } },
    }).expect(200);
    await t.http
      .post(`/api/v1/assessments/${draft.body.id}/submit`)
      .set('authorization', author.auth)
      .expect(200);
    const done = await t.http
      .post(`/api/v1/assessments/${draft.body.id}/countersign`)
      .set('authorization', second.auth)
      .send({ decision: 'approve' })
      .expect(200);
    const inTwelveMonths = new Date();
    inTwelveMonths.setUTCFullYear(inTwelveMonths.getUTCFullYear() + 1);
    expect(done.body).toMatchObject({
      status: 'approved',
      countersigner: { id: second.id },
      finalRiskLevel: 'low',
      nextReviewDue: inTwelveMonths.toISOString().slice(0, 10),
    });
    await patch(draft.body.id, done.body.version, { formulation: 'after approval' }).expect(409);
  });

  it('needs a rationale when the final level departs from the indicative band', async () => {
    const prisoner = await f.prisoner(a);
    const draft = (await create(prisoner).expect(201)).body;
    await patch(draft.id, 1, {
      ratings: completeRatings(items),
      ...judgement,
      finalRiskLevel: 'moderate',
      finalRationale: null,
    }).expect(200);
    const res = await t.http
      .post(`/api/v1/assessments/${draft.id}/submit`)
      .set('authorization', author.auth)
      .expect(422);
    expect(res.body.reasons).toEqual([
      expect.objectContaining({ code: 'rationale_required', field: 'finalRationale' }),
    ]);
  });

  it('reports every missing piece at submit: unanswered items, evidence, not-rated reasons', async () => {
    const prisoner = await f.prisoner(a);
    const draft = (await create(prisoner).expect(201)).body;
    await patch(draft.id, 1, {
      ratings: { [items[0].code]: { value: 'high' }, [items[1].code]: { notRated: true } },
      ...judgement,
    }).expect(200);
    const res = await t.http
      .post(`/api/v1/assessments/${draft.id}/submit`)
      .set('authorization', author.auth)
      .expect(422);
    const codes = new Set(res.body.reasons.map((r: { code: string }) => r.code));
    expect([...codes]).toEqual(
      expect.arrayContaining([
        'unanswered',
        'evidence_required',
        'not_rated_reason_required',
        'minimum_rated',
      ]),
    );
  });

  it('checks ratings against the pinned instrument, naming each bad path', async () => {
    const prisoner = await f.prisoner(a);
    const draft = (await create(prisoner).expect(201)).body;
    const res = await patch(draft.id, 1, {
      ratings: {
        NOPE: { value: 'low' },
        [items[0].code]: { value: 'extreme', sources: ['rumour'], colour: 'red' },
      },
      finalRiskLevel: 'catastrophic',
      needs: [{ code: 'not_a_need', priority: 'high' }],
    }).expect(400);
    expect(res.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(
      [
        'finalRiskLevel',
        'needs[0].code',
        `ratings.${items[0].code}.colour`,
        `ratings.${items[0].code}.sources`,
        `ratings.${items[0].code}.value`,
        'ratings.NOPE',
      ].sort(),
    );
    const after = await t.http
      .get(`/api/v1/assessments/${draft.id}`)
      .set('authorization', author.auth)
      .expect(200);
    expect(after.body.version).toBe(1);
  });

  it('clears fields sent as null, lists to empty (never a 500)', async () => {
    const draft = (await create(await f.prisoner(a)).expect(201)).body;
    const filled = (await patch(draft.id, 1, judgement).expect(200)).body;
    expect(filled.scenarios).toHaveLength(1);
    const cleared = await patch(draft.id, filled.version, {
      scenarios: null,
      needs: null,
      recommendations: null,
      formulation: null,
      prisonerParticipation: null,
    }).expect(200);
    expect(cleared.body).toMatchObject({
      scenarios: [],
      needs: [],
      recommendations: [],
      formulation: null,
      prisonerParticipation: null,
    });
  });

  it('lets only the assessor edit, and only a certified psychologist in scope create', async () => {
    const prisoner = await f.prisoner(a);
    const draft = (await create(prisoner).expect(201)).body;
    await patch(draft.id, 1, { formulation: 'x' }, second).expect(403);
    await create(await f.prisoner(a), uncertified).expect(403);
    await create(await f.prisoner(b)).expect(404);
    await create(prisoner, pve).expect(403);
    const again = await create(prisoner).expect(409);
    expect(again.body).toMatchObject({
      code: 'assessment_in_progress',
      openAssessmentId: draft.id,
    });
    await create(await f.prisoner(a), author, { reason: 'event' }).expect(400);
    await create(await f.prisoner(a), author, { instrumentKey: 'no-such-thing' }).expect(422);
  });

  it('refuses new assessments on a retired version, and keeps the old ones readable', async () => {
    const t2 = await createTestApp();
    try {
      const f2 = new Factories(t2);
      const facility = await f2.facility();
      const psychologist = await f2.user(['psychologist'], [facility]);
      const prisoner = await f2.prisoner(facility);
      const draft = await t2.http
        .post(`/api/v1/prisoners/${prisoner.id}/assessments`)
        .set('authorization', psychologist.auth)
        .send({ instrumentKey: 've-needs', reason: 'intake' })
        .expect(201);
      // The newest active version: 1.0.1 (1.0.0 with its Russian text).
      expect(draft.body.instrument).toMatchObject({ key: 've-needs', version: '1.0.1' });
      await t2.db.query(
        `UPDATE instrument_version SET status = 'retired', retired_at = now() WHERE key = 've-needs'`,
      );
      const refused = await t2.http
        .post(`/api/v1/prisoners/${(await f2.prisoner(facility)).id}/assessments`)
        .set('authorization', psychologist.auth)
        .send({ instrumentKey: 've-needs', instrumentVersion: '1.0.0', reason: 'intake' })
        .expect(422);
      expect(refused.body.code).toBe('instrument_not_active');
      const old = await t2.http
        .get(`/api/v1/assessments/${draft.body.id}`)
        .set('authorization', psychologist.auth)
        .expect(200);
      expect(old.body.instrument).toMatchObject({ key: 've-needs', version: '1.0.1' });
    } finally {
      await t2.close();
    }
  });

  it('concurrent PATCHes with one version: exactly one wins', async () => {
    const draft = (await create(await f.prisoner(a)).expect(201)).body;
    const results = await Promise.all(
      ['one', 'two', 'three', 'four'].map((text) => patch(draft.id, 1, { formulation: text })),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 409, 409, 409]);
    await t.http
      .patch(`/api/v1/assessments/${draft.id}`)
      .set('authorization', author.auth)
      .send({ formulation: 'x' })
      .expect(428);
  });

  it('amends an approved assessment as revision 2; approval supersedes revision 1', async () => {
    const first = await approved();
    const amended = await t.http
      .post(`/api/v1/assessments/${first.id}/amend`)
      .set('authorization', second.auth)
      .send({ reason: 'New information from the intelligence unit' })
      .expect(201);
    expect(amended.body).toMatchObject({
      status: 'draft',
      revision: 2,
      supersedesId: first.id,
      assessor: { id: second.id },
      formulation: judgement.formulation,
    });
    await t.http
      .post(`/api/v1/assessments/${first.id}/amend`)
      .set('authorization', second.auth)
      .send({ reason: 'Another amendment at once' })
      .expect(409);
    expect(
      (
        await t.http
          .get(`/api/v1/assessments/${first.id}`)
          .set('authorization', author.auth)
          .expect(200)
      ).body.status,
    ).toBe('approved');
    await t.http
      .post(`/api/v1/assessments/${amended.body.id}/submit`)
      .set('authorization', second.auth)
      .expect(200);
    await t.http
      .post(`/api/v1/assessments/${amended.body.id}/countersign`)
      .set('authorization', author.auth)
      .send({ decision: 'approve' })
      .expect(200);
    expect(
      (
        await t.http
          .get(`/api/v1/assessments/${first.id}`)
          .set('authorization', author.auth)
          .expect(200)
      ).body.status,
    ).toBe('superseded');
    const list = await t.http
      .get(`/api/v1/prisoners/${first.prisoner.id}/assessments`)
      .set('authorization', author.auth)
      .expect(200);
    expect(
      list.body.items.map((x: { revision: number; status: string }) => `${x.revision}:${x.status}`),
    ).toEqual(['2:approved', '1:superseded']);
    const timeline = await t.http
      .get(`/api/v1/prisoners/${first.prisoner.id}/risk-timeline`)
      .set('authorization', pve.auth)
      .expect(200);
    expect(timeline.body.entries).toHaveLength(2);
    expect(timeline.body.entries[0]).toMatchObject({
      finalRiskLevel: 'low',
      indicativeLevel: 'low',
      domains: expect.any(Array),
    });
  });

  it('cancels an assessment entered in error, keeping it', async () => {
    const draft = (await create(await f.prisoner(a)).expect(201)).body;
    const res = await t.http
      .post(`/api/v1/assessments/${draft.id}/cancel`)
      .set('authorization', author.auth)
      .send({ reason: 'Opened for the wrong prisoner' })
      .expect(200);
    expect(res.body).toMatchObject({
      status: 'cancelled',
      cancelReason: 'Opened for the wrong prisoner',
    });
    await t.db.query(`DELETE FROM assessment WHERE id = $1`, [draft.id]).then(
      () => {
        throw new Error('delete should be refused');
      },
      (e: Error) => expect(e.message).toContain('never deleted'),
    );
  });

  describe('views', () => {
    const SECURITY_KEYS = [
      'approvedAt',
      'finalRiskLevel',
      'id',
      'instrument',
      'judgementLevels',
      'nextReviewDue',
      'prisonerId',
      'recommendations',
      'revision',
      'status',
      'version',
      'view',
      'warnings',
    ];
    const CONTENT = [
      'EVIDENCE-FOR',
      'EVIDENCE-AGAINST',
      'FORMULATION-TEXT',
      'RATIONALE-TEXT',
      'CLINICAL-REC',
      'PRISONER-WORDS',
      'SCENARIO-TEXT',
      'not repeated since',
    ];

    it('gives security officers only the security view, by every endpoint', async () => {
      const { prisoner, id } = await approved();
      const one = await t.http
        .get(`/api/v1/assessments/${id}`)
        .set('authorization', security.auth)
        .expect(200);
      expect(Object.keys(one.body).sort()).toEqual(SECURITY_KEYS);
      expect(one.body).toMatchObject({
        view: 'security',
        finalRiskLevel: 'low',
        recommendations: [{ text: 'SECURITY-REC: routine searches', tag: 'security' }],
      });
      const list = await t.http
        .get(`/api/v1/prisoners/${prisoner.id}/assessments`)
        .set('authorization', security.auth)
        .expect(200);
      const timeline = await t.http
        .get(`/api/v1/prisoners/${prisoner.id}/risk-timeline`)
        .set('authorization', security.auth)
        .expect(200);
      expect(Object.keys(list.body.items[0]).sort()).toEqual(SECURITY_KEYS);
      expect(timeline.body.entries[0]).not.toHaveProperty('domains');
      const text = JSON.stringify([one.body, list.body, timeline.body]);
      for (const marker of [...CONTENT, 'PROGRAMME-REC']) expect(text).not.toContain(marker);
    });

    it('gives PVE inspectors and supervisors the programme view: no evidence, formulation or clinical text', async () => {
      const { prisoner, id } = await approved();
      for (const user of [pve, supervisor]) {
        const one = await t.http
          .get(`/api/v1/assessments/${id}`)
          .set('authorization', user.auth)
          .expect(200);
        expect(one.body.view).toBe('programme');
        expect(one.body.recommendations.map((r: { tag: string }) => r.tag).sort()).toEqual([
          'programme',
          'security',
        ]);
        for (const key of [
          'ratings',
          'formulation',
          'scenarios',
          'finalRationale',
          'prisonerParticipation',
          'history',
        ])
          expect(one.body).not.toHaveProperty(key);
        const list = await t.http
          .get(`/api/v1/prisoners/${prisoner.id}/assessments`)
          .set('authorization', user.auth)
          .expect(200);
        const text = JSON.stringify([one.body, list.body]);
        for (const marker of CONTENT) expect(text).not.toContain(marker);
      }
    });

    it('shows others no judgement of an assessment that is not countersigned yet', async () => {
      const draft = (await create(await f.prisoner(a)).expect(201)).body;
      await patch(draft.id, 1, judgement).expect(200);
      const sec = await t.http
        .get(`/api/v1/assessments/${draft.id}`)
        .set('authorization', security.auth)
        .expect(200);
      expect(sec.body).toMatchObject({
        status: 'draft',
        finalRiskLevel: null,
        recommendations: [],
      });
      const prog = await t.http
        .get(`/api/v1/assessments/${draft.id}`)
        .set('authorization', pve.auth)
        .expect(200);
      expect(prog.body).toMatchObject({ finalRiskLevel: null, recommendations: [], needs: [] });
    });

    it('answers 404 out of scope and honours emergency grants with the same view', async () => {
      const { id, prisoner } = await approved();
      const outsider = await f.user(['security_officer'], [b]);
      await t.http.get(`/api/v1/assessments/${id}`).set('authorization', outsider.auth).expect(404);
      await f.grant(outsider, prisoner);
      const res = await t.http
        .get(`/api/v1/assessments/${id}`)
        .set('authorization', outsider.auth)
        .expect(200);
      expect(res.body.view).toBe('security');
      expect(res.body.emergencyAccessId).toEqual(expect.any(String));
      const [event] = await t.db.query(
        `SELECT purpose, details FROM audit_event WHERE action = 'assessment.read' AND actor_id = $1 AND outcome = 'success'`,
        [outsider.id],
      );
      expect(event.details).toMatchObject({
        emergencyAccessId: res.body.emergencyAccessId,
        view: 'security',
      });
    });
  });

  it('audits reads and transitions with field names only', async () => {
    const { id } = await approved();
    const rows = await t.db.query(
      `SELECT action, changed_fields, details FROM audit_event WHERE entity_id = $1 ORDER BY seq`,
      [id],
    );
    expect(rows.map((r: { action: string }) => r.action)).toEqual([
      'assessment.create',
      'assessment.update',
      'assessment.submit',
      'assessment.countersign',
    ]);
    expect(rows[1].changed_fields).toEqual(
      expect.arrayContaining(['formulation', `ratings.${items[0].code}`]),
    );
    const text = JSON.stringify(await t.db.query(`SELECT * FROM audit_event`));
    for (const marker of ['EVIDENCE-FOR', 'FORMULATION-TEXT', 'PRISONER-WORDS'])
      expect(text).not.toContain(marker);
  });

  describe('reassessment: events and reviews due', () => {
    it('a serious incident makes a reassessment due; the list shows it beside the scheduled one', async () => {
      const { prisoner, id } = await approved();
      const event = await t.http
        .post(`/api/v1/prisoners/${prisoner.id}/events`)
        .set('authorization', security.auth)
        .send({
          type: 'serious_incident',
          occurredAt: new Date().toISOString(),
          note: 'Assault on a member of staff',
        })
        .expect(201);
      expect(event.body.makesDue).toEqual([
        expect.objectContaining({ instrumentKey: 've-risk-spj', action: 'reassess' }),
      ]);
      const due = await t.http
        .get('/api/v1/reviews/due')
        .query({ before: '2099-12-31', limit: 100 })
        .set('authorization', supervisor.auth)
        .expect(200);
      const mine = due.body.items.filter(
        (d: { prisonerId: string }) => d.prisonerId === prisoner.id,
      );
      expect(mine.map((d: { reason: string }) => d.reason).sort()).toEqual(['event', 'scheduled']);
      expect(mine.find((d: { reason: string }) => d.reason === 'event')).toMatchObject({
        kind: 'reassessment',
        assessmentId: id,
        event: { type: 'serious_incident' },
      });
      await t.http
        .post(`/api/v1/prisoners/${prisoner.id}/events`)
        .set('authorization', security.auth)
        .send({ type: 'gossip', occurredAt: 'yesterday' })
        .expect(400);
    });

    it('a transfer through the prisoner record raises a transfer event', async () => {
      const { prisoner } = await approved();
      await t.http
        .post(`/api/v1/prisoners/${prisoner.id}/transfer`)
        .set('authorization', security.auth)
        .send({ facilityId: b.id, reason: 'Dispersal' })
        .expect(200);
      const officerB = await f.user(['security_officer'], [b]);
      const events = await t.http
        .get(`/api/v1/prisoners/${prisoner.id}/events`)
        .set('authorization', officerB.auth)
        .expect(200);
      expect(events.body.items.map((e: { type: string }) => e.type)).toEqual(['transfer']);
      const due = await t.http
        .get('/api/v1/reviews/due')
        .query({ before: '2099-12-31', facilityId: b.id })
        .set('authorization', officerB.auth)
        .expect(200);
      expect(
        due.body.items.some(
          (d: { prisonerId: string; event?: { type: string } }) =>
            d.prisonerId === prisoner.id && d.event?.type === 'transfer',
        ),
      ).toBe(true);
    });

    it('lists prisoners with no risk assessment as intake due, and pages with a cursor', async () => {
      const c = await f.facility({ code: 'ASM-C' });
      const reader = await f.user(['supervisor'], [c]);
      for (let i = 0; i < 3; i++) await f.prisoner(c);
      const first = await t.http
        .get('/api/v1/reviews/due')
        .query({ limit: 2 })
        .set('authorization', reader.auth)
        .expect(200);
      expect(first.body.items).toHaveLength(2);
      expect(first.body.items.every((d: { reason: string }) => d.reason === 'intake')).toBe(true);
      const second = await t.http
        .get('/api/v1/reviews/due')
        .query({ limit: 2, cursor: first.body.nextCursor })
        .set('authorization', reader.auth)
        .expect(200);
      expect(second.body.items).toHaveLength(1);
      expect(second.body.nextCursor).toBeNull();
    });
  });
  const submit = (id: string, user = author) =>
    t.http.post(`/api/v1/assessments/${id}/submit`).set('authorization', user.auth);
  const amend = (id: string, user = author) =>
    t.http
      .post(`/api/v1/assessments/${id}/amend`)
      .set('authorization', user.auth)
      .send({ reason: 'New information from the intelligence unit' });
  const openOf = async (prisonerId: string) =>
    (
      await t.db.query(
        `SELECT id FROM assessment WHERE prisoner_id = $1 AND status IN ('draft', 'submitted', 'returned')`,
        [prisonerId],
      )
    ).map((r: { id: string }) => r.id);

  describe('one open assessment per prisoner and instrument', () => {
    it('refuses an amendment while another assessment of the instrument is open, naming it', async () => {
      const first = await approved();
      const draft = (await create(first.prisoner, second, { reason: 'periodic' }).expect(201)).body;
      const res = await amend(first.id).expect(409);
      expect(res.body).toMatchObject({
        code: 'assessment_in_progress',
        openAssessmentId: draft.id,
      });
      expect(await openOf(first.prisoner.id)).toEqual([draft.id]);
    });

    it('refuses a new assessment while an amendment is open, naming it', async () => {
      const first = await approved();
      const amendment = (await amend(first.id).expect(201)).body;
      const res = await create(first.prisoner, second, { reason: 'periodic' }).expect(409);
      expect(res.body).toMatchObject({
        code: 'assessment_in_progress',
        openAssessmentId: amendment.id,
      });
    });

    it('lets the other instrument start meanwhile', async () => {
      const first = await approved();
      await amend(first.id).expect(201);
      await create(first.prisoner, author, { instrumentKey: 've-needs' }).expect(201);
    });

    it('concurrent creates: exactly one wins, the others name it', async () => {
      for (let round = 0; round < 3; round++) {
        const prisoner = await f.prisoner(a);
        const results = await Promise.all(
          [author, second, author, second].map((user) => create(prisoner, user)),
        );
        expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409, 409]);
        const winner = results.find((r) => r.status === 201)!.body.id;
        for (const lost of results.filter((r) => r.status === 409))
          expect(lost.body).toMatchObject({
            code: 'assessment_in_progress',
            openAssessmentId: winner,
          });
        expect(await openOf(prisoner.id)).toEqual([winner]);
      }
    });

    it('a concurrent create and amendment: exactly one wins', async () => {
      for (let round = 0; round < 3; round++) {
        const first = await approved();
        const results = await Promise.all([
          create(first.prisoner, second, { reason: 'periodic' }),
          amend(first.id, author),
          amend(first.id, second),
        ]);
        expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409]);
        const winner = results.find((r) => r.status === 201)!.body.id;
        for (const lost of results.filter((r) => r.status === 409))
          expect(lost.body.openAssessmentId).toBe(winner);
        expect(await openOf(first.prisoner.id)).toEqual([winner]);
      }
    });

    it('the database refuses a second open assessment whatever the path', async () => {
      const prisoner = await f.prisoner(a);
      await f.openAssessment(prisoner, author, 'draft', 've-risk-spj');
      await expect(f.openAssessment(prisoner, second, 'submitted', 've-risk-spj')).rejects.toThrow(
        /assessment_open_instrument_key/,
      );
      await f.openAssessment(prisoner, author, 'draft', 've-needs');
    });
  });

  describe('submit rules', () => {
    const participation = judgement.prisonerParticipation;

    it('refuses a needs assessment whose ratings indicate needs until the needs are recorded', async () => {
      const draft = (
        await create(await f.prisoner(a), author, { instrumentKey: 've-needs' }).expect(201)
      ).body;
      const saved = (
        await patch(draft.id, 1, {
          ratings: completeRatings(needsItems, { lowCode: 'none', moderateCode: 'some' }),
          prisonerParticipation: participation,
        }).expect(200)
      ).body;
      const res = await submit(draft.id).expect(422);
      expect(res.body.reasons).toEqual([
        expect.objectContaining({ code: 'needs_required', field: 'needs' }),
      ]);
      expect(res.body.reasons[0].message).toContain('identity_belonging');
      await patch(draft.id, saved.version, {
        needs: [{ code: 'identity_belonging', priority: 'medium' }],
      }).expect(200);
      await submit(draft.id).expect(200);
    });

    it('submits a needs assessment that indicates no need without needs', async () => {
      const draft = (
        await create(await f.prisoner(a), author, { instrumentKey: 've-needs' }).expect(201)
      ).body;
      await patch(draft.id, 1, {
        ratings: completeRatings(needsItems, { moderate: 0, lowCode: 'none' }),
        prisonerParticipation: participation,
      }).expect(200);
      await submit(draft.id).expect(200);
    });

    it('indicative.canSubmit is false whenever submit refuses, with the same reasons', async () => {
      const draft = (await create(await f.prisoner(a)).expect(201)).body;
      const codes = (reasons: { code: string }[]) => reasons.map((r) => r.code).sort();
      const steps: Record<string, unknown>[] = [
        {},
        { ratings: completeRatings(items) },
        { ...judgement, finalRiskLevel: 'moderate', finalRationale: null },
        { finalRiskLevel: 'low', prisonerParticipation: null, formulation: '  ' },
        // A rationale is owed for every final level, even one that matches the band.
        { prisonerParticipation: participation, formulation: judgement.formulation },
        { finalRationale: judgement.finalRationale },
      ];
      let current = draft;
      let submitted = false;
      for (const step of steps) {
        if (Object.keys(step).length > 0)
          current = (await patch(draft.id, current.version, step).expect(200)).body;
        const asOther = await t.http
          .get(`/api/v1/assessments/${draft.id}`)
          .set('authorization', second.auth)
          .expect(200);
        expect(asOther.body.indicative.canSubmit).toBe(false);
        await submit(draft.id, second).expect(403);
        const res = await submit(draft.id);
        if (res.status === 200) {
          expect(current.indicative.canSubmit).toBe(true);
          expect(current.indicative.reasons).toEqual([]);
          submitted = true;
          break;
        }
        expect(res.status).toBe(422);
        expect(current.indicative.canSubmit).toBe(false);
        expect(codes(current.indicative.reasons)).toEqual(codes(res.body.reasons));
      }
      expect(submitted).toBe(true);
      const after = await t.http
        .get(`/api/v1/assessments/${draft.id}`)
        .set('authorization', author.auth)
        .expect(200);
      expect(after.body.indicative.canSubmit).toBe(false);
      await submit(draft.id).expect(409);
    });
  });

  describe('domain summaries each role receives', () => {
    const RISK_ALL = ['BA', 'SC', 'HC', 'CM', 'PF'];
    const RISK_SHAREABLE = ['BA', 'PF'];
    const NEEDS_ALL = ['ID', 'GR', 'IG', 'SN', 'FA', 'ED', 'EM', 'MH', 'PR'];
    const NEEDS_SHAREABLE = ['ID', 'GR', 'IG', 'SN', 'ED', 'EM', 'PR'];
    type Domains = string[] | 'none';
    const expected = (): [TestUser, Record<string, Domains>][] => [
      [author, { 've-risk-spj': RISK_ALL, 've-needs': NEEDS_ALL }],
      [pve, { 've-risk-spj': RISK_SHAREABLE, 've-needs': NEEDS_SHAREABLE }],
      [supervisor, { 've-risk-spj': RISK_SHAREABLE, 've-needs': NEEDS_SHAREABLE }],
      [security, { 've-risk-spj': 'none', 've-needs': 'none' }],
    ];
    const ofAssessment = (body: {
      instrument?: { key: string };
      indicative?: { domains: { code: string }[] };
    }): Domains =>
      body.indicative === undefined ? 'none' : body.indicative.domains.map((d) => d.code);

    it('on single reads, both lists and the risk timeline', async () => {
      const prisoner = await f.prisoner(a);
      const risk = await approved(prisoner, 've-risk-spj');
      const needs = await approved(prisoner, 've-needs');
      for (const [user, want] of expected()) {
        for (const [key, id] of [
          ['ve-risk-spj', risk.id],
          ['ve-needs', needs.id],
        ]) {
          const one = await t.http
            .get(`/api/v1/assessments/${id}`)
            .set('authorization', user.auth)
            .expect(200);
          expect([user.roles[0], key, ofAssessment(one.body)]).toEqual([
            user.roles[0],
            key,
            want[key],
          ]);
        }
        const list = await t.http
          .get(`/api/v1/prisoners/${prisoner.id}/assessments`)
          .set('authorization', user.auth)
          .expect(200);
        const listed = Object.fromEntries(
          list.body.items.map((i: { instrument: { key: string } }) => [
            i.instrument.key,
            ofAssessment(i),
          ]),
        );
        expect([user.roles[0], listed]).toEqual([user.roles[0], want]);
        const timeline = await t.http
          .get(`/api/v1/prisoners/${prisoner.id}/risk-timeline`)
          .set('authorization', user.auth)
          .expect(200);
        const onTimeline = Object.fromEntries(
          timeline.body.entries.map(
            (e: { instrument: { key: string }; domains?: { code: string }[] }) => [
              e.instrument.key,
              e.domains === undefined ? 'none' : e.domains.map((d) => d.code),
            ],
          ),
        );
        expect([user.roles[0], onTimeline]).toEqual([user.roles[0], want]);
        const mine = await t.http
          .get('/api/v1/assessments')
          .query({ status: 'approved', limit: 100 })
          .set('authorization', user.auth)
          .expect(200);
        const acrossPrisoners = Object.fromEntries(
          mine.body.items
            .filter((i: { prisonerId: string }) => i.prisonerId === prisoner.id)
            .map((i: { instrument: { key: string } }) => [i.instrument.key, ofAssessment(i)]),
        );
        expect([user.roles[0], acrossPrisoners]).toEqual([user.roles[0], want]);
      }
    });
  });

  it('writes exactly one denied event for each refused request', async () => {
    const { id, prisoner } = await approved();
    const draft = (await create(await f.prisoner(a)).expect(201)).body;
    const pending = await f.openAssessment(await f.prisoner(a), author, 'submitted', 've-needs');
    const outsider = await f.user(['psychologist'], [b]);
    await f.certify(outsider.id, 've-risk-spj');
    const body = { instrumentKey: 've-risk-spj', instrumentVersion: '1.0.0', reason: 'intake' };
    const cases: [string, string, TestUser, object | undefined, number, string][] = [
      ['get', `/assessments/${id}`, outsider, undefined, 404, 'assessment.read'],
      ['get', `/prisoners/${prisoner.id}/assessments`, outsider, undefined, 404, 'assessment.list'],
      [
        'get',
        `/prisoners/${prisoner.id}/risk-timeline`,
        outsider,
        undefined,
        404,
        'risk_timeline.read',
      ],
      ['post', `/prisoners/${prisoner.id}/assessments`, outsider, body, 404, 'assessment.create'],
      [
        'post',
        `/prisoners/${(await f.prisoner(a)).id}/assessments`,
        uncertified,
        body,
        403,
        'assessment.create',
      ],
      ['patch', `/assessments/${draft.id}`, second, { formulation: 'x' }, 403, 'assessment.update'],
      [
        'patch',
        `/assessments/${draft.id}`,
        outsider,
        { formulation: 'x' },
        404,
        'assessment.update',
      ],
      ['post', `/assessments/${draft.id}/submit`, second, undefined, 403, 'assessment.submit'],
      [
        'post',
        `/assessments/${draft.id}/cancel`,
        second,
        { reason: 'Not mine to cancel at all' },
        403,
        'assessment.cancel',
      ],
      [
        'post',
        `/assessments/${pending}/countersign`,
        author,
        { decision: 'approve' },
        403,
        'assessment.countersign',
      ],
      [
        'post',
        `/assessments/${id}/countersign`,
        outsider,
        { decision: 'approve' },
        404,
        'assessment.countersign',
      ],
      [
        'post',
        `/assessments/${id}/amend`,
        uncertified,
        { reason: 'Uncertified amendment try' },
        403,
        'assessment.amend',
      ],
      [
        'post',
        `/assessments/${id}/amend`,
        pve,
        { reason: 'A PVE inspector amendment' },
        403,
        'access.denied',
      ],
    ];
    for (const [i, [method, path, user, payload, status, action]] of cases.entries()) {
      const requestId = `deny-${i}-${Math.random().toString(36).slice(2, 10)}`;
      let req = t.http[method as 'get' | 'post' | 'patch'](`/api/v1${path}`)
        .set('authorization', user.auth)
        .set('x-request-id', requestId);
      if (method === 'patch') req = req.set('if-match', '1');
      const res = await (payload ? req.send(payload) : req);
      expect([path, res.status]).toEqual([path, status]);
      const events = await t.db.query(
        `SELECT action, outcome FROM audit_event WHERE request_id = $1`,
        [requestId],
      );
      expect([path, events]).toEqual([path, [{ action, outcome: 'denied' }]]);
    }
  });

  it('sends the version as ETag with every answer that carries an assessment', async () => {
    type Body = { id: string; version: number };
    const tagged = (res: { headers: Record<string, string>; body: Body }): Body => {
      expect(res.headers.etag).toBe(`"${res.body.version}"`);
      return res.body;
    };
    let current = tagged(await create(await f.prisoner(a)).expect(201));
    tagged(
      await t.http
        .get(`/api/v1/assessments/${current.id}`)
        .set('authorization', pve.auth)
        .expect(200),
    );
    current = tagged(
      await patch(current.id, current.version, {
        ratings: completeRatings(items),
        ...judgement,
      }).expect(200),
    );
    tagged(await submit(current.id).expect(200));
    const done = tagged(
      await t.http
        .post(`/api/v1/assessments/${current.id}/countersign`)
        .set('authorization', second.auth)
        .send({ decision: 'approve' })
        .expect(200),
    );
    const amendment = tagged(await amend(done.id).expect(201));
    tagged(
      await t.http
        .post(`/api/v1/assessments/${amendment.id}/cancel`)
        .set('authorization', author.auth)
        .send({ reason: 'Amendment opened by mistake' })
        .expect(200),
    );
  });
  describe('my work: GET /assessments', () => {
    let w: TestFacility;
    let x: TestFacility;
    let p1: TestUser;
    let p2: TestUser;
    let p3: TestUser;
    let px: TestUser;
    let wPve: TestUser;
    let wSecurity: TestUser;
    let prisoners: TestPrisoner[];
    /** a1 draft (A, p1, risk); a2 submitted (B, p2, risk); a3 submitted (C, p2, needs); a4 submitted (A, p1, needs); a5 submitted (D in X, p2, needs). */
    let ids: string[];

    beforeAll(async () => {
      w = await f.facility({ code: 'ASM-W' });
      x = await f.facility({ code: 'ASM-X' });
      p1 = await f.user(['psychologist'], [w]);
      p2 = await f.user(['psychologist'], [w, x]);
      p3 = await f.user(['psychologist'], [w]);
      px = await f.user(['psychologist'], [x]);
      wPve = await f.user(['pve_inspector'], [w]);
      wSecurity = await f.user(['security_officer'], [w]);
      for (const user of [p1, p2, px]) await f.certify(user.id, 've-risk-spj');
      prisoners = [
        await f.prisoner(w, { givenName: 'Ann', familyName: 'Able' }),
        await f.prisoner(w),
        await f.prisoner(w),
        await f.prisoner(x),
      ];
      const [pa, pb, pc, pd] = prisoners;
      ids = [
        await f.openAssessment(pa, p1, 'draft', 've-risk-spj'),
        await f.openAssessment(pb, p2, 'submitted', 've-risk-spj'),
        await f.openAssessment(pc, p2, 'submitted', 've-needs'),
        await f.openAssessment(pa, p1, 'submitted', 've-needs'),
        await f.openAssessment(pd, p2, 'submitted', 've-needs'),
      ];
    });

    const list = (user: TestUser, query: Record<string, unknown> | string = {}) =>
      t.http.get('/api/v1/assessments').query(query).set('authorization', user.auth);
    const idsOf = (res: { body: { items: { id: string }[] } }) => res.body.items.map((i) => i.id);
    const named = (...n: number[]) => n.map((i) => ids[i - 1]);

    it('lists the caller’s scope newest first, with the prisoner, paged by cursor', async () => {
      const all = await list(p1).expect(200);
      expect(idsOf(all)).toEqual(named(4, 3, 2, 1));
      expect(all.body.items[0]).toMatchObject({
        id: ids[3],
        prisonerId: prisoners[0].id,
        prisonNumber: prisoners[0].prisonNumber,
        prisonerName: 'Ann Able',
        view: 'full',
        status: 'submitted',
        instrument: { key: 've-needs' },
      });
      const first = await list(p1, { limit: 3 }).expect(200);
      expect(idsOf(first)).toEqual(named(4, 3, 2));
      const next = await list(p1, { limit: 3, cursor: first.body.nextCursor }).expect(200);
      expect(idsOf(next)).toEqual(named(1));
      expect(next.body.nextCursor).toBeNull();
      expect(idsOf(await list(p2).expect(200))).toEqual(named(5, 4, 3, 2, 1));
    });

    it('gives each role its view of each item', async () => {
      const pveList = await list(wPve).expect(200);
      expect(idsOf(pveList)).toEqual(named(4, 3, 2, 1));
      for (const item of pveList.body.items) {
        expect(item).toMatchObject({ view: 'programme', prisonNumber: expect.any(String) });
        expect(item).not.toHaveProperty('ratings');
      }
      const secList = await list(wSecurity).expect(200);
      for (const item of secList.body.items) {
        expect(item.view).toBe('security');
        expect(Object.keys(item)).not.toContain('assessor');
      }
    });

    it('filters by status, one or more', async () => {
      expect(idsOf(await list(p1, { status: 'submitted' }).expect(200))).toEqual(named(4, 3, 2));
      expect(idsOf(await list(p1, 'status=draft&status=returned').expect(200))).toEqual(named(1));
      expect(idsOf(await list(p1, { status: 'draft,submitted' }).expect(200))).toEqual(
        named(4, 3, 2, 1),
      );
      expect(idsOf(await list(p1, { status: 'approved' }).expect(200))).toEqual([]);
    });

    it('filters to the caller’s own with assessor=me', async () => {
      expect(idsOf(await list(p1, { assessor: 'me' }).expect(200))).toEqual(named(4, 1));
      expect(idsOf(await list(p2, { assessor: 'me', status: 'submitted' }).expect(200))).toEqual(
        named(5, 3, 2),
      );
      expect(idsOf(await list(wPve, { assessor: 'me' }).expect(200))).toEqual([]);
    });

    it('awaitingMyCountersignature: submitted, others’, in scope, certified where required', async () => {
      const awaiting = (user: TestUser) =>
        list(user, { awaitingMyCountersignature: 'true' }).expect(200).then(idsOf);
      expect(await awaiting(p1)).toEqual(named(3, 2));
      // Not certified for ve-risk-spj: only the needs assessments.
      expect(await awaiting(p3)).toEqual(named(4, 3));
      expect(await awaiting(p2)).toEqual(named(4));
      expect(await awaiting(wPve)).toEqual([]);
      expect(await awaiting(wSecurity)).toEqual([]);
      // Each one listed can be countersigned by the caller (return leaves it reusable).
      const canReturn = await t.http
        .post(`/api/v1/assessments/${ids[2]}/countersign`)
        .set('authorization', p3.auth)
        .send({ decision: 'return', comments: 'Checking the listed ones can be signed' })
        .expect(200);
      expect(canReturn.body.status).toBe('returned');
      expect(await awaiting(p3)).toEqual(named(4));
      expect(idsOf(await list(p1, { awaitingMyCountersignature: 'false' }).expect(200))).toEqual(
        named(4, 3, 2, 1),
      );
    });

    it('shows a prisoner opened by an emergency grant for reading only, audited per grant', async () => {
      const grantId = await f.grant(px, prisoners[0]);
      const requestId = `my-work-${Math.random().toString(36).slice(2, 10)}`;
      const res = await list(px).set('x-request-id', requestId).expect(200);
      expect(idsOf(res)).toEqual(named(5, 4, 1));
      expect(idsOf(await list(px, { awaitingMyCountersignature: 'true' }).expect(200))).toEqual(
        named(5),
      );
      const events = await t.db.query(
        `SELECT action, entity_type, prisoner_id, purpose, details FROM audit_event
         WHERE request_id = $1 ORDER BY seq`,
        [requestId],
      );
      expect(events).toEqual([
        expect.objectContaining({
          action: 'assessment.list',
          entity_type: 'assessment',
          prisoner_id: null,
          details: expect.objectContaining({ resultCount: 3, awaitingMyCountersignature: false }),
        }),
        expect.objectContaining({
          action: 'assessment.list',
          prisoner_id: prisoners[0].id,
          purpose: expect.stringContaining('Test grant'),
          details: { viaList: true, emergencyAccessId: grantId },
        }),
      ]);
    });

    it('refuses bad filters naming each, and administrators', async () => {
      const res = await list(p1, {
        status: 'draft,finished',
        assessor: 'you',
        awaitingMyCountersignature: 'maybe',
        cursor: 'nonsense',
      }).expect(400);
      expect(res.body.errors.map((e: { path: string }) => e.path).sort()).toEqual([
        'assessor',
        'awaitingMyCountersignature',
        'status',
      ]);
      await list(p1, { cursor: 'nonsense' }).expect(400);
      const admin = await f.user(['administrator']);
      await list(admin).expect(403);
    });
  });
  it('pages without losing assessments created within the same millisecond', async () => {
    const facility = await f.facility();
    const reader = await f.user(['psychologist'], [facility]);
    const prisoner = await f.prisoner(facility);
    const made = [
      await f.openAssessment(prisoner, author, 'draft', 've-risk-spj'),
      await f.openAssessment(prisoner, author, 'draft', 've-needs'),
      await f.approvedAssessment(prisoner, author, second),
    ];
    for (const [i, id] of made.entries())
      await t.db.query(`UPDATE assessment SET created_at = $2 WHERE id = $1`, [
        id,
        `2026-01-01T00:00:00.000${i + 1}00Z`,
      ]);
    for (const path of [`/api/v1/prisoners/${prisoner.id}/assessments`, '/api/v1/assessments']) {
      const seen: string[] = [];
      for (let cursor: string | undefined; ;) {
        const res = await t.http
          .get(path)
          .query(cursor ? { limit: 1, cursor } : { limit: 1 })
          .set('authorization', reader.auth)
          .expect(200);
        seen.push(...res.body.items.map((i: { id: string }) => i.id));
        if (!res.body.nextCursor) break;
        cursor = res.body.nextCursor;
      }
      expect([path, seen]).toEqual([path, [...made].reverse()]);
    }
  });
});
