import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  Factories,
  type TestFacility,
  type TestPrisoner,
  type TestUser,
} from './factories/index.js';
import { createTestApp, type TestApp } from './support/test-app.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const WORDS =
  'I never said I support violence. The officer wrote down what another man said on the wing.';
const daysFrom = (date: string, days: number) =>
  new Date(Date.parse(`${date}T00:00:00Z`) + days * 86400e3).toISOString().slice(0, 10);
const today = () => new Date().toISOString().slice(0, 10);
const FAR = '2099-12-31';

describe('challenges (Mandela Rules 54-57)', () => {
  let t: TestApp;
  let f: Factories;
  let a: TestFacility;
  let b: TestFacility;
  let assessor: TestUser;
  let countersigner: TestUser;
  let reviewer: TestUser;
  let pve: TestUser;
  let security: TestUser;
  let supervisor: TestUser;

  beforeAll(async () => {
    t = await createTestApp({ env: { CHALLENGE_RESPONSE_PERIOD: '10d' } });
    f = new Factories(t);
    a = await f.facility({ code: 'CH-A' });
    b = await f.facility({ code: 'CH-B' });
    assessor = await f.user(['psychologist'], [a]);
    countersigner = await f.user(['psychologist'], [a]);
    reviewer = await f.user(['psychologist'], [a]);
    pve = await f.user(['pve_inspector'], [a]);
    security = await f.user(['security_officer'], [a]);
    supervisor = await f.user(['supervisor'], [a]);
    // Busy reviewers are routed to last: the supervisor has an open challenge already.
  });
  afterAll(() => t.close());

  const assessment = (p: TestPrisoner, key = 've-risk-spj', approvedAt?: string) =>
    f.approvedAssessment(p, assessor, countersigner, {
      instrumentKey: key,
      ...(key === 've-needs' ? { needs: [{ code: 'ideology', priority: 'high' }] } : {}),
      ...(approvedAt ? { approvedAt } : {}),
    });
  const record = (p: TestPrisoner, body: Json, user = security) =>
    t.http.post(`/api/v1/prisoners/${p.id}/challenges`).set('authorization', user.auth).send(body);
  const read = (id: string, user: TestUser) =>
    t.http.get(`/api/v1/challenges/${id}`).set('authorization', user.auth);
  const answer = (id: string, user: TestUser, body: Json) =>
    t.http.post(`/api/v1/challenges/${id}/answer`).set('authorization', user.auth).send(body);
  const due = async (user: TestUser) => {
    const res = await t.http
      .get(`/api/v1/reviews/due?before=${FAR}&limit=100`)
      .set('authorization', user.auth)
      .expect(200);
    return res.body.items as Json[];
  };

  it('records the prisoner’s words verbatim, routes to someone who did not author it, and notes the event', async () => {
    const p = await f.prisoner(a);
    const assessmentId = await assessment(p);
    const res = await record(p, {
      targetType: 'assessment',
      targetId: assessmentId,
      receivedOn: today(),
      words: WORDS,
    }).expect(201);
    // The security officer who took it down reads the summary only: no words.
    expect(res.body).toMatchObject({
      view: 'summary',
      targetType: 'assessment',
      assessmentId,
      planId: null,
      status: 'open',
      outcome: null,
      respondBy: daysFrom(today(), 10),
      amendmentDue: null,
      recordedBy: { id: security.id },
    });
    expect(res.body.words).toBeUndefined();
    expect([assessor.id, countersigner.id]).not.toContain(res.body.assignedTo.id);
    expect([reviewer.id, supervisor.id]).toContain(res.body.assignedTo.id);

    const full = (await read(res.body.id, reviewer).expect(200)).body;
    expect(full).toMatchObject({ view: 'full', words: WORDS });
    expect((await read(res.body.id, supervisor).expect(200)).body.words).toBe(WORDS);
    // Challenges of an assessment can quote clinical content: programme and security roles
    // read the summary.
    for (const user of [pve, security]) {
      const summary = (await read(res.body.id, user).expect(200)).body;
      expect(summary.view).toBe('summary');
      expect(JSON.stringify(summary)).not.toContain('never said');
    }
    const [event] = await t.db.query(`SELECT type FROM prisoner_event WHERE prisoner_id = $1`, [
      p.id,
    ]);
    expect(event.type).toBe('assessment_challenged');
    const [audit] = await t.db.query(
      `SELECT details, changed_fields FROM audit_event WHERE action = 'challenge.create' AND entity_id = $1`,
      [res.body.id],
    );
    expect(audit.changed_fields).toContain('words');
    expect(JSON.stringify(audit.details)).not.toContain('violence');
  });

  it('refuses an author as the one to answer, and a record that is not the prisoner’s', async () => {
    const p = await f.prisoner(a);
    const other = await f.prisoner(a);
    const assessmentId = await assessment(p);
    const byAuthor = await record(p, {
      targetType: 'assessment',
      targetId: assessmentId,
      receivedOn: today(),
      words: WORDS,
      assignedToId: countersigner.id,
    }).expect(400);
    expect(byAuthor.body.errors.map((e: Json) => e.path)).toEqual(['assignedToId']);
    const notTheirs = await record(other, {
      targetType: 'assessment',
      targetId: assessmentId,
      receivedOn: today(),
      words: WORDS,
    }).expect(400);
    expect(notTheirs.body.errors.map((e: Json) => e.path)).toEqual(['targetId']);
    const bad = await record(p, { targetType: 'decision', receivedOn: '2026-13-01' }).expect(400);
    expect(bad.body.errors.map((e: Json) => e.path).sort()).toEqual([
      'receivedOn',
      'targetId',
      'targetType',
      'words',
    ]);
    const [{ count }] = await t.db.query(
      `SELECT count(*)::int AS count FROM challenge WHERE prisoner_id IN ($1, $2)`,
      [p.id, other.id],
    );
    expect(count).toBe(0);
  });

  it('is answered only by the one it is routed to, once, with reasons and an outcome', async () => {
    const p = await f.prisoner(a);
    const created = (
      await record(p, {
        targetType: 'assessment',
        targetId: await assessment(p),
        receivedOn: today(),
        words: WORDS,
        assignedToId: reviewer.id,
      }).expect(201)
    ).body;
    const body = {
      outcome: 'not_upheld',
      response: 'The rating rests on two independent sources.',
    };
    await answer(created.id, assessor, body).expect(403);
    await answer(created.id, supervisor, body).expect(403);
    await answer(created.id, security, body).expect(403);
    await answer(created.id, reviewer, { outcome: 'maybe' }).expect(400);
    const answered = (await answer(created.id, reviewer, body).expect(200)).body;
    expect(answered).toMatchObject({
      status: 'answered',
      outcome: 'not_upheld',
      response: body.response,
      answeredBy: { id: reviewer.id },
      amendmentDue: null,
      amended: false,
    });
    await answer(created.id, reviewer, body).expect(409);
    // Not upheld: nothing falls due.
    expect((await due(reviewer)).some((d) => d.challengeId === created.id)).toBe(false);
  });

  it('a challenge makes an amendment due until a newer approved assessment exists', async () => {
    const p = await f.prisoner(a);
    const assessmentId = await assessment(
      p,
      've-risk-spj',
      new Date(Date.now() - 86400e3).toISOString(),
    );
    const created = (
      await record(p, {
        targetType: 'assessment',
        targetId: assessmentId,
        receivedOn: today(),
        words: WORDS,
        assignedToId: reviewer.id,
      }).expect(201)
    ).body;
    // Open: its answer is due by the deadline, in the reviewer's list.
    const open = (await due(reviewer)).find((d) => d.challengeId === created.id);
    expect(open).toMatchObject({
      kind: 'challenge_response',
      reason: 'challenge',
      dueDate: created.respondBy,
      prisonerId: p.id,
      assessmentId,
    });
    const answered = (
      await answer(created.id, reviewer, {
        outcome: 'upheld',
        response: 'The incident was misattributed; the rating will be revised.',
      }).expect(200)
    ).body;
    expect(answered.amendmentDue).toBe(daysFrom(today(), 28));
    for (const user of [reviewer, pve, security, supervisor]) {
      const item = (await due(user)).find((d) => d.challengeId === created.id);
      expect(item).toMatchObject({
        id: `amendment:${created.id}`,
        kind: 'amendment',
        reason: 'challenge_upheld',
        dueDate: answered.amendmentDue,
        assessmentId,
      });
    }
    // Out of scope: not listed.
    const elsewhere = await f.user(['psychologist'], [b]);
    expect((await due(elsewhere)).some((d) => d.challengeId === created.id)).toBe(false);

    // A newer approved assessment with the same instrument is the amendment.
    await assessment(p, 've-risk-spj', new Date(Date.now() + 1000).toISOString());
    expect((await due(reviewer)).some((d) => d.challengeId === created.id)).toBe(false);
    expect((await read(created.id, reviewer).expect(200)).body.amended).toBe(true);
  });

  it('challenges of a plan: programme staff read them in full; a partly upheld one makes an amendment due', async () => {
    const p = await f.prisoner(a);
    const needs = await assessment(p, 've-needs');
    const plan = (
      await t.http
        .post(`/api/v1/prisoners/${p.id}/plans`)
        .set('authorization', pve.auth)
        .send({ basedOnAssessmentId: needs })
        .expect(201)
    ).body;
    const created = (
      await record(
        p,
        {
          targetType: 'plan',
          targetId: plan.id,
          receivedOn: today(),
          words: 'I want education first.',
        },
        pve,
      ).expect(201)
    ).body;
    expect(created).toMatchObject({
      view: 'full',
      words: 'I want education first.',
      planId: plan.id,
    });
    expect(created.assignedTo.id).not.toBe(pve.id);
    expect((await read(created.id, security).expect(200)).body.view).toBe('summary');
    const assignee = [reviewer, supervisor, assessor, countersigner].find(
      (u) => u.id === created.assignedTo.id,
    )!;
    await answer(created.id, assignee, {
      outcome: 'partly_upheld',
      response: 'Education moves up; the dialogue stays offered.',
    }).expect(200);
    const item = (await due(pve)).find((d) => d.challengeId === created.id);
    expect(item).toMatchObject({ kind: 'amendment', planId: plan.id });
    const list = await t.http
      .get(`/api/v1/prisoners/${p.id}/challenges`)
      .set('authorization', security.auth)
      .expect(200);
    expect(list.body.items).toHaveLength(1);
    expect(list.body.items[0].words).toBeUndefined();
  });

  it('lists the caller’s own queue and hides other facilities', async () => {
    const p = await f.prisoner(a);
    const created = (
      await record(p, {
        targetType: 'assessment',
        targetId: await assessment(p),
        receivedOn: today(),
        words: WORDS,
        assignedToId: supervisor.id,
      }).expect(201)
    ).body;
    const mine = await t.http
      .get('/api/v1/challenges?assignedToMe=true&status=open')
      .set('authorization', supervisor.auth)
      .expect(200);
    expect(mine.body.items.map((c: Json) => c.id)).toContain(created.id);
    expect(mine.body.items.every((c: Json) => c.assignedTo.id === supervisor.id)).toBe(true);
    const outsider = await f.user(['supervisor'], [b]);
    await read(created.id, outsider).expect(404);
    const theirs = await t.http
      .get('/api/v1/challenges')
      .set('authorization', outsider.auth)
      .expect(200);
    expect(theirs.body.items.some((c: Json) => c.id === created.id)).toBe(false);
  });
});
