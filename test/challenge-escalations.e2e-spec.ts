import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  Factories,
  type TestFacility,
  type TestPrisoner,
  type TestUser,
} from './factories/index.js';
import { createTestApp, type TestApp } from './support/test-app.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const WORDS = 'The incident report names the wrong man. I was in the workshop.';
const SUMMARY =
  'The ombudsman found the workshop log credible and asks for the rating to be revised.';
const daysFrom = (date: string, days: number) =>
  new Date(Date.parse(`${date}T00:00:00Z`) + days * 86400e3).toISOString().slice(0, 10);
const today = () => new Date().toISOString().slice(0, 10);
const FAR = '2099-12-31';

/** Escalation of a rejected or late challenge to an outside authority (Mandela Rule 57(1)). */
describe('challenge escalations (Mandela Rule 57(1))', () => {
  let t: TestApp;
  let f: Factories;
  let a: TestFacility;
  let b: TestFacility;
  let assessor: TestUser;
  let countersigner: TestUser;
  let reviewer: TestUser;
  let psychologist: TestUser;
  let pve: TestUser;
  let security: TestUser;
  let supervisor: TestUser;

  beforeAll(async () => {
    t = await createTestApp({ env: { CHALLENGE_RESPONSE_PERIOD: '10d' } });
    f = new Factories(t);
    a = await f.facility({ code: 'ES-A' });
    b = await f.facility({ code: 'ES-B' });
    assessor = await f.user(['psychologist'], [a]);
    countersigner = await f.user(['psychologist'], [a]);
    reviewer = await f.user(['psychologist'], [a]);
    psychologist = await f.user(['psychologist'], [a]);
    pve = await f.user(['pve_inspector'], [a]);
    security = await f.user(['security_officer'], [a]);
    supervisor = await f.user(['supervisor'], [a]);
  });
  afterAll(async () => {
    // Every exchange matched the OpenAPI document (both endpoints' requests and answers).
    expect(t.contractViolations).toEqual([]);
    await t.close();
  });

  const assessment = (p: TestPrisoner, approvedAt?: string) =>
    f.approvedAssessment(p, assessor, countersigner, {
      instrumentKey: 've-risk-spj',
      ...(approvedAt ? { approvedAt } : {}),
    });
  /** A challenge of an approved assessment routed to the reviewer, answered `outcome` unless null. */
  const challenge = async (
    p: TestPrisoner,
    outcome: 'upheld' | 'partly_upheld' | 'not_upheld' | null,
    receivedOn = today(),
    assessmentId?: string,
  ): Promise<Json> => {
    const created = await t.http
      .post(`/api/v1/prisoners/${p.id}/challenges`)
      .set('authorization', security.auth)
      .send({
        targetType: 'assessment',
        targetId: assessmentId ?? (await assessment(p)),
        receivedOn,
        words: WORDS,
        assignedToId: reviewer.id,
      })
      .expect(201);
    if (outcome === null) return created.body;
    return (
      await t.http
        .post(`/api/v1/challenges/${created.body.id}/answer`)
        .set('authorization', reviewer.auth)
        .send({ outcome, response: 'The rating rests on two sources.' })
        .expect(200)
    ).body;
  };
  const escalate = (id: string, body: Json, user = security) =>
    t.http.post(`/api/v1/challenges/${id}/escalations`).set('authorization', user.auth).send(body);
  const decide = (id: string, escalationId: string, body: Json, user = supervisor) =>
    t.http
      .post(`/api/v1/challenges/${id}/escalations/${escalationId}/decision`)
      .set('authorization', user.auth)
      .send(body);
  const read = (id: string, user: TestUser) =>
    t.http.get(`/api/v1/challenges/${id}`).set('authorization', user.auth).expect(200);
  const due = async (user: TestUser) =>
    (
      await t.http
        .get(`/api/v1/reviews/due?before=${FAR}&limit=100`)
        .set('authorization', user.auth)
        .expect(200)
    ).body.items as Json[];
  const escalationRows = async (challengeId: string) =>
    (
      await t.db.query(
        `SELECT count(*)::int AS count FROM challenge_escalation WHERE challenge_id = $1`,
        [challengeId],
      )
    )[0].count as number;
  const OMBUDSMAN = {
    authority: 'ombudsman',
    authorityName: 'Human Rights Ombudsman',
    referredOn: today(),
    reference: 'OMB-2026/117',
  };

  it('a challenge answered not upheld is escalated (grounds rejected), and again to a court', async () => {
    const p = await f.prisoner(a);
    const c = await challenge(p, 'not_upheld');
    const first = await escalate(c.id, OMBUDSMAN).expect(201);
    expect(first.body.id).toBe(c.id);
    expect(first.body.escalations).toEqual([
      {
        id: expect.any(String),
        authority: 'ombudsman',
        authorityName: 'Human Rights Ombudsman',
        referredOn: today(),
        reference: 'OMB-2026/117',
        grounds: 'rejected',
        recordedBy: { id: security.id, displayName: expect.any(String) },
        recordedAt: expect.any(String),
        decision: null,
        amendmentDue: null,
        amended: false,
      },
    ]);
    const second = await escalate(c.id, {
      authority: 'judicial',
      authorityName: 'Regional court',
      referredOn: today(),
    }).expect(201);
    expect(second.body.escalations.map((e: Json) => [e.authority, e.reference])).toEqual([
      ['ombudsman', 'OMB-2026/117'],
      ['judicial', null],
    ]);
    // PVE inspectors, psychologists and supervisors record them too.
    for (const user of [pve, psychologist, supervisor])
      await escalate(c.id, { ...OMBUDSMAN, authority: 'other' }, user).expect(201);
    expect(await escalationRows(c.id)).toBe(5);
  });

  it('partly upheld is escalable (partly_rejected); upheld is not, and neither is an open challenge not yet due', async () => {
    const p = await f.prisoner(a);
    const partly = await challenge(p, 'partly_upheld');
    const res = await escalate(partly.id, OMBUDSMAN).expect(201);
    expect(res.body.escalations[0].grounds).toBe('partly_rejected');

    const upheld = await challenge(p, 'upheld');
    const refused = await escalate(upheld.id, OMBUDSMAN).expect(409);
    expect(refused.body).toMatchObject({ code: 'challenge_not_escalable' });
    expect(refused.body.detail).toContain('upheld');

    const open = await challenge(p, null);
    const early = await escalate(open.id, OMBUDSMAN).expect(409);
    expect(early.body.code).toBe('challenge_not_escalable');
    expect(early.body.detail).toContain(open.respondBy);
    expect(await escalationRows(upheld.id)).toBe(0);
    expect(await escalationRows(open.id)).toBe(0);
  });

  it('an open challenge past its deadline is escalable for undue delay', async () => {
    const p = await f.prisoner(a);
    const received = daysFrom(today(), -20);
    const late = await challenge(p, null, received);
    expect(late.overdue).toBe(true);
    const res = await escalate(late.id, {
      authority: 'central_administration',
      authorityName: 'Penitentiary Committee',
      referredOn: daysFrom(today(), -3),
    }).expect(201);
    expect(res.body.status).toBe('open');
    expect(res.body.escalations[0]).toMatchObject({
      grounds: 'delayed',
      referredOn: daysFrom(today(), -3),
    });
  });

  it('names every failing field; dates not in the future nor before the challenge; nothing is written', async () => {
    const p = await f.prisoner(a);
    const received = daysFrom(today(), -5);
    const c = await challenge(p, 'not_upheld', received);
    const bad = await escalate(c.id, {
      authority: 'court',
      authorityName: '',
      referredOn: '2026-13-01',
      reference: 'x'.repeat(201),
    }).expect(400);
    expect(bad.body.errors.map((e: Json) => e.path).sort()).toEqual([
      'authority',
      'authorityName',
      'reference',
      'referredOn',
    ]);
    const missing = await escalate(c.id, {}).expect(400);
    expect(missing.body.errors.map((e: Json) => e.path).sort()).toEqual([
      'authority',
      'authorityName',
      'referredOn',
    ]);
    const future = await escalate(c.id, { ...OMBUDSMAN, referredOn: daysFrom(today(), 1) }).expect(
      400,
    );
    expect(future.body.errors.map((e: Json) => e.path)).toEqual(['referredOn']);
    const before = await escalate(c.id, {
      ...OMBUDSMAN,
      referredOn: daysFrom(received, -1),
    }).expect(400);
    expect(before.body.errors.map((e: Json) => e.path)).toEqual(['referredOn']);
    await escalate(c.id, { ...OMBUDSMAN, referredOn: received }).expect(201);
    expect(await escalationRows(c.id)).toBe(1);
    // Not a UUID: 400 naming it; no such challenge: 404.
    await escalate('nope', OMBUDSMAN).expect(400);
    await escalate('00000000-0000-4000-8000-000000000000', OMBUDSMAN).expect(404);
  });

  it('takes an Idempotency-Key: a retry gets the first answer, not a second escalation', async () => {
    const p = await f.prisoner(a);
    const c = await challenge(p, 'not_upheld');
    const send = () =>
      escalate(c.id, OMBUDSMAN).set('idempotency-key', `escalate-${c.id}`).expect(201);
    const first = await send();
    const again = await send();
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toEqual(first.body);
    expect(await escalationRows(c.id)).toBe(1);
  });

  it('the outside decision is recorded once, by supervisors and impartial psychologists', async () => {
    const p = await f.prisoner(a);
    const c = await challenge(p, 'not_upheld', daysFrom(today(), -10));
    const escalated = (
      await escalate(c.id, { ...OMBUDSMAN, referredOn: daysFrom(today(), -5) }).expect(201)
    ).body;
    const e = escalated.escalations[0];
    const body = { decidedOn: today(), outcome: 'not_upheld', summary: SUMMARY };
    // Not the roles that record it; not the assessor or countersigner of what is challenged.
    await decide(c.id, e.id, body, security).expect(403);
    await decide(c.id, e.id, body, pve).expect(403);
    const author = await decide(c.id, e.id, body, countersigner).expect(403);
    expect(author.body.detail).toContain('author');
    const outsider = await f.user(['supervisor'], [b]);
    await decide(c.id, e.id, body, outsider).expect(404);
    await decide(c.id, '00000000-0000-4000-8000-000000000000', body).expect(404);
    // Bad input names every field.
    const bad = await decide(c.id, e.id, {
      decidedOn: 'soon',
      outcome: 'quashed',
      summary: '',
    }).expect(400);
    expect(bad.body.errors.map((x: Json) => x.path).sort()).toEqual([
      'decidedOn',
      'outcome',
      'summary',
    ]);
    const future = await decide(c.id, e.id, { ...body, decidedOn: daysFrom(today(), 2) }).expect(
      400,
    );
    expect(future.body.errors.map((x: Json) => x.path)).toEqual(['decidedOn']);
    const early = await decide(c.id, e.id, {
      ...body,
      decidedOn: daysFrom(today(), -6),
    }).expect(400);
    expect(early.body.errors.map((x: Json) => x.path)).toEqual(['decidedOn']);

    const decided = (await decide(c.id, e.id, body, psychologist).expect(200)).body;
    expect(decided.escalations[0]).toMatchObject({
      id: e.id,
      decision: {
        decidedOn: today(),
        outcome: 'not_upheld',
        summary: SUMMARY,
        recordedBy: { id: psychologist.id },
      },
      amendmentDue: null,
      amended: false,
    });
    const twice = await decide(c.id, e.id, { ...body, outcome: 'upheld' }).expect(409);
    expect(twice.body.code).toBe('already_decided');
    await decide(c.id, e.id, body).expect(409);
    const [row] = await t.db.query(
      `SELECT outcome, decided_recorded_by FROM challenge_escalation WHERE id = $1`,
      [e.id],
    );
    expect(row).toEqual({ outcome: 'not_upheld', decided_recorded_by: psychologist.id });
  });

  it('an upheld outside decision makes an amendment due until a newer approved assessment exists', async () => {
    const p = await f.prisoner(a);
    const assessmentId = await assessment(p, new Date(Date.now() - 86400e3).toISOString());
    const c = await challenge(p, 'not_upheld', today(), assessmentId);
    const e = (await escalate(c.id, OMBUDSMAN).expect(201)).body.escalations[0];
    // Recorded but undecided: nothing due.
    expect((await due(supervisor)).some((d) => d.challengeId === c.id)).toBe(false);
    const decided = (
      await decide(c.id, e.id, {
        decidedOn: today(),
        outcome: 'partly_upheld',
        summary: SUMMARY,
      }).expect(200)
    ).body;
    expect(decided.escalations[0].amendmentDue).toBe(daysFrom(today(), 28));
    for (const user of [reviewer, pve, security, supervisor]) {
      const item = (await due(user)).find((d) => d.challengeId === c.id);
      expect(item).toEqual({
        id: `escalation_amendment:${e.id}`,
        kind: 'amendment',
        reason: 'escalation_upheld',
        prisonerId: p.id,
        prisonNumber: p.prisonNumber,
        prisonerName: expect.any(String),
        facilityId: a.id,
        dueDate: daysFrom(today(), 28),
        overdue: false,
        challengeId: c.id,
        assessmentId,
      });
    }
    const elsewhere = await f.user(['psychologist'], [b]);
    expect((await due(elsewhere)).some((d) => d.challengeId === c.id)).toBe(false);

    await assessment(p, new Date(Date.now() + 1000).toISOString());
    expect((await due(reviewer)).some((d) => d.challengeId === c.id)).toBe(false);
    expect((await read(c.id, reviewer)).body.escalations[0].amended).toBe(true);
  });

  it('views: the decision’s summary is in the full view only; inspectors read the rest', async () => {
    const p = await f.prisoner(a);
    const c = await challenge(p, 'not_upheld');
    const e = (await escalate(c.id, OMBUDSMAN).expect(201)).body.escalations[0];
    await decide(c.id, e.id, {
      decidedOn: today(),
      outcome: 'declined',
      summary: SUMMARY,
    }).expect(200);
    for (const user of [reviewer, supervisor]) {
      const full = (await read(c.id, user)).body;
      expect(full.view).toBe('full');
      expect(full.escalations[0].decision.summary).toBe(SUMMARY);
    }
    const inspector = await f.inspector([a]);
    for (const user of [security, pve, inspector]) {
      const summary = (await read(c.id, user)).body;
      expect(summary.view).toBe('summary');
      expect(summary.escalations[0]).toMatchObject({
        authority: 'ombudsman',
        authorityName: 'Human Rights Ombudsman',
        reference: 'OMB-2026/117',
        grounds: 'rejected',
        decision: { decidedOn: today(), outcome: 'declined', recordedBy: { id: supervisor.id } },
      });
      expect(summary.escalations[0].decision.summary).toBeUndefined();
      expect(JSON.stringify(summary)).not.toContain('workshop log');
    }
    // Inspectors read, never write.
    await escalate(c.id, OMBUDSMAN, inspector).expect(403);
    await decide(
      c.id,
      e.id,
      { decidedOn: today(), outcome: 'upheld', summary: 'x' },
      inspector,
    ).expect(403);
    // The list carries them too.
    const list = await t.http
      .get(`/api/v1/prisoners/${p.id}/challenges`)
      .set('authorization', security.auth)
      .expect(200);
    expect(list.body.items[0].escalations).toHaveLength(1);
    expect(list.body.items[0].escalations[0].decision.summary).toBeUndefined();
  });

  it('audits both with identifiers and codes only, and refusals as denied', async () => {
    const p = await f.prisoner(a);
    const c = await challenge(p, 'not_upheld');
    const e = (await escalate(c.id, OMBUDSMAN).expect(201)).body.escalations[0];
    await decide(c.id, e.id, {
      decidedOn: today(),
      outcome: 'upheld',
      summary: SUMMARY,
    }).expect(200);
    await decide(
      c.id,
      e.id,
      { decidedOn: today(), outcome: 'upheld', summary: 'x' },
      assessor,
    ).expect(403);
    const rows: Json[] = await t.db.query(
      `SELECT action, outcome, actor_id, entity_type, entity_id, prisoner_id, details, changed_fields
       FROM audit_event WHERE action IN ('challenge.escalate', 'challenge.escalation_decision')
         AND prisoner_id = $1 ORDER BY seq`,
      [p.id],
    );
    expect(rows).toEqual([
      {
        action: 'challenge.escalate',
        outcome: 'success',
        actor_id: security.id,
        entity_type: 'challenge_escalation',
        entity_id: e.id,
        prisoner_id: p.id,
        details: { challengeId: c.id, authority: 'ombudsman', grounds: 'rejected' },
        changed_fields: ['authority', 'authorityName', 'grounds', 'reference', 'referredOn'],
      },
      {
        action: 'challenge.escalation_decision',
        outcome: 'success',
        actor_id: supervisor.id,
        entity_type: 'challenge_escalation',
        entity_id: e.id,
        prisoner_id: p.id,
        details: { challengeId: c.id, authority: 'ombudsman', outcome: 'upheld' },
        changed_fields: ['amendmentDue', 'decidedOn', 'outcome', 'summary'],
      },
      {
        action: 'challenge.escalation_decision',
        outcome: 'denied',
        actor_id: assessor.id,
        entity_type: 'challenge_escalation',
        entity_id: e.id,
        prisoner_id: p.id,
        details: { challengeId: c.id },
        changed_fields: null,
      },
    ]);
    const text = JSON.stringify(rows);
    for (const content of ['Human Rights Ombudsman', 'OMB-2026', 'workshop', 'wrong man'])
      expect(text).not.toContain(content);
  });

  it('the subject-access copy holds the escalations with their challenge', async () => {
    const p = await f.prisoner(a);
    const c = await challenge(p, 'not_upheld');
    const e = (await escalate(c.id, OMBUDSMAN).expect(201)).body.escalations[0];
    await decide(c.id, e.id, {
      decidedOn: today(),
      outcome: 'partly_upheld',
      summary: SUMMARY,
    }).expect(200);
    const request = (
      await t.http
        .post(`/api/v1/prisoners/${p.id}/subject-access-requests`)
        .set('authorization', supervisor.auth)
        .send({ receivedOn: today() })
        .expect(201)
    ).body;
    const contents = (
      await t.http
        .get(`/api/v1/subject-access-requests/${request.id}/contents`)
        .set('authorization', supervisor.auth)
        .expect(200)
    ).body;
    const record = contents.records.find((r: Json) => r.type === 'challenge' && r.id === c.id);
    const field = record.fields.find((x: Json) => x.name === 'escalations');
    expect(field.element).toBe(`challenge/${c.id}/escalations`);
    for (const expected of [
      'authority: ombudsman',
      'authorityName: Human Rights Ombudsman',
      'reference: OMB-2026/117',
      'grounds: rejected',
      'outcome: partly_upheld',
      `summary: ${SUMMARY}`,
      `amendmentDue: ${daysFrom(today(), 28)}`,
    ])
      expect(field.value).toContain(expected);
    // A challenge never escalated has none.
    const quiet = await challenge(p, 'upheld');
    const again = (
      await t.http
        .get(`/api/v1/subject-access-requests/${request.id}/contents`)
        .set('authorization', supervisor.auth)
        .expect(200)
    ).body;
    const none = again.records
      .find((r: Json) => r.id === quiet.id)
      .fields.find((x: Json) => x.name === 'escalations');
    expect(none.value).toBeNull();
  });

  it('the database keeps the decision whole and the sets closed', async () => {
    const p = await f.prisoner(a);
    const c = await challenge(p, 'not_upheld');
    const e = (await escalate(c.id, OMBUDSMAN).expect(201)).body.escalations[0];
    await expect(
      t.db.query(`UPDATE challenge_escalation SET outcome = 'upheld' WHERE id = $1`, [e.id]),
    ).rejects.toThrow(/challenge_escalation_(decision|amendment)_check/);
    await expect(
      t.db.query(`UPDATE challenge_escalation SET authority = 'press' WHERE id = $1`, [e.id]),
    ).rejects.toThrow(/challenge_escalation_authority_check/);
    await expect(
      t.db.query(`DELETE FROM challenge_escalation WHERE id = $1`, [e.id]),
    ).rejects.toThrow(/never deleted/);
  });
});
