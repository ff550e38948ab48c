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
    const record = (day: string, meaningfulContactHours: number) =>
      t.http
        .post(`/api/v1/restrictive-measures/${measure.id}/days`)
        .set('authorization', officer.auth)
        .send({ day, hoursOutOfCell: 1, meaningfulContactHours, healthVisit: true });
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
});
