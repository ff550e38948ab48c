import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Factories, type TestFacility, type TestUser } from './factories/index.js';
import { createTestApp, type TestApp } from './support/test-app.js';

describe('emergency ("break glass") access', () => {
  let t: TestApp;
  let f: Factories;
  let a: TestFacility;
  let b: TestFacility;
  let officerA: TestUser;
  let supervisorB: TestUser;

  beforeAll(async () => {
    t = await createTestApp({ env: { EMERGENCY_ACCESS_TTL: '4h' } });
    f = new Factories(t);
    a = await f.facility({ code: 'EA-A' });
    b = await f.facility({ code: 'EA-B' });
    officerA = await f.user(['security_officer'], [a]);
    supervisorB = await f.user(['supervisor'], [b]);
  });
  afterAll(() => t.close());

  const REASON = 'Escort to hospital tonight; need to check alerts on this person';

  it('opens one out-of-scope prisoner for reading for 4 hours, with the reason as the audited purpose', async () => {
    const p = await f.prisoner(b);
    const other = await f.prisoner(b);
    await t.http.get(`/api/v1/prisoners/${p.id}`).set('authorization', officerA.auth).expect(404);
    const short = await t.http
      .post(`/api/v1/prisoners/${p.id}/emergency-access`)
      .set('authorization', officerA.auth)
      .send({ reason: 'too short' })
      .expect(400);
    expect(short.body.errors[0].path).toBe('reason');
    const grant = await t.http
      .post(`/api/v1/prisoners/${p.id}/emergency-access`)
      .set('authorization', officerA.auth)
      .send({ reason: REASON })
      .expect(201);
    const hours = (Date.parse(grant.body.expiresAt) - Date.parse(grant.body.grantedAt)) / 3600e3;
    expect(hours).toBeCloseTo(4, 2);
    expect(grant.body).toMatchObject({
      prisonerId: p.id,
      facilityId: b.id,
      status: 'pending',
      active: true,
    });

    const read = await t.http
      .get(`/api/v1/prisoners/${p.id}`)
      .set('authorization', officerA.auth)
      .expect(200);
    expect(read.body.emergencyAccessId).toBe(grant.body.id);
    await t.http
      .get(`/api/v1/prisoners/${other.id}`)
      .set('authorization', officerA.auth)
      .expect(404);
    // Read only: the officer may edit prisoners in A, but not this one.
    await t.http
      .patch(`/api/v1/prisoners/${p.id}`)
      .set('authorization', officerA.auth)
      .set('if-match', '1')
      .send({ givenName: 'X' })
      .expect(403);
    await t.http
      .post(`/api/v1/prisoners/${p.id}/transfer`)
      .set('authorization', officerA.auth)
      .send({ facilityId: a.id, reason: 'Bring here' })
      .expect(403);

    const [event] = await t.db.query(
      `SELECT purpose, details, facility_id FROM audit_event WHERE action = 'prisoner.read' AND entity_id = $1 AND outcome = 'success'`,
      [p.id],
    );
    expect(event).toEqual({
      purpose: REASON,
      details: { emergencyAccessId: grant.body.id },
      facility_id: b.id,
    });
  });

  it('stops working when the grant expires', async () => {
    const p = await f.prisoner(b);
    const grant = await t.http
      .post(`/api/v1/prisoners/${p.id}/emergency-access`)
      .set('authorization', officerA.auth)
      .send({ reason: REASON })
      .expect(201);
    await t.http.get(`/api/v1/prisoners/${p.id}`).set('authorization', officerA.auth).expect(200);
    await t.db.query(
      `UPDATE emergency_access SET expires_at = now() - interval '1 second' WHERE id = $1`,
      [grant.body.id],
    );
    await t.http.get(`/api/v1/prisoners/${p.id}`).set('authorization', officerA.auth).expect(404);
  });

  it('is not needed, and refused with 409, for a prisoner already in scope; 404 for an unknown one', async () => {
    const p = await f.prisoner(a);
    const res = await t.http
      .post(`/api/v1/prisoners/${p.id}/emergency-access`)
      .set('authorization', officerA.auth)
      .send({ reason: REASON })
      .expect(409);
    expect(res.body.code).toBe('already_accessible');
    await t.http
      .post(`/api/v1/prisoners/00000000-0000-4000-8000-000000000000/emergency-access`)
      .set('authorization', officerA.auth)
      .send({ reason: REASON })
      .expect(404);
  });

  it('waits in the review queue of the prisoner’s facility; a supervisor reviews it once', async () => {
    const p = await f.prisoner(b);
    const grant = await t.http
      .post(`/api/v1/prisoners/${p.id}/emergency-access`)
      .set('authorization', officerA.auth)
      .send({ reason: REASON })
      .expect(201);
    const supervisorA = await f.user(['supervisor'], [a]);
    const queueA = await t.http
      .get('/api/v1/emergency-access')
      .set('authorization', supervisorA.auth)
      .expect(200);
    expect(queueA.body.items.map((g: { id: string }) => g.id)).not.toContain(grant.body.id);
    await t.http
      .post(`/api/v1/emergency-access/${grant.body.id}/review`)
      .set('authorization', supervisorA.auth)
      .send({ outcome: 'justified', note: 'n' })
      .expect(404);

    const pending = await t.http
      .get('/api/v1/emergency-access')
      .query({ status: 'pending' })
      .set('authorization', supervisorB.auth)
      .expect(200);
    expect(pending.body.items.find((g: { id: string }) => g.id === grant.body.id)).toMatchObject({
      reason: REASON,
      user: { id: officerA.id },
      prisonNumber: p.prisonNumber,
    });
    const bad = await t.http
      .post(`/api/v1/emergency-access/${grant.body.id}/review`)
      .set('authorization', supervisorB.auth)
      .send({ outcome: 'fine' })
      .expect(400);
    expect(bad.body.errors.map((e: { path: string }) => e.path).sort()).toEqual([
      'note',
      'outcome',
    ]);
    const reviewed = await t.http
      .post(`/api/v1/emergency-access/${grant.body.id}/review`)
      .set('authorization', supervisorB.auth)
      .send({ outcome: 'unjustified', note: 'No escort was scheduled' })
      .expect(200);
    expect(reviewed.body).toMatchObject({
      status: 'reviewed',
      outcome: 'unjustified',
      reviewedBy: { id: supervisorB.id },
    });
    await t.http
      .post(`/api/v1/emergency-access/${grant.body.id}/review`)
      .set('authorization', supervisorB.auth)
      .send({ outcome: 'justified', note: 'again' })
      .expect(409);
    const done = await t.http
      .get('/api/v1/emergency-access')
      .query({ status: 'reviewed' })
      .set('authorization', supervisorB.auth)
      .expect(200);
    expect(done.body.items.map((g: { id: string }) => g.id)).toContain(grant.body.id);
  });

  it('never lets a supervisor review their own grant', async () => {
    const supervisorAB = await f.user(['supervisor'], [a]);
    const p = await f.prisoner(b);
    const grant = await t.http
      .post(`/api/v1/prisoners/${p.id}/emergency-access`)
      .set('authorization', supervisorAB.auth)
      .send({ reason: REASON })
      .expect(201);
    await t.db.query(`INSERT INTO user_facility (user_id, facility_id) VALUES ($1, $2)`, [
      supervisorAB.id,
      b.id,
    ]);
    const res = await t.http
      .post(`/api/v1/emergency-access/${grant.body.id}/review`)
      .set('authorization', supervisorAB.auth)
      .send({ outcome: 'justified', note: 'Mine' })
      .expect(403);
    expect(res.body.detail).toContain('Another supervisor');
  });

  const open = async (holder: TestUser) => {
    const p = await f.prisoner(b);
    const grant = await t.http
      .post(`/api/v1/prisoners/${p.id}/emergency-access`)
      .set('authorization', holder.auth)
      .send({ reason: REASON })
      .expect(201);
    await t.http.get(`/api/v1/prisoners/${p.id}`).set('authorization', holder.auth).expect(200);
    return { p, grantId: grant.body.id as string };
  };

  it('ends a grant at once when it is reviewed as unjustified', async () => {
    const { p, grantId } = await open(officerA);
    const reviewed = await t.http
      .post(`/api/v1/emergency-access/${grantId}/review`)
      .set('authorization', supervisorB.auth)
      .send({ outcome: 'unjustified', note: 'No escort was scheduled' })
      .expect(200);
    expect(reviewed.body).toMatchObject({
      active: false,
      endedBy: { id: supervisorB.id },
      endReason: 'reviewed as unjustified',
    });
    expect(Date.parse(reviewed.body.expiresAt)).toBeLessThanOrEqual(Date.now());
    await t.http.get(`/api/v1/prisoners/${p.id}`).set('authorization', officerA.auth).expect(404);
  });

  it('keeps a grant reviewed as justified until it expires', async () => {
    const { p, grantId } = await open(officerA);
    const reviewed = await t.http
      .post(`/api/v1/emergency-access/${grantId}/review`)
      .set('authorization', supervisorB.auth)
      .send({ outcome: 'justified', note: 'Escort confirmed in the duty log' })
      .expect(200);
    expect(reviewed.body).toMatchObject({ active: true, endedAt: null });
    await t.http.get(`/api/v1/prisoners/${p.id}`).set('authorization', officerA.auth).expect(200);
  });

  it('lets a supervisor of the prisoner’s facility revoke a live grant, once', async () => {
    const { p, grantId } = await open(officerA);
    const supervisorA = await f.user(['supervisor'], [a]);
    await t.http
      .post(`/api/v1/emergency-access/${grantId}/revoke`)
      .set('authorization', supervisorA.auth)
      .send({ reason: 'Not my facility' })
      .expect(404);
    await t.http
      .post(`/api/v1/emergency-access/${grantId}/revoke`)
      .set('authorization', officerA.auth)
      .send({ reason: 'Not a supervisor' })
      .expect(403);
    const bad = await t.http
      .post(`/api/v1/emergency-access/${grantId}/revoke`)
      .set('authorization', supervisorB.auth)
      .send({})
      .expect(400);
    expect(bad.body.errors.map((e: { path: string }) => e.path)).toEqual(['reason']);
    const revoked = await t.http
      .post(`/api/v1/emergency-access/${grantId}/revoke`)
      .set('authorization', supervisorB.auth)
      .set('x-request-id', 'revoke-grant')
      .send({ reason: 'The escort was cancelled' })
      .expect(200);
    expect(revoked.body).toMatchObject({
      active: false,
      status: 'pending',
      endedBy: { id: supervisorB.id },
      endReason: 'The escort was cancelled',
    });
    await t.http.get(`/api/v1/prisoners/${p.id}`).set('authorization', officerA.auth).expect(404);
    const again = await t.http
      .post(`/api/v1/emergency-access/${grantId}/revoke`)
      .set('authorization', supervisorB.auth)
      .send({ reason: 'The escort was cancelled' })
      .expect(409);
    expect(again.body.code).toBe('grant_not_active');
    const events = await t.db.query(
      `SELECT action, outcome, prisoner_id, changed_fields FROM audit_event WHERE request_id = $1`,
      ['revoke-grant'],
    );
    expect(events).toEqual([
      {
        action: 'emergency_access.revoke',
        outcome: 'success',
        prisoner_id: p.id,
        changed_fields: ['endReason', 'endedAt'],
      },
    ]);
    // Still waits for its review.
    const pending = await t.http
      .get('/api/v1/emergency-access')
      .set('authorization', supervisorB.auth)
      .expect(200);
    expect(pending.body.items.map((g: { id: string }) => g.id)).toContain(grantId);
  });

  it('attributes reviews due shown under a grant to the grant', async () => {
    const psychologist = await f.user(['psychologist'], [a]);
    const { p, grantId } = await open(psychologist);
    const due = await t.http
      .get('/api/v1/reviews/due')
      .set('authorization', psychologist.auth)
      .set('x-request-id', 'due-under-grant')
      .expect(200);
    expect(due.body.items.map((i: { prisonerId: string }) => i.prisonerId)).toContain(p.id);
    const events = await t.db.query(
      `SELECT prisoner_id, purpose, details FROM audit_event
       WHERE request_id = $1 AND prisoner_id IS NOT NULL`,
      ['due-under-grant'],
    );
    expect(events).toEqual([
      {
        prisoner_id: p.id,
        purpose: REASON,
        details: { emergencyAccessId: grantId, viaList: true },
      },
    ]);
  });

  it('pages through grants made within the same millisecond without losing one', async () => {
    const facility = await f.facility();
    const supervisor = await f.user(['supervisor'], [facility]);
    const ids: string[] = [];
    for (const micros of ['000100', '000200', '000300']) {
      const p = await f.prisoner(facility);
      const [{ id }] = await t.db.query(
        `INSERT INTO emergency_access (user_id, prisoner_id, facility_id, reason, granted_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, now() + interval '1 hour') RETURNING id`,
        [officerA.id, p.id, facility.id, REASON, `2026-11-30T10:00:00.${micros}Z`],
      );
      ids.push(id);
    }
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await t.http
        .get('/api/v1/emergency-access')
        .query({ limit: 1, ...(cursor ? { cursor } : {}) })
        .set('authorization', supervisor.auth)
        .expect(200);
      seen.push(...page.body.items.map((g: { id: string }) => g.id));
      cursor = page.body.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual([...ids].reverse());
  });
});
