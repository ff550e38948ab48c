import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  Factories,
  type TestFacility,
  type TestPrisoner,
  type TestUser,
} from './factories/index.js';
import { createTestApp, type TestApp } from './support/test-app.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const DAY = 86_400_000;
const inDays = (days: number) => new Date(Date.now() + days * DAY).toISOString().slice(0, 10);
const today = () => inDays(0);
const NOTE = 'Released on licence; collected by family at the gate';

/**
 * Discharge from custody (Mandela Rule 7(c)): a facility's supervisors take a prisoner off the
 * roll and may readmit them; the work that stops with it leaves `GET /reviews/due`, and what is
 * still owed (complaint answers, the official copy on release) stays.
 */
describe('discharge from custody', () => {
  let t: TestApp;
  let f: Factories;
  let a: TestFacility;
  let b: TestFacility;
  let supervisor: TestUser;
  let supervisorB: TestUser;
  let security: TestUser;
  let psychologist: TestUser;
  let pve: TestUser;
  let assessor: TestUser;
  let countersigner: TestUser;
  let inspector: TestUser;

  beforeAll(async () => {
    t = await createTestApp();
    f = new Factories(t);
    a = await f.facility({ code: 'DC-A' });
    b = await f.facility({ code: 'DC-B' });
    supervisor = await f.user(['supervisor'], [a]);
    supervisorB = await f.user(['supervisor'], [b]);
    security = await f.user(['security_officer'], [a]);
    psychologist = await f.user(['psychologist'], [a]);
    pve = await f.user(['pve_inspector'], [a]);
    assessor = await f.user(['psychologist'], [a]);
    countersigner = await f.user(['psychologist'], [a]);
    inspector = await f.inspector([a]);
  });
  afterAll(() => t.close());

  const read = async (p: TestPrisoner, user = supervisor): Promise<Json> =>
    (await t.http.get(`/api/v1/prisoners/${p.id}`).set('authorization', user.auth).expect(200))
      .body;
  const discharge = (p: TestPrisoner, version: number | null, body: Json, user = supervisor) => {
    const req = t.http.post(`/api/v1/prisoners/${p.id}/discharge`).set('authorization', user.auth);
    return (version === null ? req : req.set('if-match', String(version))).send(body);
  };
  const readmit = (p: TestPrisoner, version: number, body: Json, user = supervisor) =>
    t.http
      .post(`/api/v1/prisoners/${p.id}/readmit`)
      .set('authorization', user.auth)
      .set('if-match', String(version))
      .send(body);
  const due = async (user: TestUser, prisoner: TestPrisoner): Promise<Json[]> => {
    const res = await t.http
      .get(`/api/v1/reviews/due?limit=100&before=2100-01-01`)
      .set('authorization', user.auth)
      .expect(200);
    return (res.body.items as Json[]).filter((i) => i.prisonerId === prisoner.id);
  };
  const list = async (user: TestUser, query: string): Promise<string[]> => {
    const res = await t.http
      .get(`/api/v1/prisoners?limit=100&facilityId=${a.id}${query}`)
      .set('authorization', user.auth)
      .expect(200);
    return (res.body.items as Json[]).map((p) => p.id);
  };

  it('takes a prisoner off the roll: dates, reason, movement history, audit without the note', async () => {
    const p = await f.prisoner(a);
    const before = await read(p);
    expect(before).toMatchObject({ dischargedOn: null, dischargeReason: null });
    const res = await discharge(p, before.version, {
      dischargedOn: today(),
      reason: 'deceased',
      note: NOTE,
    })
      .set('x-request-id', 'discharge-audit')
      .expect(200);
    expect(res.body).toMatchObject({
      dischargedOn: today(),
      dischargeReason: 'deceased',
      version: before.version + 1,
    });
    expect(res.headers.etag).toBe(`"${before.version + 1}"`);
    expect(res.body.facilityHistory).toEqual([
      expect.objectContaining({
        reason: 'admission',
        dischargeReason: 'deceased',
        to: expect.any(String),
      }),
    ]);
    expect(JSON.stringify(res.body)).not.toContain(NOTE);
    const events = await t.db.query(
      `SELECT action, outcome, prisoner_id, facility_id, changed_fields, details
       FROM audit_event WHERE request_id = $1`,
      ['discharge-audit'],
    );
    expect(events).toEqual([
      expect.objectContaining({
        action: 'prisoner.discharge',
        outcome: 'success',
        prisoner_id: p.id,
        facility_id: a.id,
      }),
    ]);
    expect(events[0].details).toMatchObject({ reason: 'deceased' });
    expect(JSON.stringify(events)).not.toContain('licence');
  });

  it('refuses a second discharge (409 already_discharged) and a transfer of a discharged prisoner', async () => {
    const p = await f.prisoner(a);
    const done = (await discharge(p, 1, { dischargedOn: today(), reason: 'other' }).expect(200))
      .body;
    const again = await discharge(p, done.version, {
      dischargedOn: today(),
      reason: 'released',
    }).expect(409);
    expect(again.body.code).toBe('already_discharged');
    const transfer = await t.http
      .post(`/api/v1/prisoners/${p.id}/transfer`)
      .set('authorization', security.auth)
      .send({ facilityId: b.id, reason: 'Allocation review: dispersal' })
      .expect(409);
    expect(transfer.body.code).toBe('already_discharged');
    expect((await read(p)).facility.id).toBe(a.id);
  });

  it('needs If-Match: 428 without, 409 when stale, nothing written', async () => {
    const p = await f.prisoner(a);
    const body = { dischargedOn: today(), reason: 'released' };
    await discharge(p, null, body).expect(428);
    const stale = await discharge(p, 7, body).expect(409);
    expect(stale.body.code).toBe('version_conflict');
    expect(await read(p)).toMatchObject({ dischargedOn: null, version: 1 });
  });

  it('names every failing field: a future date, a date before admission, a bad reason, a long note', async () => {
    const p = await f.prisoner(a);
    const bad = await discharge(p, 1, {
      dischargedOn: '2020-13-01',
      reason: 'escaped',
      note: 'x'.repeat(2001),
    }).expect(400);
    const paths = (bad.body.errors as Json[]).map((e) => e.path).sort();
    expect(paths).toEqual(['dischargedOn', 'note', 'reason']);
    const future = await discharge(p, 1, { dischargedOn: inDays(2), reason: 'released' }).expect(
      400,
    );
    expect(future.body.errors).toEqual([expect.objectContaining({ path: 'dischargedOn' })]);
    const early = await discharge(p, 1, { dischargedOn: inDays(-3), reason: 'released' }).expect(
      400,
    );
    expect(early.body.errors).toEqual([expect.objectContaining({ path: 'dischargedOn' })]);
    expect(await read(p)).toMatchObject({ dischargedOn: null, version: 1 });
  });

  it('lets only the facility’s supervisors discharge; another facility’s gets 404', async () => {
    const p = await f.prisoner(a);
    for (const user of [security, psychologist, pve, inspector])
      await discharge(p, 1, { dischargedOn: today(), reason: 'released' }, user).expect(403);
    await discharge(p, 1, { dischargedOn: today(), reason: 'released' }, supervisorB).expect(404);
    await readmit(p, 1, { readmittedOn: today() }, supervisorB).expect(404);
    expect(await read(p)).toMatchObject({ dischargedOn: null, version: 1 });
  });

  it('readmits: back on the roll with a new stay; 409 not_discharged when held', async () => {
    const p = await f.prisoner(a);
    await readmit(p, 1, { readmittedOn: today() }).expect(409);
    const out = (await discharge(p, 1, { dischargedOn: today(), reason: 'other' }).expect(200))
      .body;
    const stale = await readmit(p, 1, { readmittedOn: today() }).expect(409);
    expect(stale.body.code).toBe('version_conflict');
    const back = await readmit(p, out.version, {
      readmittedOn: today(),
      note: 'Discharge recorded in error',
    })
      .set('x-request-id', 'readmit-audit')
      .expect(200);
    expect(back.body).toMatchObject({ dischargedOn: null, dischargeReason: null });
    expect(back.body.facilityHistory).toEqual([
      expect.objectContaining({
        reason: 'admission',
        dischargeReason: 'other',
        to: expect.stringMatching(new RegExp(`^${today()}`)),
      }),
      expect.objectContaining({
        facility: expect.objectContaining({ id: a.id }),
        from: expect.stringMatching(new RegExp(`^${today()}`)),
        reason: 'Discharge recorded in error',
        dischargeReason: null,
        to: null,
      }),
    ]);
    const events = await t.db.query(
      `SELECT action, details FROM audit_event WHERE request_id = $1`,
      ['readmit-audit'],
    );
    expect(events).toEqual([expect.objectContaining({ action: 'prisoner.readmit' })]);
    expect(JSON.stringify(events)).not.toContain('in error');
  });

  it('lists prisoners on the roll by default; onRoll=false the discharged, onRoll=all both', async () => {
    const held = await f.prisoner(a, { familyName: 'Rollheld' });
    const gone = await f.prisoner(a, { familyName: 'Rollgone' });
    await discharge(gone, 1, { dischargedOn: today(), reason: 'released' }).expect(200);
    const onRoll = await list(supervisor, '&q=Roll');
    expect(onRoll).toContain(held.id);
    expect(onRoll).not.toContain(gone.id);
    expect(await list(supervisor, '&q=Roll&onRoll=false')).toEqual([gone.id]);
    expect((await list(supervisor, '&q=Roll&onRoll=all')).sort()).toEqual(
      [held.id, gone.id].sort(),
    );
    await t.http
      .get('/api/v1/prisoners?onRoll=maybe')
      .set('authorization', supervisor.auth)
      .expect(400);
  });

  it('stops reassessments, intake assessments and plan reviews; keeps complaint answers', async () => {
    const p = await f.prisoner(a);
    await f.approvedAssessment(p, assessor, countersigner, {
      instrumentKey: 've-risk-spj',
      finalRiskLevel: 'moderate',
    });
    const complaint = await t.http
      .post(`/api/v1/prisoners/${p.id}/complaints`)
      .set('authorization', security.auth)
      .send({
        receivedOn: today(),
        madeBy: 'prisoner',
        subject: 'treatment_by_staff',
        allegesIllTreatment: false,
        words: 'The officer on night duty struck me twice when I asked for water.',
        assignedToId: supervisor.id,
      })
      .expect(201);
    const kinds = async (user: TestUser) => (await due(user, p)).map((i) => i.kind).sort();
    expect(await kinds(psychologist)).toContain('reassessment');
    expect(await kinds(supervisor)).toContain('complaint_response');
    const fresh = await f.prisoner(a);
    expect((await due(psychologist, fresh)).map((i) => i.reason)).toEqual(['intake']);

    await discharge(p, 1, { dischargedOn: today(), reason: 'other' }).expect(200);
    await discharge(fresh, 1, { dischargedOn: today(), reason: 'other' }).expect(200);
    expect(await kinds(psychologist)).not.toContain('reassessment');
    expect(await due(psychologist, fresh)).toEqual([]);
    expect((await due(supervisor, p)).map((i) => [i.kind, i.complaintId])).toEqual([
      ['complaint_response', complaint.body.id],
    ]);
  });

  it('stops a plan review once discharged, and it is due again on readmission', async () => {
    const p = await f.prisoner(a);
    const basedOnAssessmentId = await f.approvedAssessment(p, assessor, countersigner, {
      instrumentKey: 've-needs',
      needs: [{ code: 'ideology', priority: 'high' }],
    });
    let plan = (
      await t.http
        .post(`/api/v1/prisoners/${p.id}/plans`)
        .set('authorization', pve.auth)
        .send({ basedOnAssessmentId })
        .expect(201)
    ).body;
    const step = async (path: string, user: TestUser, body?: Json) => {
      const req = t.http
        .post(`/api/v1/plans/${plan.id}/${path}`)
        .set('authorization', user.auth)
        .set('if-match', String(plan.version));
      plan = (await (body === undefined ? req : req.send(body)).expect(200)).body;
    };
    plan = (
      await t.http
        .patch(`/api/v1/plans/${plan.id}`)
        .set('authorization', pve.auth)
        .set('if-match', String(plan.version))
        .send({
          prisonerAgreement: {
            response: 'agreed',
            prisonerWords: 'I want to finish school',
            recordedOn: today(),
          },
        })
        .expect(200)
    ).body;
    await step('submit', pve);
    await step('activate', supervisor);
    const reviews = async () =>
      (await due(pve, p)).filter((i) => i.kind === 'plan_review').map((i) => i.planId);
    expect(await reviews()).toEqual([plan.id]);
    const out = (await discharge(p, 1, { dischargedOn: today(), reason: 'other' }).expect(200))
      .body;
    expect(await reviews()).toEqual([]);
    await readmit(p, out.version, { readmittedOn: today() }).expect(200);
    expect(await reviews()).toEqual([plan.id]);
  });

  it('makes the official copy on release due on the discharge date once released, whatever was expected', async () => {
    const released = await f.prisoner(a);
    const deceased = await f.prisoner(a);
    for (const p of [released, deceased])
      await t.db.query(`UPDATE prisoner SET expected_release_date = $2 WHERE id = $1`, [
        p.id,
        inDays(10),
      ]);
    const copies = async (p: TestPrisoner) =>
      (await due(supervisor, p))
        .filter((i) => i.kind === 'release_copy')
        .map((i) => [i.id, i.dueDate, i.reason]);
    expect(await copies(released)).toEqual([
      [`release_copy:${released.id}`, inDays(10), 'release_approaching'],
    ]);
    await discharge(released, 1, { dischargedOn: today(), reason: 'released' }).expect(200);
    await discharge(deceased, 1, { dischargedOn: today(), reason: 'deceased' }).expect(200);
    expect(await copies(released)).toEqual([[`release_copy:${released.id}`, today(), 'released']]);
    expect(await copies(deceased)).toEqual([]);
    // Also within the default 30-day window.
    const window = await t.http
      .get('/api/v1/reviews/due?limit=100')
      .set('authorization', supervisor.auth)
      .expect(200);
    expect((window.body.items as Json[]).map((i) => i.id)).toContain(`release_copy:${released.id}`);
  });
});
