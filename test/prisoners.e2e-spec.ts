import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Factories, type TestFacility, type TestUser } from './factories/index.js';
import { createTestApp, type TestApp } from './support/test-app.js';

describe('prisoner records', () => {
  let t: TestApp;
  let f: Factories;
  let a: TestFacility;
  let b: TestFacility;
  let security: TestUser;
  let psychologist: TestUser;

  beforeAll(async () => {
    t = await createTestApp();
    f = new Factories(t);
    a = await f.facility({ code: 'PRS-A' });
    b = await f.facility({ code: 'PRS-B' });
    security = await f.user(['security_officer'], [a]);
    psychologist = await f.user(['psychologist'], [a]);
  });
  afterAll(() => t.close());

  const body = (overrides: Record<string, unknown> = {}) => ({
    prisonNumber: `N-${Math.random().toString(36).slice(2, 9)}`,
    givenName: 'Arman',
    familyName: 'Sadykov',
    dateOfBirth: '1994-03-17',
    sex: 'male',
    legalStatus: 'sentenced',
    facilityId: a.id,
    ...overrides,
  });

  it('records a prisoner with derived flags and an admission in the facility history', async () => {
    const seventeen = new Date(Date.now() - 17 * 365.25 * 86400e3).toISOString().slice(0, 10);
    const res = await t.http
      .post('/api/v1/prisoners')
      .set('authorization', security.auth)
      .send(
        body({ dateOfBirth: seventeen, legalStatus: 'remand', expectedReleaseDate: '2031-05-01' }),
      )
      .expect(201);
    expect(res.body).toMatchObject({
      givenName: 'Arman',
      legalStatus: 'remand',
      facility: { id: a.id, code: 'PRS-A' },
      expectedReleaseDate: '2031-05-01',
      flags: { under18: true, remand: true },
      version: 1,
    });
    expect(res.body.facilityHistory).toEqual([
      {
        facility: { id: a.id, code: 'PRS-A', name: expect.any(String) },
        from: expect.any(String),
        to: null,
        reason: 'admission',
        dischargeReason: null,
      },
    ]);
  });

  it('refuses typed-in flags and protected characteristics as unknown fields', async () => {
    const res = await t.http
      .post('/api/v1/prisoners')
      .set('authorization', security.auth)
      .send(
        body({
          flags: { under18: false },
          religion: 'any',
          ethnicity: 'any',
          politicalOpinion: 'any',
        }),
      )
      .expect(400);
    expect(res.body.errors.map((e: { path: string }) => e.path).sort()).toEqual([
      'ethnicity',
      'flags',
      'politicalOpinion',
      'religion',
    ]);
  });

  it('names every bad field, including impossible dates', async () => {
    const res = await t.http
      .post('/api/v1/prisoners')
      .set('authorization', security.auth)
      .send({
        prisonNumber: '',
        dateOfBirth: '2001-02-30',
        sex: 'x',
        legalStatus: 'convicted',
        facilityId: 'nope',
      })
      .expect(400);
    expect(res.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(
      [
        'dateOfBirth',
        'facilityId',
        'familyName',
        'givenName',
        'legalStatus',
        'prisonNumber',
        'sex',
      ].sort(),
    );
    const future = await t.http
      .post('/api/v1/prisoners')
      .set('authorization', security.auth)
      .send(body({ dateOfBirth: '2999-01-01' }))
      .expect(400);
    expect(future.body.errors).toEqual([
      { path: 'dateOfBirth', message: 'dateOfBirth must be a past date after 1900' },
    ]);
  });

  it('answers a duplicate prison number with 409', async () => {
    const first = body();
    await t.http
      .post('/api/v1/prisoners')
      .set('authorization', security.auth)
      .send(first)
      .expect(201);
    const res = await t.http
      .post('/api/v1/prisoners')
      .set('authorization', security.auth)
      .send(body({ prisonNumber: first.prisonNumber }))
      .expect(409);
    expect(res.body.code).toBe('prison_number_taken');
  });

  it('refuses a prison number held out of scope without naming who holds it or where', async () => {
    const elsewhere = await f.prisoner(b, { familyName: 'Heldelsewhere' });
    const res = await t.http
      .post('/api/v1/prisoners')
      .set('authorization', security.auth)
      .set('x-request-id', 'probe-prison-number')
      .send(body({ prisonNumber: elsewhere.prisonNumber }))
      .expect(409);
    expect(res.body.code).toBe('prison_number_unavailable');
    expect(JSON.stringify(res.body)).not.toContain(elsewhere.id);
    expect(JSON.stringify(res.body)).not.toContain(b.id);
    expect(JSON.stringify(res.body)).not.toContain('Heldelsewhere');
    // Visible to the supervisors of the facility that holds the record.
    const events = await t.db.query(
      `SELECT action, outcome, prisoner_id, facility_id FROM audit_event WHERE request_id = $1`,
      ['probe-prison-number'],
    );
    expect(events).toEqual([
      {
        action: 'prisoner.create',
        outcome: 'denied',
        prisoner_id: elsewhere.id,
        facility_id: b.id,
      },
    ]);
    // The same for a correction to that number; the record is left as it was.
    const mine = await f.prisoner(a);
    const patch = await t.http
      .patch(`/api/v1/prisoners/${mine.id}`)
      .set('authorization', security.auth)
      .set('if-match', '1')
      .send({ prisonNumber: elsewhere.prisonNumber })
      .expect(409);
    expect(patch.body.code).toBe('prison_number_unavailable');
    const [row] = await t.db.query(`SELECT prison_number, version FROM prisoner WHERE id = $1`, [
      mine.id,
    ]);
    expect(row).toEqual({ prison_number: mine.prisonNumber, version: 1 });
  });

  it('audits a correction that changes nothing: its answer still shows the record', async () => {
    const p = await f.prisoner(a);
    const res = await t.http
      .patch(`/api/v1/prisoners/${p.id}`)
      .set('authorization', security.auth)
      .set('if-match', '1')
      .set('x-request-id', 'patch-nothing')
      .send({ givenName: p.givenName })
      .expect(200);
    expect(res.body.version).toBe(1);
    const events = await t.db.query(
      `SELECT action, outcome, prisoner_id, changed_fields FROM audit_event WHERE request_id = $1`,
      ['patch-nothing'],
    );
    expect(events).toEqual([
      { action: 'prisoner.update', outcome: 'success', prisoner_id: p.id, changed_fields: [] },
    ]);
  });

  it('attributes a search that shows a prisoner under an emergency grant to that grant', async () => {
    const reader = await f.user(['pve_inspector'], [a]);
    const outside = await f.prisoner(b, { familyName: 'Grantedsearch' });
    const grantId = await f.grant(reader, outside);
    const res = await t.http
      .get('/api/v1/prisoners')
      .query({ q: 'Grantedsearch' })
      .set('authorization', reader.auth)
      .set('x-request-id', 'search-under-grant')
      .expect(200);
    expect(res.body.items.map((p: { id: string }) => p.id)).toEqual([outside.id]);
    const events = await t.db.query(
      `SELECT prisoner_id, facility_id, purpose, details FROM audit_event
       WHERE request_id = $1 ORDER BY seq`,
      ['search-under-grant'],
    );
    expect(events).toHaveLength(2);
    expect(events[1]).toMatchObject({
      prisoner_id: outside.id,
      facility_id: b.id,
      purpose: expect.any(String),
      details: { emergencyAccessId: grantId, viaList: true },
    });
  });

  it('refuses recording a prisoner in a facility outside the officer’s scope', async () => {
    await t.http
      .post('/api/v1/prisoners')
      .set('authorization', security.auth)
      .send(body({ facilityId: b.id }))
      .expect(403);
  });

  it('updates with If-Match: 428 without, 409 when stale, changed field names audited', async () => {
    const p = await f.prisoner(a);
    await t.http
      .patch(`/api/v1/prisoners/${p.id}`)
      .set('authorization', security.auth)
      .send({ givenName: 'X' })
      .expect(428);
    const ok = await t.http
      .patch(`/api/v1/prisoners/${p.id}`)
      .set('authorization', security.auth)
      .set('if-match', '1')
      .send({ givenName: 'Corrected', legalStatus: 'remand' })
      .expect(200);
    expect(ok.body).toMatchObject({ givenName: 'Corrected', version: 2, flags: { remand: true } });
    const stale = await t.http
      .patch(`/api/v1/prisoners/${p.id}`)
      .set('authorization', security.auth)
      .set('if-match', '1')
      .send({ givenName: 'Other' })
      .expect(409);
    expect(stale.body.code).toBe('version_conflict');
    const [event] = await t.db.query(
      `SELECT changed_fields, details FROM audit_event WHERE action = 'prisoner.update' AND entity_id = $1`,
      [p.id],
    );
    expect(event.changed_fields).toEqual(['givenName', 'legalStatus']);
    expect(JSON.stringify(event)).not.toContain('Corrected');
  });

  it('two concurrent edits with one version: exactly one wins', async () => {
    const p = await f.prisoner(a);
    const results = await Promise.all(
      ['First', 'Second', 'Third'].map((name) =>
        t.http
          .patch(`/api/v1/prisoners/${p.id}`)
          .set('authorization', security.auth)
          .set('if-match', '1')
          .send({ givenName: name }),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 409, 409]);
  });

  it('transfers keep the facility history, and the prisoner leaves the officer’s scope', async () => {
    const p = await f.prisoner(a);
    await t.http
      .post(`/api/v1/prisoners/${p.id}/transfer`)
      .set('authorization', security.auth)
      .send({ facilityId: a.id, reason: 'no move' })
      .expect(422);
    const res = await t.http
      .post(`/api/v1/prisoners/${p.id}/transfer`)
      .set('authorization', security.auth)
      .send({ facilityId: b.id, reason: 'Allocation review' })
      .expect(200);
    expect(res.body.facility.id).toBe(b.id);
    expect(
      res.body.facilityHistory.map(
        (h: { facility: { code: string }; to: string | null; reason: string }) => [
          h.facility.code,
          h.to === null,
          h.reason,
        ],
      ),
    ).toEqual([
      ['PRS-A', false, 'admission'],
      ['PRS-B', true, 'Allocation review'],
    ]);
    await t.http.get(`/api/v1/prisoners/${p.id}`).set('authorization', security.auth).expect(404);
  });

  it('lists in scope with prefix search on number and names, keyset-paginated', async () => {
    const scope = await f.facility({ code: 'PRS-LIST' });
    const reader = await f.user(['pve_inspector'], [scope]);
    await f.prisoner(scope, { familyName: 'Abenov', givenName: 'Dias', prisonNumber: 'ZX-100' });
    await f.prisoner(scope, {
      familyName: 'Abdrakhmanov',
      givenName: 'Yerlan',
      prisonNumber: 'ZX-101',
    });
    await f.prisoner(scope, { familyName: 'Omarova', givenName: 'Aigul', prisonNumber: 'QY-300' });
    await f.prisoner(b, { familyName: 'Abenova', givenName: 'Outside', prisonNumber: 'ZX-999' });
    const get = (query: Record<string, string | number>) =>
      t.http.get('/api/v1/prisoners').query(query).set('authorization', reader.auth).expect(200);
    expect(
      (await get({ q: 'ab' })).body.items.map((p: { familyName: string }) => p.familyName),
    ).toEqual(['Abdrakhmanov', 'Abenov']);
    expect((await get({ q: 'zx-1' })).body.items).toHaveLength(2);
    expect(
      (await get({ q: 'aig' })).body.items.map((p: { givenName: string }) => p.givenName),
    ).toEqual(['Aigul']);
    expect((await get({ q: '%' })).body.items).toHaveLength(0);
    const first = await get({ limit: 2 });
    expect(first.body.items).toHaveLength(2);
    const second = await get({ limit: 2, cursor: first.body.nextCursor });
    expect(second.body.items.map((p: { familyName: string }) => p.familyName)).toEqual(['Omarova']);
    expect(second.body.nextCursor).toBeNull();
    const [audit] = await t.db.query(
      `SELECT details FROM audit_event WHERE action = 'prisoner.list' AND actor_id = $1 ORDER BY seq LIMIT 1`,
      [reader.id],
    );
    expect(audit.details).toEqual({
      q: 'ab',
      facilityId: null,
      onRoll: 'true',
      cursor: false,
      resultCount: 2,
    });
  });

  it('shows what a person searched for only to the supervisors of their own facilities', async () => {
    const searcher = await f.user(['pve_inspector'], [a]);
    await t.http
      .get('/api/v1/prisoners')
      .query({ q: 'Searchedname' })
      .set('authorization', searcher.auth)
      .expect(200);
    const searches = async (supervisor: TestUser) =>
      (
        await t.http
          .get('/api/v1/audit/events')
          .query({ action: 'prisoner.list', actorId: searcher.id })
          .set('authorization', supervisor.auth)
          .expect(200)
      ).body.items.map((e: { details: { q: string } }) => e.details.q);
    expect(await searches(await f.user(['supervisor'], [a]))).toEqual(['Searchedname']);
    expect(await searches(await f.user(['supervisor'], [b]))).toEqual([]);
  });

  it('audits single reads with the declared purpose and without record content', async () => {
    const p = await f.prisoner(a, { familyName: 'Distinctivename' });
    await t.http
      .get(`/api/v1/prisoners/${p.id}`)
      .set('authorization', psychologist.auth)
      .set('x-access-purpose', 'Case conference preparation')
      .expect(200);
    const [event] = await t.db.query(
      `SELECT * FROM audit_event WHERE action = 'prisoner.read' AND entity_id = $1`,
      [p.id],
    );
    expect(event).toMatchObject({
      actor_id: psychologist.id,
      prisoner_id: p.id,
      facility_id: a.id,
      outcome: 'success',
      purpose: 'Case conference preparation',
    });
    expect(JSON.stringify(await t.db.query(`SELECT * FROM audit_event`))).not.toContain(
      'Distinctivename',
    );
  });

  it('pages through events recorded within the same millisecond without losing one', async () => {
    const p = await f.prisoner(a);
    const ids: string[] = [];
    for (const micros of ['000100', '000200', '000300']) {
      const [{ id }] = await t.db.query(
        `INSERT INTO prisoner_event (prisoner_id, facility_id, type, occurred_at, recorded_by)
         VALUES ($1, $2, 'new_information', $3, $4) RETURNING id`,
        [p.id, a.id, `2026-11-30T10:00:00.${micros}Z`, security.id],
      );
      ids.push(id);
    }
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await t.http
        .get(`/api/v1/prisoners/${p.id}/events`)
        .query({ limit: 1, ...(cursor ? { cursor } : {}) })
        .set('authorization', psychologist.auth)
        .expect(200);
      seen.push(...page.body.items.map((e: { id: string }) => e.id));
      cursor = page.body.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual([...ids].reverse());
  });
});
