import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { canonicalSha256 } from '../src/crypto/canonical-json.js';
import {
  Factories,
  type TestFacility,
  type TestPrisoner,
  type TestUser,
} from './factories/index.js';
import { createTestApp, type TestApp } from './support/test-app.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const today = () => new Date().toISOString().slice(0, 10);
const FORMULATION = 'CLINICAL-FORMULATION: grievance after the death of a brother';
const INFORMANT = 'INFORMANT-NOTE: reported by a cell-mate';

describe('subject access (Mandela Rule 9)', () => {
  let t: TestApp;
  let f: Factories;
  let a: TestFacility;
  let b: TestFacility;
  let supervisor: TestUser;
  let supervisor2: TestUser;
  let assessor: TestUser;
  let countersigner: TestUser;
  let pve: TestUser;
  let security: TestUser;

  beforeAll(async () => {
    t = await createTestApp({ env: { SUBJECT_ACCESS_PERIOD: '40d' } });
    f = new Factories(t);
    a = await f.facility({ code: 'SA-A' });
    b = await f.facility({ code: 'SA-B' });
    supervisor = await f.user(['supervisor'], [a]);
    supervisor2 = await f.user(['supervisor'], [a]);
    assessor = await f.user(['psychologist'], [a]);
    countersigner = await f.user(['psychologist'], [a]);
    pve = await f.user(['pve_inspector'], [a]);
    security = await f.user(['security_officer'], [a]);
  });
  afterAll(() => t.close());

  const api = (user: TestUser) => ({
    get: (path: string) => t.http.get(`/api/v1${path}`).set('authorization', user.auth),
    post: (path: string, body?: Json, ifMatch?: number) => {
      const req = t.http.post(`/api/v1${path}`).set('authorization', user.auth);
      if (ifMatch !== undefined) req.set('if-match', String(ifMatch));
      return body === undefined ? req : req.send(body);
    },
  });

  /** A prisoner with two approved assessments, a plan with a hand-over, an event, a challenge and a disclosure. */
  async function fullFile(p: TestPrisoner) {
    const risk = await f.approvedAssessment(p, assessor, countersigner, {
      instrumentKey: 've-risk-spj',
      finalRiskLevel: 'moderate',
    });
    const needs = await f.approvedAssessment(p, assessor, countersigner, {
      instrumentKey: 've-needs',
      needs: [
        { code: 'ideology', priority: 'high' },
        { code: 'education', priority: 'medium' },
      ],
    });
    await t.db.query(`UPDATE assessment SET formulation = $2 WHERE id = $1`, [risk, FORMULATION]);
    let plan = (
      await api(pve).post(`/prisoners/${p.id}/plans`, { basedOnAssessmentId: needs }).expect(201)
    ).body;
    plan = (
      await t.http
        .patch(`/api/v1/plans/${plan.id}`)
        .set('authorization', pve.auth)
        .set('if-match', String(plan.version))
        .send({
          release: {
            handovers: [
              {
                agency: 'Regional probation',
                date: today(),
                sharedWhat: 'Plan goals and release date',
              },
            ],
          },
        })
        .expect(200)
    ).body;
    const event = (
      await api(security)
        .post(`/prisoners/${p.id}/events`, {
          type: 'new_information',
          occurredAt: new Date().toISOString(),
          note: INFORMANT,
        })
        .expect(201)
    ).body;
    const challenge = (
      await api(security)
        .post(`/prisoners/${p.id}/challenges`, {
          targetType: 'assessment',
          targetId: risk,
          receivedOn: today(),
          words: 'The assessment is wrong about my brother.',
        })
        .expect(201)
    ).body;
    const disclosure = (
      await api(supervisor)
        .post(`/prisoners/${p.id}/disclosures`, {
          recipientType: 'police',
          recipient: 'Regional police',
          lawfulBasis: 'Court order 12/2026',
          purpose: 'Investigation of an incident',
          disclosedOn: today(),
          records: [{ recordType: 'assessment', recordId: risk, fields: ['finalRiskLevel'] }],
        })
        .expect(201)
    ).body;
    return { risk, needs, plan, event, challenge, disclosure };
  }

  it('a subject-access copy of a prisoner with two assessments and a plan lists every record, applies redactions, and its register names each with ground and decider', async () => {
    const p = await f.prisoner(a);
    const file = await fullFile(p);
    const received = new Date(Date.now() - 5 * 86400e3).toISOString().slice(0, 10);
    let request = (
      await api(supervisor)
        .post(`/prisoners/${p.id}/subject-access-requests`, {
          receivedOn: received,
          note: 'Written request',
        })
        .expect(201)
    ).body;
    expect(request).toMatchObject({
      kind: 'request',
      status: 'received',
      receivedOn: received,
      dueOn: new Date(Date.parse(`${received}T00:00:00Z`) + 40 * 86400e3)
        .toISOString()
        .slice(0, 10),
      overdue: false,
      register: [],
      bundleSha256: null,
    });

    // The preview lists every record; clinical content is not shown to the supervisor.
    const preview = (
      await api(supervisor).get(`/subject-access-requests/${request.id}/contents`).expect(200)
    ).body;
    const byType = (type: string) => preview.records.filter((r: Json) => r.type === type);
    expect(byType('particulars')).toHaveLength(1);
    expect(
      byType('assessment')
        .map((r: Json) => r.id)
        .sort(),
    ).toEqual([file.risk, file.needs].sort());
    expect(byType('plan').map((r: Json) => r.id)).toEqual([file.plan.id]);
    expect(byType('event').map((r: Json) => r.id)).toContain(file.event.id);
    expect(byType('challenge').map((r: Json) => r.id)).toEqual([file.challenge.id]);
    expect(byType('disclosure')).toHaveLength(2); // the recorded one and the plan's hand-over
    const formulation = byType('assessment')
      .find((r: Json) => r.id === file.risk)
      .fields.find((x: Json) => x.name === 'formulation');
    expect(formulation).toMatchObject({ value: null, clinical: true });
    expect(JSON.stringify(preview)).not.toContain('CLINICAL-FORMULATION');
    expect(preview.grounds).toContain('informant_identity');

    // Bad redactions name every failing field; nothing is written.
    const bad = await api(supervisor)
      .post(`/subject-access-requests/${request.id}/redactions`, {
        element: `assessment/${p.id}/formulation`,
        ground: 'because',
      })
      .expect(400);
    expect(bad.body.errors.map((e: Json) => e.path).sort()).toEqual(['element', 'ground']);

    const redact = (element: string, ground: string, user = supervisor) =>
      api(user).post(`/subject-access-requests/${request.id}/redactions`, {
        element,
        ground,
        note: 'Reviewed',
      });
    await redact(`assessment/${file.risk}/formulation`, 'informant_identity').expect(201);
    await redact(`event/${file.event.id}/note`, 'informant_identity', supervisor2).expect(201);
    await redact(`disclosure/${file.disclosure.id}`, 'ongoing_investigation').expect(201);
    await redact(`disclosure/${file.disclosure.id}`, 'safety_of_others').expect(409);
    // A mistaken decision is withdrawn; it stays in the register.
    const mistaken = (
      await redact(`plan/${file.plan.id}/goals`, 'third_party_information').expect(201)
    ).body;
    const withdrawnId = mistaken.register.find(
      (x: Json) => x.element === `plan/${file.plan.id}/goals`,
    ).id;
    request = (
      await api(supervisor)
        .post(`/subject-access-requests/${request.id}/redactions/${withdrawnId}/withdraw`)
        .expect(200)
    ).body;
    expect(request.status).toBe('in_preparation');
    expect(request.register).toHaveLength(4);
    expect(request.register.find((x: Json) => x.id === withdrawnId)).toMatchObject({
      withdrawnBy: { id: supervisor.id },
    });

    await api(supervisor).post(`/subject-access-requests/${request.id}/release`).expect(428);
    await api(supervisor)
      .post(`/subject-access-requests/${request.id}/release`, undefined, request.version - 1)
      .expect(409);
    await api(supervisor).get(`/subject-access-requests/${request.id}/bundle`).expect(409);
    const released = (
      await api(supervisor)
        .post(`/subject-access-requests/${request.id}/release`, undefined, request.version)
        .expect(200)
    ).body;
    expect(released).toMatchObject({ status: 'released', releasedBy: { id: supervisor.id } });
    expect(released.bundleSha256).toMatch(/^[0-9a-f]{64}$/);

    const bundle = (
      await api(supervisor).get(`/subject-access-requests/${request.id}/bundle`).expect(200)
    ).body;
    expect(canonicalSha256(bundle)).toBe(released.bundleSha256);
    expect(bundle).toMatchObject({
      format: 'vep-subject-access-copy/1',
      official: false,
      prisoner: { id: p.id, prisonNumber: p.prisonNumber },
    });
    const types = bundle.records.map((r: Json) => r.type);
    for (const type of ['particulars', 'assessment', 'plan', 'event', 'challenge', 'disclosure'])
      expect(types).toContain(type);
    expect(types.filter((x: string) => x === 'assessment')).toHaveLength(2);
    const text = JSON.stringify(bundle);
    expect(text).not.toContain('CLINICAL-FORMULATION');
    expect(text).not.toContain('INFORMANT-NOTE');
    expect(text).not.toContain('Court order 12/2026');
    expect(text).toContain('The assessment is wrong about my brother.');
    const record = (id: string) => bundle.records.find((r: Json) => r.id === id);
    expect(record(file.risk).fields.find((x: Json) => x.name === 'formulation')).toMatchObject({
      value: null,
      redacted: 'informant_identity',
    });
    expect(record(file.risk).fields.find((x: Json) => x.name === 'finalRiskLevel').value).toBe(
      'moderate',
    );
    expect(record(file.disclosure.id)).toMatchObject({
      withheld: 'ongoing_investigation',
      fields: [],
    });
    // The withdrawn redaction does not apply: the plan's goals are in the copy.
    expect(record(file.plan.id).fields.find((x: Json) => x.name === 'goals').value).toContain(
      'ideology',
    );
    // The hand-over disclosure is listed (not withheld).
    const handover = bundle.records.find(
      (r: Json) => r.type === 'disclosure' && r.id !== file.disclosure.id,
    );
    expect(handover.fields.find((x: Json) => x.name === 'recipient').value).toBe(
      'Regional probation',
    );
    // The register: each element with its ground, who decided and when.
    expect(bundle.register).toHaveLength(3);
    expect(bundle.register).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          element: `assessment/${file.risk}/formulation`,
          ground: 'informant_identity',
          decidedBy: `Test ${supervisor.username}`,
        }),
        expect.objectContaining({
          element: `event/${file.event.id}/note`,
          ground: 'informant_identity',
          decidedBy: `Test ${supervisor2.username}`,
        }),
        expect.objectContaining({
          element: `disclosure/${file.disclosure.id}`,
          ground: 'ongoing_investigation',
        }),
      ]),
    );
    for (const entry of bundle.register) expect(Date.parse(entry.decidedAt)).not.toBeNaN();

    // Released: the register is closed, the copy fixed.
    await redact(`assessment/${file.needs}`, 'safety_of_others').expect(409);
    const again = (
      await api(supervisor).get(`/subject-access-requests/${request.id}/bundle`).expect(200)
    ).body;
    expect(canonicalSha256(again)).toBe(released.bundleSha256);

    // Audited as subject_access.*, without content.
    const events = await t.db.query(
      `SELECT action, details FROM audit_event WHERE prisoner_id = $1 AND action LIKE 'subject_access.%' ORDER BY seq`,
      [p.id],
    );
    const actions = events.map((e: Json) => e.action);
    for (const action of ['create', 'read', 'redact', 'unredact', 'release', 'export'])
      expect(actions).toContain(`subject_access.${action}`);
    const audited = JSON.stringify(events);
    expect(audited).not.toContain('CLINICAL');
    expect(audited).not.toContain('brother');
  });

  it('the official copy on release is due on the release date and marked official', async () => {
    const p = await f.prisoner(a);
    const release = new Date(Date.now() + 20 * 86400e3).toISOString().slice(0, 10);
    const request = (
      await api(supervisor)
        .post(`/prisoners/${p.id}/subject-access-requests`, {
          kind: 'release_copy',
          receivedOn: release,
        })
        .expect(201)
    ).body;
    expect(request).toMatchObject({ kind: 'release_copy', dueOn: release });
    await api(supervisor)
      .post(`/subject-access-requests/${request.id}/release`, undefined, request.version)
      .expect(200);
    const bundle = (
      await api(supervisor).get(`/subject-access-requests/${request.id}/bundle`).expect(200)
    ).body;
    expect(bundle).toMatchObject({ official: true, kind: 'release_copy', register: [] });
    expect(bundle.records.map((r: Json) => r.type)).toEqual(['particulars']);
  });

  it('is the supervisors’ work, in their facilities only', async () => {
    const p = await f.prisoner(a);
    const request = (
      await api(supervisor)
        .post(`/prisoners/${p.id}/subject-access-requests`, { receivedOn: today() })
        .expect(201)
    ).body;
    for (const user of [pve, security, assessor]) {
      await api(user).get(`/subject-access-requests/${request.id}`).expect(403);
      await api(user)
        .post(`/prisoners/${p.id}/subject-access-requests`, { receivedOn: today() })
        .expect(403);
    }
    const outsider = await f.user(['supervisor'], [b]);
    await api(outsider).get(`/subject-access-requests/${request.id}`).expect(404);
    await api(outsider).get(`/subject-access-requests/${request.id}/contents`).expect(404);
    const list = (await api(outsider).get('/subject-access-requests').expect(200)).body;
    expect(list.items.some((r: Json) => r.id === request.id)).toBe(false);
    const mine = (
      await api(supervisor).get(`/subject-access-requests?prisonerId=${p.id}`).expect(200)
    ).body;
    expect(mine.items.map((r: Json) => r.id)).toEqual([request.id]);
    const future = await api(supervisor)
      .post(`/prisoners/${p.id}/subject-access-requests`, { receivedOn: '2999-01-01' })
      .expect(400);
    expect(future.body.errors.map((e: Json) => e.path)).toEqual(['receivedOn']);
  });
});
