import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Factories, type TestFacility, type TestUser } from './factories/index.js';
import { createTestApp, type TestApp } from './support/test-app.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const today = () => new Date().toISOString().slice(0, 10);
const DISCLOSURE = {
  recipientType: 'court',
  recipient: 'Regional court',
  lawfulBasis: 'Criminal procedure code, art. 120',
  purpose: 'Parole hearing',
  disclosedOn: '2026-01-10',
  records: [
    { recordType: 'assessment', recordId: null, fields: ['finalRiskLevel', 'nextReviewDue'] },
  ],
};

describe('disclosure log', () => {
  let t: TestApp;
  let f: Factories;
  let a: TestFacility;
  let b: TestFacility;
  let supervisor: TestUser;
  let pve: TestUser;
  let assessor: TestUser;
  let countersigner: TestUser;

  beforeAll(async () => {
    t = await createTestApp();
    f = new Factories(t);
    a = await f.facility({ code: 'DL-A' });
    b = await f.facility({ code: 'DL-B' });
    supervisor = await f.user(['supervisor'], [a]);
    pve = await f.user(['pve_inspector'], [a]);
    assessor = await f.user(['psychologist'], [a]);
    countersigner = await f.user(['psychologist'], [a]);
  });
  afterAll(() => t.close());

  it('records who received exactly which fields, on what basis and for what, approved by the supervisor', async () => {
    const p = await f.prisoner(a);
    const res = await t.http
      .post(`/api/v1/prisoners/${p.id}/disclosures`)
      .set('authorization', supervisor.auth)
      .send(DISCLOSURE)
      .expect(201);
    expect(res.body).toMatchObject({
      ...DISCLOSURE,
      prisonerId: p.id,
      source: 'recorded',
      planId: null,
      approvedBy: { id: supervisor.id },
      recordedBy: { id: supervisor.id },
    });
    const list = await t.http
      .get(`/api/v1/prisoners/${p.id}/disclosures`)
      .set('authorization', supervisor.auth)
      .expect(200);
    expect(list.body.items.map((d: Json) => d.id)).toEqual([res.body.id]);
    const log = await t.http
      .get('/api/v1/disclosures')
      .set('authorization', supervisor.auth)
      .expect(200);
    expect(log.body.items.map((d: Json) => d.id)).toContain(res.body.id);
    const outsider = await f.user(['supervisor'], [b]);
    const theirs = await t.http
      .get('/api/v1/disclosures')
      .set('authorization', outsider.auth)
      .expect(200);
    expect(theirs.body.items.some((d: Json) => d.id === res.body.id)).toBe(false);
    await t.http
      .get(`/api/v1/prisoners/${p.id}/disclosures`)
      .set('authorization', outsider.auth)
      .expect(404);
    await t.http.get('/api/v1/disclosures').set('authorization', pve.auth).expect(403);
    const [audit] = await t.db.query(
      `SELECT details FROM audit_event WHERE action = 'disclosure.create' AND entity_id = $1`,
      [res.body.id],
    );
    expect(audit.details).toEqual({ recipientType: 'court', recordCount: 1 });
  });

  it('refuses incomplete entries, naming every field, and writes nothing', async () => {
    const p = await f.prisoner(a);
    const res = await t.http
      .post(`/api/v1/prisoners/${p.id}/disclosures`)
      .set('authorization', supervisor.auth)
      .send({ recipientType: 'friend', records: [{ recordType: 'assessment', fields: [] }] })
      .expect(400);
    expect(res.body.errors.map((e: Json) => e.path).sort()).toEqual([
      'disclosedOn',
      'lawfulBasis',
      'purpose',
      'recipient',
      'recipientType',
      'records[0].fields',
    ]);
    await t.http
      .post(`/api/v1/prisoners/${p.id}/disclosures`)
      .set('authorization', supervisor.auth)
      .send({ ...DISCLOSURE, disclosedOn: '2999-01-01' })
      .expect(400);
    const [{ count }] = await t.db.query(
      `SELECT count(*)::int AS count FROM disclosure WHERE prisoner_id = $1`,
      [p.id],
    );
    expect(count).toBe(0);
  });

  it('a plan’s release hand-over writes an entry, once', async () => {
    const p = await f.prisoner(a);
    const needs = await f.approvedAssessment(p, assessor, countersigner, {
      instrumentKey: 've-needs',
      needs: [{ code: 'ideology', priority: 'high' }],
    });
    let plan = (
      await t.http
        .post(`/api/v1/prisoners/${p.id}/plans`)
        .set('authorization', pve.auth)
        .send({ basedOnAssessmentId: needs })
        .expect(201)
    ).body;
    const handover = {
      agency: 'Probation service of the region',
      date: today(),
      sharedWhat: 'Release date and accommodation goal',
      legalBasis: 'Penal code, art. 169',
    };
    const patch = (body: Json) =>
      t.http
        .patch(`/api/v1/plans/${plan.id}`)
        .set('authorization', pve.auth)
        .set('if-match', String(plan.version))
        .send(body)
        .expect(200);
    plan = (await patch({ release: { handovers: [handover] } })).body;
    // The same list again (and other release changes) adds nothing.
    plan = (await patch({ release: { handovers: [handover], tasks: [] } })).body;
    plan = (
      await patch({
        release: {
          handovers: [
            handover,
            { ...handover, agency: 'Police', legalBasis: null, sharedWhat: 'Address' },
          ],
        },
      })
    ).body;
    const list = await t.http
      .get(`/api/v1/prisoners/${p.id}/disclosures`)
      .set('authorization', supervisor.auth)
      .expect(200);
    expect(list.body.items).toHaveLength(2);
    const probation = list.body.items.find((d: Json) => d.recipient === handover.agency);
    expect(probation).toMatchObject({
      source: 'plan_handover',
      planId: plan.id,
      recipientType: 'other',
      lawfulBasis: handover.legalBasis,
      disclosedOn: handover.date,
      approvedBy: null,
      recordedBy: { id: pve.id },
      records: [
        { recordType: 'plan', recordId: plan.id, fields: [], description: handover.sharedWhat },
      ],
    });
    const police = list.body.items.find((d: Json) => d.recipient === 'Police');
    expect(police.lawfulBasis).toBeNull();
    const details = await t.db.query(
      `SELECT details->>'disclosuresLogged' AS logged FROM audit_event
       WHERE action = 'plan.update' AND entity_id = $1 ORDER BY seq`,
      [plan.id],
    );
    expect(details.map((d: Json) => d.logged)).toEqual(['1', null, '1']);
  });
});
