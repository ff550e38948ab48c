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

/**
 * The official copy on release (Mandela Rule 9) is prompted by the release date: listed in
 * `GET /reviews/due` from RELEASE_COPY_LEAD (default P30D) before the expected release date, and
 * after it, to the supervisors of the prisoner's facility, until a release-copy request exists.
 */
describe('official copy on release: due before the release date', () => {
  let t: TestApp;
  let f: Factories;
  let a: TestFacility;
  let b: TestFacility;
  let supervisor: TestUser;
  let supervisorB: TestUser;
  let psychologist: TestUser;
  let security: TestUser;
  let pve: TestUser;
  let inspector: TestUser;
  let inspectorClinical: TestUser;
  let soon: TestPrisoner;
  let later: TestPrisoner;
  let passed: TestPrisoner;
  let noDate: TestPrisoner;
  let elsewhere: TestPrisoner;

  const released = async (p: TestPrisoner, date: string | null) =>
    t.db.query(`UPDATE prisoner SET expected_release_date = $2 WHERE id = $1`, [p.id, date]);

  beforeAll(async () => {
    t = await createTestApp();
    f = new Factories(t);
    a = await f.facility({ code: 'RC-A' });
    b = await f.facility({ code: 'RC-B' });
    supervisor = await f.user(['supervisor'], [a]);
    supervisorB = await f.user(['supervisor'], [b]);
    psychologist = await f.user(['psychologist'], [a]);
    security = await f.user(['security_officer'], [a]);
    pve = await f.user(['pve_inspector'], [a]);
    inspector = await f.inspector([a]);
    inspectorClinical = await f.inspector([a], { healthProfessional: true });
    soon = await f.prisoner(a, { familyName: 'Soon' });
    later = await f.prisoner(a, { familyName: 'Later' });
    passed = await f.prisoner(a, { familyName: 'Passed' });
    noDate = await f.prisoner(a, { familyName: 'NoDate' });
    elsewhere = await f.prisoner(b, { familyName: 'Elsewhere' });
    await released(soon, inDays(10));
    await released(later, inDays(31));
    await released(passed, inDays(-5));
    await released(elsewhere, inDays(3));
  });
  afterAll(() => t.close());

  const due = async (user: TestUser, query = ''): Promise<Json[]> => {
    const res = await t.http
      .get(`/api/v1/reviews/due?limit=100${query}`)
      .set('authorization', user.auth)
      .expect(200);
    return (res.body.items as Json[]).filter((i) => i.kind === 'release_copy');
  };
  const request = (user: TestUser, p: TestPrisoner, body: Json) =>
    t.http
      .post(`/api/v1/prisoners/${p.id}/subject-access-requests`)
      .set('authorization', user.auth)
      .send(body);

  it('lists the copy within the lead time and once the date has passed, due on the release date', async () => {
    const items = await due(supervisor);
    expect(items).toEqual([
      {
        id: `release_copy:${passed.id}`,
        kind: 'release_copy',
        prisonerId: passed.id,
        prisonNumber: passed.prisonNumber,
        prisonerName: `${passed.givenName} ${passed.familyName}`,
        facilityId: a.id,
        dueDate: inDays(-5),
        overdue: true,
        reason: 'release_date_passed',
      },
      {
        id: `release_copy:${soon.id}`,
        kind: 'release_copy',
        prisonerId: soon.id,
        prisonNumber: soon.prisonNumber,
        prisonerName: `${soon.givenName} ${soon.familyName}`,
        facilityId: a.id,
        dueDate: inDays(10),
        overdue: false,
        reason: 'release_approaching',
      },
    ]);
  });

  it('does not list it before the lead time, whatever `before` asks for, nor without a release date', async () => {
    const ids = (await due(supervisor, `&before=${inDays(365)}`)).map((i) => i.prisonerId);
    expect(ids).toEqual([passed.id, soon.id]);
    expect(ids).not.toContain(later.id);
    expect(ids).not.toContain(noDate.id);
  });

  it('keeps to `before`: only what is due by then', async () => {
    const ids = (await due(supervisor, `&before=${inDays(0)}`)).map((i) => i.prisonerId);
    expect(ids).toEqual([passed.id]);
  });

  it('lists a copy the day its lead time starts (the lead is RELEASE_COPY_LEAD, P30D)', async () => {
    const edge = await f.prisoner(a, { familyName: 'Edge' });
    await released(edge, inDays(30));
    try {
      expect((await due(supervisor)).map((i) => i.prisonerId)).toContain(edge.id);
    } finally {
      await released(edge, null);
    }
  });

  it('pages through with the shared cursor, each item once, in due order', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: { body: { items: Json[]; nextCursor: string | null } } = await t.http
        .get(`/api/v1/reviews/due?limit=1${cursor ? `&cursor=${cursor}` : ''}`)
        .set('authorization', supervisor.auth)
        .expect(200);
      seen.push(...res.body.items.map((i) => i.id as string));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(seen.filter((id) => id.startsWith('release_copy:'))).toEqual([
      `release_copy:${passed.id}`,
      `release_copy:${soon.id}`,
    ]);
  });

  it('is scoped: another facility’s prisoner is listed to its own supervisors only', async () => {
    expect((await due(supervisor)).map((i) => i.prisonerId)).not.toContain(elsewhere.id);
    expect((await due(supervisor, `&facilityId=${b.id}`)).map((i) => i.prisonerId)).not.toContain(
      elsewhere.id,
    );
    expect((await due(supervisorB)).map((i) => i.prisonerId)).toEqual([elsewhere.id]);
  });

  it('is not shown to roles that may not record subject-access requests', async () => {
    for (const user of [psychologist, security, pve, inspector, inspectorClinical])
      expect(await due(user)).toEqual([]);
  });

  it('goes once a release-copy request exists, and a request for records does not end it', async () => {
    await request(supervisor, passed, { kind: 'request', receivedOn: inDays(-1) }).expect(201);
    expect((await due(supervisor)).map((i) => i.prisonerId)).toContain(passed.id);

    await request(supervisor, soon, { kind: 'release_copy', receivedOn: inDays(10) }).expect(201);
    const ids = (await due(supervisor)).map((i) => i.prisonerId);
    expect(ids).not.toContain(soon.id);
    expect(ids).toContain(passed.id);
  });

  it('stays gone whatever the request’s status (released too)', async () => {
    const created = (
      await request(supervisor, passed, { kind: 'release_copy', receivedOn: inDays(-5) }).expect(
        201,
      )
    ).body;
    await t.http
      .post(`/api/v1/subject-access-requests/${created.id}/release`)
      .set('authorization', supervisor.auth)
      .set('if-match', String(created.version))
      .expect(200);
    expect(await due(supervisor)).toEqual([]);
  });

  it('lists release-copy requests by kind', async () => {
    const res = await t.http
      .get(`/api/v1/subject-access-requests?kind=release_copy`)
      .set('authorization', supervisor.auth)
      .expect(200);
    expect((res.body.items as Json[]).map((r) => r.prisonerId).sort()).toEqual(
      [passed.id, soon.id].sort(),
    );
    expect((res.body.items as Json[]).every((r) => r.kind === 'release_copy')).toBe(true);
    await t.http
      .get(`/api/v1/subject-access-requests?kind=copy`)
      .set('authorization', supervisor.auth)
      .expect(400);
  });

  it('an open release copy follows a change of the expected release date; a released one keeps its date', async () => {
    const moving = await f.prisoner(a, { familyName: 'Moving' });
    await released(moving, inDays(20));
    const open = (
      await request(supervisor, moving, { kind: 'release_copy', receivedOn: inDays(20) }).expect(
        201,
      )
    ).body;
    const forRecords = (
      await request(supervisor, moving, { kind: 'request', receivedOn: inDays(0) }).expect(201)
    ).body;
    const patch = async (date: string | null) => {
      const [{ version }] = await t.db.query(`SELECT version FROM prisoner WHERE id = $1`, [
        moving.id,
      ]);
      await t.http
        .patch(`/api/v1/prisoners/${moving.id}`)
        .set('authorization', security.auth)
        .set('if-match', String(version))
        .send({ expectedReleaseDate: date })
        .expect(200);
    };
    const read = async (id: string) =>
      (
        await t.http
          .get(`/api/v1/subject-access-requests/${id}`)
          .set('authorization', supervisor.auth)
          .expect(200)
      ).body;

    await patch(inDays(12));
    let copy = await read(open.id);
    expect(copy).toMatchObject({ receivedOn: inDays(12), dueOn: inDays(12) });
    expect(copy.version).toBe(open.version + 1);
    // A request for records is due by the statutory period, not on the release date.
    expect(await read(forRecords.id)).toMatchObject({ dueOn: forRecords.dueOn, version: 1 });
    const [audit] = await t.db.query(
      `SELECT details FROM audit_event WHERE prisoner_id = $1 AND action = 'prisoner.update'
       ORDER BY seq DESC LIMIT 1`,
      [moving.id],
    );
    expect(audit.details).toMatchObject({ releaseCopyRequestIds: [open.id] });

    // Earlier than the date first given: received and due on the new date.
    await patch(inDays(2));
    expect(await read(open.id)).toMatchObject({ receivedOn: inDays(2), dueOn: inDays(2) });
    // No date: the request keeps the last one.
    await patch(null);
    expect(await read(open.id)).toMatchObject({ dueOn: inDays(2) });

    copy = await read(open.id);
    await t.http
      .post(`/api/v1/subject-access-requests/${open.id}/release`)
      .set('authorization', supervisor.auth)
      .set('if-match', String(copy.version))
      .expect(200);
    await patch(inDays(40));
    expect(await read(open.id)).toMatchObject({ dueOn: inDays(2), status: 'released' });
  });
});
