import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { MeasureClock } from '../src/restrictive-measures/measure-clock.js';
import { addDays } from '../src/restrictive-measures/solitary-counter.js';
import {
  Factories,
  type TestFacility,
  type TestPrisoner,
  type TestUser,
} from './factories/index.js';
import { createTestApp, type TestApp } from './support/test-app.js';

/**
 * Restrictive measures (Mandela Rules 36-46) recorded by security officers, with the solitary
 * confinement counter on a fake clock: an alert on the 13th consecutive day, a breach after the
 * 15th, an independent review wanted; family contact restricted, never prohibited.
 */
describe('restrictive measures', () => {
  let t: TestApp;
  let f: Factories;
  let home: TestFacility;
  let away: TestFacility;
  let officer: TestUser;
  let supervisor: TestUser;
  let psychologist: TestUser;
  let pve: TestUser;
  let clock: MeasureClock;
  const START = '2026-03-01';
  let today = START;

  beforeAll(async () => {
    t = await createTestApp();
    f = new Factories(t);
    home = await f.facility();
    away = await f.facility();
    officer = await f.user(['security_officer'], [home]);
    supervisor = await f.user(['supervisor'], [home]);
    psychologist = await f.user(['psychologist'], [home]);
    pve = await f.user(['pve_inspector'], [home]);
    clock = t.app.get(MeasureClock);
    clock.today = () => today;
  });
  afterAll(() => t.close());

  const measureBody = (over: object = {}) => ({
    type: 'solitary_confinement',
    legalBasis: 'Penal Enforcement Code art. 131',
    reason: 'Assault on staff; separation needed while it is investigated',
    authorisedBy: { name: 'A. Governor', position: 'Prison director' },
    startsOn: START,
    plannedEndOn: addDays(START, 14),
    familyContact: 'restricted',
    familyContactRestrictedUntil: addDays(START, 7),
    nextReviewOn: addDays(START, 7),
    ...over,
  });
  const create = (prisoner: TestPrisoner, user: TestUser, body: object = measureBody()) =>
    t.http
      .post(`/api/v1/prisoners/${prisoner.id}/restrictive-measures`)
      .set('authorization', user.auth)
      .send(body);
  const alerts = async (user: TestUser) => {
    const res = await t.http
      .get('/api/v1/restrictive-measures/alerts')
      .set('authorization', user.auth);
    expect(res.status).toBe(200);
    return res.body.items as {
      measureId: string;
      solitary: { consecutiveDays: number; level: string };
      independentReviewMissing: boolean;
      healthObjection: boolean;
      missedHealthVisits: number;
      lastMissedHealthVisit: string | null;
    }[];
  };

  it('records a measure with its legal basis, authorising officer and dates', async () => {
    today = START;
    const prisoner = await f.prisoner(home);
    const res = await create(prisoner, officer);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      type: 'solitary_confinement',
      authorisedBy: { name: 'A. Governor', position: 'Prison director' },
      startsOn: START,
      familyContact: 'restricted',
      solitary: { consecutiveDays: 1, level: 'none' },
    });
    const [event] = await t.db.query(
      `SELECT changed_fields, details FROM audit_event
       WHERE action = 'restrictive_measure.create' AND entity_id = $1`,
      [res.body.id],
    );
    expect(event.changed_fields).toContain('legalBasis');
    expect(JSON.stringify(event)).not.toContain('Assault');
  });

  it('refuses a prohibition of family contact, indefinite and prolonged solitary confinement', async () => {
    today = START;
    const prisoner = await f.prisoner(home);
    const prohibited = await create(
      prisoner,
      officer,
      measureBody({ familyContact: 'prohibited' }),
    );
    expect(prohibited.status).toBe(400);
    expect(prohibited.body.errors).toEqual([
      expect.objectContaining({
        path: 'familyContact',
        message: expect.stringContaining('never prohibited'),
      }),
    ]);
    const unlimited = await create(
      prisoner,
      officer,
      measureBody({ familyContactRestrictedUntil: null, plannedEndOn: null }),
    );
    expect(unlimited.status).toBe(400);
    expect(unlimited.body.errors.map((e: { path: string }) => e.path).sort()).toEqual([
      'familyContactRestrictedUntil',
      'plannedEndOn',
    ]);
    const prolonged = await create(
      prisoner,
      officer,
      measureBody({ plannedEndOn: addDays(START, 20) }),
    );
    expect(prolonged.status).toBe(400);
    expect(prolonged.body.errors[0].path).toBe('plannedEndOn');
    const [{ n }] = await t.db.query(
      `SELECT count(*)::int AS n FROM restrictive_measure WHERE prisoner_id = $1`,
      [prisoner.id],
    );
    expect(n).toBe(0);
  });

  it('alerts on the 13th day of solitary confinement and marks a breach after the 15th', async () => {
    today = START;
    const prisoner = await f.prisoner(home);
    const { body: measure } = await create(
      prisoner,
      officer,
      measureBody({ nextReviewOn: addDays(START, 20) }),
    );
    const mine = async (user: TestUser) =>
      (await alerts(user)).find((a) => a.measureId === measure.id);

    today = addDays(START, 11); // day 12
    expect(await mine(supervisor)).toBeUndefined();

    today = addDays(START, 12); // day 13
    for (const user of [supervisor, psychologist, officer]) {
      expect(await mine(user)).toMatchObject({
        solitary: { consecutiveDays: 13, level: 'alert' },
        independentReviewMissing: true,
      });
    }

    today = addDays(START, 14); // day 15
    expect((await mine(supervisor))?.solitary.level).toBe('alert');

    today = addDays(START, 15); // day 16: prolonged
    expect(await mine(supervisor)).toMatchObject({
      solitary: { consecutiveDays: 16, level: 'breach' },
    });
    const inspector = await f.inspector([home]);
    expect((await mine(inspector))?.solitary.level).toBe('breach');
    const outsider = await f.user(['supervisor'], [away]);
    expect(await mine(outsider)).toBeUndefined();

    // An independent review is on record for the run: no longer missing.
    const reviewed = await t.http
      .post(`/api/v1/restrictive-measures/${measure.id}/reviews`)
      .set('authorization', officer.auth)
      .set('if-match', `"${measure.version}"`)
      .send({
        reviewedOn: today,
        reviewerName: 'B. Judge',
        reviewerBody: 'Supervising court',
        independent: true,
        decision: 'end',
      });
    expect(reviewed.status).toBe(200);
    expect(reviewed.body.solitary).toMatchObject({ independentReviewRecorded: true });
    expect((await mine(supervisor))?.independentReviewMissing).toBe(false);

    const ended = await t.http
      .post(`/api/v1/restrictive-measures/${measure.id}/end`)
      .set('authorization', officer.auth)
      .set('if-match', `"${reviewed.body.version}"`)
      .send({ endedOn: addDays(START, 15), reason: 'Review decided to end it' });
    expect(ended.status).toBe(200);
    today = addDays(START, 16);
    expect(await mine(supervisor)).toBeUndefined();
  });

  it('counts a separation by its daily records of meaningful contact', async () => {
    today = START;
    const prisoner = await f.prisoner(home);
    const { body: measure } = await create(
      prisoner,
      officer,
      measureBody({
        type: 'separation',
        plannedEndOn: null,
        familyContact: 'unrestricted',
        familyContactRestrictedUntil: null,
      }),
    );
    let version: number = measure.version;
    const record = async (day: string, meaningfulContactHours: number) => {
      const res = await t.http
        .post(`/api/v1/restrictive-measures/${measure.id}/days`)
        .set('authorization', officer.auth)
        .set('if-match', String(version))
        .send({ day, hoursOutOfCell: 1, meaningfulContactHours, healthVisit: true });
      if (res.status === 200) version = res.body.version;
      return res;
    };
    today = addDays(START, 12);
    for (let i = 0; i <= 12; i++) expect((await record(addDays(START, i), 1)).status).toBe(200);
    const last = await t.http
      .get(`/api/v1/restrictive-measures/${measure.id}`)
      .set('authorization', psychologist.auth);
    expect(last.body.solitary).toMatchObject({ consecutiveDays: 13, level: 'alert' });
    expect(last.body.days[0]).toMatchObject({ day: today, solitary: true, healthVisit: true });
    expect((await record(addDays(START, 12), 1)).status).toBe(409);
    expect((await record(addDays(START, 13), 1)).status).toBe(400); // tomorrow
    const future = await record(addDays(START, 13), 1);
    expect(future.body.errors[0].path).toBe('day');
  });

  it('is recorded by security officers only; health staff and inspectors read', async () => {
    today = START;
    const prisoner = await f.prisoner(home);
    for (const user of [supervisor, psychologist, pve, await f.inspector([home])])
      expect((await create(prisoner, user)).status).toBe(403);
    expect((await create(await f.prisoner(away), officer)).status).toBe(404);
    const { body: measure } = await create(prisoner, officer);
    for (const user of [supervisor, psychologist, await f.inspector([home])]) {
      const res = await t.http
        .get(`/api/v1/prisoners/${prisoner.id}/restrictive-measures`)
        .set('authorization', user.auth);
      expect(res.status).toBe(200);
      expect(res.body.items.map((m: { id: string }) => m.id)).toEqual([measure.id]);
    }
    const pveRead = await t.http
      .get(`/api/v1/restrictive-measures/${measure.id}`)
      .set('authorization', pve.auth);
    expect(pveRead.status).toBe(403);
    const outsider = await f.user(['supervisor'], [away]);
    const hidden = await t.http
      .get(`/api/v1/restrictive-measures/${measure.id}`)
      .set('authorization', outsider.auth);
    expect(hidden.status).toBe(404);
  });

  it('changes a measure only at the version the officer read: none 428, a stale one 409, nothing written', async () => {
    today = addDays(START, 2);
    const prisoner = await f.prisoner(home);
    const { body: measure } = await create(prisoner, officer);
    const read = await t.http
      .get(`/api/v1/restrictive-measures/${measure.id}`)
      .set('authorization', officer.auth);
    expect(read.headers.etag).toBe(`"${measure.version}"`);
    const change = (path: string, body: object, ifMatch?: string) => {
      const request = t.http
        .post(`/api/v1/restrictive-measures/${measure.id}/${path}`)
        .set('authorization', officer.auth);
      return (ifMatch === undefined ? request : request.set('if-match', ifMatch)).send(body);
    };
    const day = { day: START, hoursOutOfCell: 1, meaningfulContactHours: 1, healthVisit: true };
    const review = {
      reviewedOn: START,
      reviewerName: 'B. Judge',
      reviewerBody: 'Supervising court',
      independent: true,
      decision: 'continue',
    };
    const end = { endedOn: today, reason: 'No longer necessary' };
    for (const [path, body] of [
      ['days', day],
      ['reviews', review],
      ['end', end],
    ] as const) {
      expect((await change(path, body)).status).toBe(428);
      const stale = await change(path, body, `"${measure.version + 1}"`);
      expect(stale.status).toBe(409);
      expect(stale.body).toMatchObject({
        code: 'version_conflict',
        currentVersion: measure.version,
      });
    }
    const [written] = await t.db.query(
      `SELECT (SELECT count(*)::int FROM restrictive_measure_day WHERE measure_id = $1) AS days,
         (SELECT count(*)::int FROM restrictive_measure_review WHERE measure_id = $1) AS reviews,
         (SELECT ended_on IS NOT NULL FROM restrictive_measure WHERE id = $1) AS ended`,
      [measure.id],
    );
    expect(written).toEqual({ days: 0, reviews: 0, ended: false });

    // Each change moves the version on by one; the answer carries it as the next ETag.
    const first = await change('days', day, String(measure.version));
    expect(first.status).toBe(200);
    expect(first.body.version).toBe(measure.version + 1);
    expect(first.headers.etag).toBe(`"${first.body.version}"`);
    // A second officer who read the measure before the day was recorded is stopped.
    expect((await change('reviews', review, `"${measure.version}"`)).status).toBe(409);
    const reviewed = await change('reviews', review, `W/"${first.body.version}"`);
    expect(reviewed.status).toBe(200);
    expect(reviewed.body.version).toBe(measure.version + 2);
    const closed = await change('end', end, String(reviewed.body.version));
    expect(closed.status).toBe(200);
    expect(closed.body.version).toBe(measure.version + 3);
  });

  it('alerts while separation continues against a health professional’s objection, which never carries a diagnosis (Rule 45(2))', async () => {
    today = addDays(START, 3);
    const prisoner = await f.prisoner(home);
    const separation = measureBody({
      type: 'separation',
      plannedEndOn: null,
      familyContact: 'unrestricted',
      familyContactRestrictedUntil: null,
      nextReviewOn: addDays(START, 20),
    });
    const { body: measure } = await create(prisoner, officer, separation);
    const object = (user: TestUser, objectedOn: string, version: number) =>
      t.http
        .post(`/api/v1/restrictive-measures/${measure.id}/health-objections`)
        .set('authorization', user.auth)
        .set('if-match', String(version))
        .send({ objectedOn });
    const mine = async (user: TestUser) =>
      (await alerts(user)).find((a) => a.measureId === measure.id);
    expect(await mine(supervisor)).toBeUndefined();

    // Health staff object; those who impose or oversee the measure do not.
    for (const user of [officer, supervisor, pve, await f.inspector([home])])
      expect((await object(user, today, measure.version)).status).toBe(403);
    const elsewhere = await f.user(['psychologist'], [away]);
    expect((await object(elsewhere, today, measure.version)).status).toBe(404);
    const early = await object(psychologist, addDays(START, -1), measure.version);
    expect(early.status).toBe(400);
    expect(early.body.errors.map((e: { path: string }) => e.path)).toEqual(['objectedOn']);
    expect((await object(psychologist, today, measure.version + 1)).status).toBe(409);

    const objected = await object(psychologist, today, measure.version);
    expect(objected.status).toBe(200);
    expect(objected.body.version).toBe(measure.version + 1);
    expect(objected.body.healthObjections).toEqual([
      {
        id: expect.any(String),
        objectedOn: today,
        recordedBy: { id: psychologist.id, displayName: expect.any(String) },
      },
    ]);
    // Only the fact and the day: nothing else is stored that could hold a diagnosis.
    const columns = await t.db.query(
      `SELECT column_name FROM information_schema.columns
       WHERE table_name = 'restrictive_measure_health_objection' ORDER BY column_name`,
    );
    expect(columns.map((c: { column_name: string }) => c.column_name)).toEqual([
      'id',
      'measure_id',
      'objected_on',
      'recorded_at',
      'recorded_by',
    ]);
    const [audit] = await t.db.query(
      `SELECT actor_id, changed_fields FROM audit_event
       WHERE action = 'restrictive_measure.health_objection' AND entity_id = $1`,
      [measure.id],
    );
    expect(audit).toMatchObject({
      actor_id: psychologist.id,
      changed_fields: ['healthObjections'],
    });

    // Supervisors, health staff, the officers who run it and inspectors are alerted.
    for (const user of [supervisor, psychologist, officer, await f.inspector([home])])
      expect(await mine(user)).toMatchObject({
        healthObjection: true,
        solitary: { level: 'none' },
        missedHealthVisits: 0,
      });
    expect(await mine(await f.user(['supervisor'], [away]))).toBeUndefined();

    const read = await t.http
      .get(`/api/v1/restrictive-measures/${measure.id}`)
      .set('authorization', officer.auth);
    const ended = await t.http
      .post(`/api/v1/restrictive-measures/${measure.id}/end`)
      .set('authorization', officer.auth)
      .set('if-match', String(read.body.version))
      .send({ endedOn: today, reason: 'Health objection' });
    expect(ended.status).toBe(200);
    today = addDays(START, 4);
    expect(await mine(supervisor)).toBeUndefined();
  });

  it('alerts on days of solitary confinement recorded without the daily health-care visit (Rule 46(1))', async () => {
    today = START;
    const prisoner = await f.prisoner(home);
    const { body: measure } = await create(
      prisoner,
      officer,
      measureBody({
        type: 'separation',
        plannedEndOn: null,
        familyContact: 'unrestricted',
        familyContactRestrictedUntil: null,
        nextReviewOn: addDays(START, 20),
      }),
    );
    let version: number = measure.version;
    const record = async (day: string, meaningfulContactHours: number, healthVisit: boolean) => {
      const res = await t.http
        .post(`/api/v1/restrictive-measures/${measure.id}/days`)
        .set('authorization', officer.auth)
        .set('if-match', String(version))
        .send({ day, hoursOutOfCell: 1, meaningfulContactHours, healthVisit });
      expect(res.status).toBe(200);
      version = res.body.version;
    };
    const mine = async () => (await alerts(supervisor)).find((a) => a.measureId === measure.id);

    today = addDays(START, 3);
    await record(START, 1, true); // solitary, visited
    await record(addDays(START, 1), 6, false); // not solitary: no daily visit owed
    expect(await mine()).toBeUndefined();

    await record(addDays(START, 2), 1, false); // solitary, no visit
    await record(addDays(START, 3), 0.5, false); // solitary, no visit
    expect(await mine()).toMatchObject({
      missedHealthVisits: 2,
      lastMissedHealthVisit: addDays(START, 3),
      healthObjection: false,
      solitary: { consecutiveDays: 2, level: 'none' },
    });
    const [{ n }] = await t.db.query(
      `SELECT count(*)::int AS n FROM restrictive_measure_day WHERE measure_id = $1`,
      [measure.id],
    );
    expect(n).toBe(4);
  });
});
