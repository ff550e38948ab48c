import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  Factories,
  type TestFacility,
  type TestPrisoner,
  type TestUser,
} from './factories/index.js';
import { createTestApp, type TestApp } from './support/test-app.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const WORDS = 'The officer on night duty struck me twice when I asked for water.';
const CONFIDENTIAL_WORDS = 'I was beaten in the corridor camera blind spot; I fear reprisals.';
const daysFrom = (date: string, days: number) =>
  new Date(Date.parse(`${date}T00:00:00Z`) + days * 86400e3).toISOString().slice(0, 10);
const today = () => new Date().toISOString().slice(0, 10);
const FAR = '2099-12-31';

/** GET an export as text, whatever its content type. */
const exportText = (t: TestApp, auth: string, query: Record<string, string>) =>
  t.http
    .get('/api/v1/audit/events/export')
    .query(query)
    .set('authorization', auth)
    .buffer(true)
    .parse((res, cb) => {
      let data = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (data += chunk));
      res.on('end', () => cb(null, data));
    })
    .expect(200)
    .then((res) => res.body as string);

describe('complaints (Mandela Rules 8(d), 56, 57)', () => {
  let t: TestApp;
  let f: Factories;
  let a: TestFacility;
  let b: TestFacility;
  let psychologist: TestUser;
  let pve: TestUser;
  let security: TestUser;
  let officer: TestUser;
  let supervisor: TestUser;
  let deputy: TestUser;
  let admin: TestUser;
  let elsewhere: TestUser;

  beforeAll(async () => {
    t = await createTestApp({
      env: { COMPLAINT_RESPONSE_PERIOD: 'P10D', COMPLAINT_WATCH_PERIOD: 'P6M' },
    });
    f = new Factories(t);
    a = await f.facility({ code: 'CO-A' });
    b = await f.facility({ code: 'CO-B' });
    psychologist = await f.user(['psychologist'], [a]);
    pve = await f.user(['pve_inspector'], [a]);
    security = await f.user(['security_officer'], [a]);
    officer = await f.user(['security_officer'], [a]);
    supervisor = await f.user(['supervisor'], [a]);
    deputy = await f.user(['supervisor'], [a]);
    admin = await f.user(['administrator']);
    elsewhere = await f.user(['security_officer'], [b]);
  });
  afterAll(() => t.close());

  const body = (overrides: Json = {}): Json => ({
    receivedOn: today(),
    madeBy: 'prisoner',
    subject: 'treatment_by_staff',
    allegesIllTreatment: false,
    words: WORDS,
    ...overrides,
  });
  const record = (p: TestPrisoner, user: TestUser, b: Json) =>
    t.http.post(`/api/v1/prisoners/${p.id}/complaints`).set('authorization', user.auth).send(b);
  const read = (id: string, user: TestUser) =>
    t.http.get(`/api/v1/complaints/${id}`).set('authorization', user.auth);
  const answer = (
    id: string,
    user: TestUser,
    b: Json = { outcome: 'not_upheld', response: 'No' },
  ) => t.http.post(`/api/v1/complaints/${id}/answer`).set('authorization', user.auth).send(b);
  const refer = (id: string, user: TestUser, b: Json = {}) =>
    t.http
      .post(`/api/v1/complaints/${id}/referrals`)
      .set('authorization', user.auth)
      .send({
        authority: 'prosecutor',
        authorityName: 'Regional prosecutor',
        referredOn: today(),
        ...b,
      });
  const list = async (path: string, user: TestUser) => {
    const res = await t.http
      .get(`/api/v1${path}${path.includes('?') ? '&' : '?'}limit=100`)
      .set('authorization', user.auth);
    return res.status === 200 ? (res.body.items as Json[]) : res.status;
  };
  const due = async (user: TestUser) => {
    const res = await t.http
      .get(`/api/v1/reviews/due?before=${FAR}&limit=100`)
      .set('authorization', user.auth);
    return res.status === 200 ? (res.body.items as Json[]) : res.status;
  };
  const complaintCount = async (p: TestPrisoner) =>
    (await t.db.query(`SELECT count(*)::int AS n FROM complaint WHERE prisoner_id = $1`, [p.id]))[0]
      .n as number;

  describe('complaints made to staff', () => {
    it('records the words verbatim, routes to a supervisor it does not concern, and gives each role its view', async () => {
      const p = await f.prisoner(a);
      const received = daysFrom(today(), -2);
      const res = await record(
        p,
        security,
        body({ receivedOn: received, concernsStaffIds: [officer.id, supervisor.id] }),
      );
      expect([res.status, res.body.errors]).toEqual([201, undefined]);
      // Routed away from the supervisor it concerns.
      expect(res.body).toMatchObject({
        view: 'summary',
        channel: 'staff',
        confidential: false,
        madeBy: 'prisoner',
        subject: 'treatment_by_staff',
        allegesIllTreatment: false,
        receivedOn: received,
        respondBy: daysFrom(received, 10),
        assignedTo: { id: deputy.id },
        status: 'open',
        outcome: null,
        referralRequired: false,
        referrals: [],
        recordedBy: { id: security.id },
      });
      expect(res.body.words).toBeUndefined();
      expect(res.body.concernedStaff).toBeUndefined();
      const id = res.body.id as string;

      const full = (await read(id, deputy).expect(200)).body;
      expect(full).toMatchObject({ view: 'full', words: WORDS, watch: [], watchFlags: 0 });
      expect(full.concernedStaff.map((s: Json) => s.id).sort()).toEqual(
        [officer.id, supervisor.id].sort(),
      );
      // Summary for the roles that do not handle complaints, and for the staff it concerns,
      // who never learn whom else it names.
      for (const user of [psychologist, pve, security, officer, supervisor]) {
        const summary = (await read(id, user).expect(200)).body;
        expect([user.username, summary.view]).toEqual([user.username, 'summary']);
        expect(JSON.stringify(summary)).not.toContain('night duty');
        expect(summary.concernedStaff).toBeUndefined();
        expect(summary.watch).toBeUndefined();
      }
      const listed = (await list(`/prisoners/${p.id}/complaints`, supervisor)) as Json[];
      expect(listed.map((c) => [c.id, c.view])).toEqual([[id, 'summary']]);
      expect(((await list('/complaints', deputy)) as Json[]).find((c) => c.id === id)?.view).toBe(
        'full',
      );
      expect((await read(id, elsewhere)).status).toBe(404);
      expect((await read(id, admin)).status).toBe(403);

      const [audit] = await t.db.query(
        `SELECT entity_type, details, changed_fields FROM audit_event
         WHERE action = 'complaint.create' AND entity_id = $1`,
        [id],
      );
      expect(audit.entity_type).toBe('complaint');
      expect(audit.changed_fields).toEqual(expect.arrayContaining(['words', 'concernedStaff']));
      expect(audit.details).toMatchObject({ channel: 'staff', concernedStaffCount: 2 });
      expect(JSON.stringify(audit.details)).not.toContain('night duty');
    });

    it('a psychologist or PVE inspector who recorded it reads it in full; a security officer does not', async () => {
      const p = await f.prisoner(a);
      for (const [user, view] of [
        [psychologist, 'full'],
        [pve, 'full'],
        [security, 'summary'],
      ] as const) {
        const res = await record(p, user, body()).expect(201);
        expect([user.username, res.body.view]).toEqual([user.username, view]);
      }
    });

    it('refuses concerned staff as handler, staff of other facilities, and names every failing field', async () => {
      const p = await f.prisoner(a);
      const concernsHandler = await record(
        p,
        security,
        body({ concernsStaffIds: [deputy.id], assignedToId: deputy.id }),
      ).expect(400);
      expect(concernsHandler.body.errors.map((e: Json) => e.path)).toEqual(['assignedToId']);
      const bad = await record(
        p,
        security,
        body({
          receivedOn: daysFrom(today(), 1),
          concernsStaffIds: [officer.id, elsewhere.id, admin.id],
          assignedToId: psychologist.id,
        }),
      ).expect(400);
      expect(bad.body.errors.map((e: Json) => e.path).sort()).toEqual([
        'assignedToId',
        'concernsStaffIds[1]',
        'concernsStaffIds[2]',
        'receivedOn',
      ]);
      const malformed = await record(p, security, {
        madeBy: 'warden',
        subject: 'food',
        allegesIllTreatment: 'yes',
        words: '',
        concernsStaffIds: ['x'],
      }).expect(400);
      expect(
        [...new Set(malformed.body.errors.map((e: Json) => e.path.replace(/\[\d+\]$/, '')))].sort(),
      ).toEqual([
        'allegesIllTreatment',
        'concernsStaffIds',
        'madeBy',
        'receivedOn',
        'subject',
        'words',
      ]);
      expect(await complaintCount(p)).toBe(0);
    });

    it('lists the staff a complaint may name: the active staff of the prisoner’s facility', async () => {
      const p = await f.prisoner(a);
      const res = await t.http
        .get(`/api/v1/prisoners/${p.id}/complaint-staff`)
        .set('authorization', security.auth)
        .expect(200);
      const ids = res.body.items.map((s: Json) => s.id);
      expect(ids).toEqual(
        expect.arrayContaining([psychologist.id, pve.id, security.id, officer.id, supervisor.id]),
      );
      expect(ids).not.toContain(elsewhere.id);
      expect(ids).not.toContain(admin.id);
      const away = await f.prisoner(b);
      await t.http
        .get(`/api/v1/prisoners/${away.id}/complaint-staff`)
        .set('authorization', security.auth)
        .expect(404);
    });

    it('answers 409 no_impartial_handler when every supervisor of the facility is concerned', async () => {
      const p = await f.prisoner(a);
      const res = await record(
        p,
        security,
        body({ concernsStaffIds: [supervisor.id, deputy.id] }),
      ).expect(409);
      expect(res.body.code).toBe('no_impartial_handler');
      expect(await complaintCount(p)).toBe(0);
      // The database refuses it too, whatever the code does.
      const created = (await record(p, security, body()).expect(201)).body;
      await expect(
        t.db.query(`INSERT INTO complaint_staff (complaint_id, user_id) VALUES ($1, $2)`, [
          created.id,
          created.assignedTo.id,
        ]),
      ).rejects.toThrow(/staff it concerns/);
    });

    it('is answered by its assignee only, once', async () => {
      const p = await f.prisoner(a);
      const c = (await record(p, security, body({ assignedToId: supervisor.id })).expect(201)).body;
      expect((await answer(c.id, deputy)).status).toBe(403);
      expect((await answer(c.id, psychologist)).status).toBe(403);
      // A role that answers no complaint is refused whatever the complaint (the guard).
      expect((await answer(c.id, elsewhere)).status).toBe(403);
      const away = await f.user(['supervisor'], [b]);
      expect((await answer(c.id, away)).status).toBe(404);
      const done = await answer(c.id, supervisor, {
        outcome: 'partly_upheld',
        response: 'The water request was delayed; staff have been reminded.',
      }).expect(200);
      expect(done.body).toMatchObject({
        view: 'full',
        status: 'answered',
        outcome: 'partly_upheld',
        response: 'The water request was delayed; staff have been reminded.',
        answeredBy: { id: supervisor.id },
        version: c.version + 1,
      });
      const again = await answer(c.id, supervisor).expect(409);
      expect(again.body.code).toBe('already_answered');
      const open = (await list(`/complaints?status=open&assignedToMe=true`, supervisor)) as Json[];
      expect(open.map((x) => x.id)).not.toContain(c.id);
      const answered = (await list(`/complaints?status=answered`, supervisor)) as Json[];
      expect(answered.map((x) => x.id)).toContain(c.id);
    });

    it('refers an ill-treatment allegation before it is answered, with referral dates checked', async () => {
      const p = await f.prisoner(a);
      const received = daysFrom(today(), -3);
      const c = (
        await record(
          p,
          security,
          body({ receivedOn: received, allegesIllTreatment: true, assignedToId: deputy.id }),
        ).expect(201)
      ).body;
      expect(c.referralRequired).toBe(true);
      const blocked = await answer(c.id, deputy).expect(409);
      expect(blocked.body.code).toBe('referral_required');

      const early = await refer(c.id, deputy, { referredOn: daysFrom(received, -1) }).expect(400);
      expect(early.body.errors.map((e: Json) => e.path)).toEqual(['referredOn']);
      const late = await refer(c.id, deputy, { referredOn: daysFrom(today(), 1) }).expect(400);
      expect(late.body.errors.map((e: Json) => e.path)).toEqual(['referredOn']);
      const malformed = await refer(c.id, deputy, {
        authority: 'police',
        authorityName: '',
        referredOn: 'soon',
        reference: '',
      }).expect(400);
      expect(malformed.body.errors.map((e: Json) => e.path).sort()).toEqual([
        'authority',
        'authorityName',
        'reference',
        'referredOn',
      ]);
      expect((await refer(c.id, psychologist)).status).toBe(403);
      // A supervisor the complaint concerns may not clear the way to its answer.
      const aboutSupervisor = (
        await record(
          p,
          security,
          body({ allegesIllTreatment: true, concernsStaffIds: [supervisor.id] }),
        ).expect(201)
      ).body;
      const self = await refer(aboutSupervisor.id, supervisor).expect(403);
      expect(self.body.detail).toMatch(/concerns/);
      expect((await read(aboutSupervisor.id, deputy).expect(200)).body.referrals).toEqual([]);

      // Any supervisor of the facility refers a complaint made to staff.
      const referred = await refer(c.id, supervisor, {
        referredOn: received,
        reference: 'PR-2026-114',
      }).expect(201);
      expect(referred.body.referralRequired).toBe(false);
      expect(referred.body.referrals).toEqual([
        expect.objectContaining({
          authority: 'prosecutor',
          authorityName: 'Regional prosecutor',
          referredOn: received,
          reference: 'PR-2026-114',
          recordedBy: expect.objectContaining({ id: supervisor.id }),
        }),
      ]);
      const [event] = await t.db.query(
        `SELECT details FROM audit_event WHERE action = 'complaint.refer' AND entity_id = $1`,
        [c.id],
      );
      expect(JSON.stringify(event.details)).not.toMatch(/PR-2026-114|Regional prosecutor/);
      await answer(c.id, deputy).expect(200);
    });

    it('lists due items: the referral the day received, the answer by its deadline', async () => {
      const p = await f.prisoner(a);
      const received = daysFrom(today(), -1);
      const c = (
        await record(
          p,
          security,
          body({ receivedOn: received, allegesIllTreatment: true, assignedToId: deputy.id }),
        ).expect(201)
      ).body;
      const mine = async (user: TestUser) =>
        ((await due(user)) as Json[]).filter((i) => i.complaintId === c.id);
      expect(
        (await mine(deputy)).map((i) => [i.kind, i.dueDate, i.reason, i.overdue]).sort(),
      ).toEqual(
        [
          ['complaint_response', daysFrom(received, 10), 'complaint', false],
          ['ill_treatment_referral', received, 'ill_treatment_allegation', true],
        ].sort(),
      );
      expect(await mine(elsewhere)).toEqual([]);
      await refer(c.id, deputy).expect(201);
      expect((await mine(deputy)).map((i) => i.kind)).toEqual(['complaint_response']);
      await answer(c.id, deputy).expect(200);
      expect(await mine(deputy)).toEqual([]);
    });

    it('accepts an Idempotency-Key: a retry gets the first answer, not a second complaint', async () => {
      const p = await f.prisoner(a);
      const send = () =>
        t.http
          .post(`/api/v1/prisoners/${p.id}/complaints`)
          .set('authorization', security.auth)
          .set('idempotency-key', `complaint-${p.id}`)
          .send(body());
      const first = await send().expect(201);
      const second = await send().expect(201);
      expect(second.body.id).toBe(first.body.id);
      expect(second.headers['idempotent-replayed']).toBeDefined();
      expect(await complaintCount(p)).toBe(1);
    });
  });

  describe('the anti-retaliation watch', () => {
    it('lists decisions about the complainant after the complaint, flagging those of the staff it concerns', async () => {
      const p = await f.prisoner(a);
      // Before the complaint: not watched.
      await f.measure(p, officer, { daysAgo: 10, type: 'separation' });
      const c = (
        await record(
          p,
          security,
          body({ receivedOn: daysFrom(today(), -5), concernsStaffIds: [officer.id] }),
        ).expect(201)
      ).body;
      const byOfficer = await f.measure(p, officer, { daysAgo: 1 });
      const bySecurity = await f.measure(p, security, { daysAgo: 2, type: 'special_regime' });
      const event = await t.http
        .post(`/api/v1/prisoners/${p.id}/events`)
        .set('authorization', officer.auth)
        .send({ type: 'disciplinary_finding', occurredAt: new Date().toISOString() });
      expect(event.status).toBe(201);
      // Not a disciplinary or security kind: not watched.
      await t.http
        .post(`/api/v1/prisoners/${p.id}/events`)
        .set('authorization', officer.auth)
        .send({ type: 'programme_milestone', occurredAt: new Date().toISOString() })
        .expect(201);

      const full = (await read(c.id, supervisor).expect(200)).body;
      expect(full.watchFlags).toBe(2);
      expect(
        full.watch.map((w: Json) => [w.kind, w.id, w.decidedBy.id, w.byConcernedStaff]),
      ).toEqual([
        ['restrictive_measure', bySecurity, security.id, false],
        ['restrictive_measure', byOfficer, officer.id, true],
        ['prisoner_event', event.body.id, officer.id, true],
      ]);
      expect(full.watch[1]).toEqual({
        kind: 'restrictive_measure',
        id: byOfficer,
        type: 'solitary_confinement',
        date: daysFrom(today(), -1),
        decidedBy: { id: officer.id, displayName: expect.any(String) },
        byConcernedStaff: true,
      });
      const listed = ((await list(`/prisoners/${p.id}/complaints`, supervisor)) as Json[])[0];
      expect(listed.watchFlags).toBe(2);
      // Summary readers (and the officer it concerns) see no watch.
      for (const user of [officer, security, psychologist]) {
        const summary = (await read(c.id, user).expect(200)).body;
        expect(summary.watch).toBeUndefined();
        expect(summary.watchFlags).toBeUndefined();
      }
    });
  });

  describe('the watch in each reader’s view', () => {
    it('lists only kinds of decision the reader’s roles read: no measures for a PVE inspector', async () => {
      const p = await f.prisoner(a);
      const c = (
        await record(
          p,
          pve,
          body({ receivedOn: daysFrom(today(), -3), concernsStaffIds: [officer.id] }),
        ).expect(201)
      ).body;
      await f.measure(p, officer, { daysAgo: 1 });
      const event = await t.http
        .post(`/api/v1/prisoners/${p.id}/events`)
        .set('authorization', officer.auth)
        .send({ type: 'serious_incident', occurredAt: new Date().toISOString() })
        .expect(201);
      const own = (await read(c.id, pve).expect(200)).body;
      expect(own.view).toBe('full');
      expect(own.watch.map((w: Json) => [w.kind, w.id])).toEqual([
        ['prisoner_event', event.body.id],
      ]);
      expect(own.watchFlags).toBe(1);
      const supervised = (await read(c.id, supervisor).expect(200)).body;
      expect(supervised.watch.map((w: Json) => w.kind).sort()).toEqual([
        'prisoner_event',
        'restrictive_measure',
      ]);
      expect(supervised.watchFlags).toBe(2);
    });
  });

  describe('confidential complaints to inspectors (Rule 56(1)(c))', () => {
    it('exist only for inspectors of the facility: 404, absent from lists, due items, the audit trail and the copy', async () => {
      const p = await f.prisoner(a);
      const inspector = await f.inspector([a]);
      const colleague = await f.inspector([a]);
      const away = await f.inspector([b]);
      const staffComplaint = (await record(p, security, body()).expect(201)).body;
      const sar = (
        await t.http
          .post(`/api/v1/prisoners/${p.id}/subject-access-requests`)
          .set('authorization', supervisor.auth)
          .send({ receivedOn: today() })
          .expect(201)
      ).body;

      // What a supervisor of the facility sees of the prisoner's trail, before.
      const trail = async (user: TestUser) => {
        const res = await t.http
          .get(`/api/v1/audit/events?prisonerId=${p.id}&limit=100`)
          .set('authorization', user.auth)
          .expect(200);
        return res.body.items as Json[];
      };
      const before = await trail(supervisor);

      const created = await record(
        p,
        inspector,
        body({
          words: CONFIDENTIAL_WORDS,
          allegesIllTreatment: true,
          concernsStaffIds: [officer.id],
        }),
      );
      expect([created.status, created.body.errors]).toEqual([201, undefined]);
      expect(created.body).toMatchObject({
        view: 'full',
        channel: 'inspector',
        confidential: true,
        assignedTo: { id: inspector.id },
        words: CONFIDENTIAL_WORDS,
      });
      const id = created.body.id as string;
      // Only themselves as handler.
      const other = await record(p, inspector, body({ assignedToId: deputy.id })).expect(400);
      expect(other.body.errors.map((e: Json) => e.path)).toEqual(['assignedToId']);

      // The supervisor's view of the prisoner's trail: no event, the page counts the same.
      expect((await trail(supervisor)).map((e) => e.seq)).toEqual(before.map((e) => e.seq));

      // Every staff role: 404 on the id, and for changes exactly what an id that does not exist
      // gets; absent from every list and the due list.
      const unknown = '00000000-0000-4000-8000-000000000000';
      for (const user of [supervisor, deputy, psychologist, pve, security, officer]) {
        expect([user.username, (await read(id, user)).status]).toEqual([user.username, 404]);
        for (const change of [refer, answer])
          expect([user.username, (await change(id, user)).status]).toEqual([
            user.username,
            (await change(unknown, user)).status,
          ]);
        const lists = [
          ...((await list('/complaints', user)) as Json[]),
          ...((await list(`/prisoners/${p.id}/complaints`, user)) as Json[]),
        ];
        expect(lists.map((c) => c.id)).not.toContain(id);
        expect(lists.map((c) => c.id)).toContain(staffComplaint.id);
        expect(((await due(user)) as Json[]).filter((i) => i.complaintId === id)).toEqual([]);
      }
      expect((await read(id, admin)).status).toBe(403);
      expect((await read(id, away)).status).toBe(404);

      const all = await t.http
        .get(`/api/v1/audit/events?limit=100`)
        .set('authorization', supervisor.auth)
        .expect(200);
      // Nothing names it but the refusals of roles that may not act on any complaint, which
      // name whatever id was asked for (the unknown one too).
      const traces = (events: Json[]) =>
        events.filter(
          (e) =>
            e.entityType === 'confidential_complaint' ||
            (e.entityId === id && e.action !== 'access.denied') ||
            JSON.stringify(e.details ?? {}).includes(id),
        );
      expect(traces(all.body.items)).toEqual([]);
      const exported = (await exportText(t, supervisor.auth, { format: 'ndjson' }))
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as Json);
      expect(exported.length).toBeGreaterThan(10);
      expect(traces(exported)).toEqual([]);
      const csv = await exportText(t, supervisor.auth, { format: 'csv' });
      expect(csv).not.toContain('confidential_complaint');
      // The events are in the chain all the same, for inspectors to see.
      const [{ n }] = await t.db.query(
        `SELECT count(*)::int AS n FROM audit_event WHERE entity_id = $1 AND entity_type = 'confidential_complaint'`,
        [id],
      );
      expect(n).toBeGreaterThanOrEqual(1);
      const inspectorTrail = await t.http
        .get(`/api/v1/audit/events?prisonerId=${p.id}&limit=100`)
        .set('authorization', colleague.auth)
        .expect(200);
      expect(inspectorTrail.body.items.map((e: Json) => e.entityId)).toContain(id);
      // The inspector's query of the trail, whose count includes what supervisors do not see,
      // is not among the supervisor's events either.
      const [query] = await t.db.query(
        `SELECT seq, entity_type FROM audit_event WHERE actor_id = $1 AND action = 'audit.query'
         ORDER BY seq DESC LIMIT 1`,
        [colleague.id],
      );
      expect(query.entity_type).toBe('inspection_audit');
      const inspectorsEvents = await t.http
        .get(`/api/v1/audit/events?actorId=${colleague.id}&limit=100`)
        .set('authorization', supervisor.auth)
        .expect(200);
      expect(inspectorsEvents.body.items.map((e: Json) => e.action)).not.toContain('audit.query');
      const [create] = await t.db.query(
        `SELECT details FROM audit_event WHERE action = 'complaint.create' AND entity_id = $1`,
        [id],
      );
      expect(JSON.stringify(create.details)).not.toContain('corridor');
      expect(
        (await t.http.get('/api/v1/audit/verify').set('authorization', supervisor.auth)).body.ok,
      ).toBe(true);

      // Not in the copy staff prepare; the complaint to staff is.
      const contents = (
        await t.http
          .get(`/api/v1/subject-access-requests/${sar.id}/contents`)
          .set('authorization', supervisor.auth)
          .expect(200)
      ).body;
      const complaints = contents.records.filter((r: Json) => r.type === 'complaint');
      expect(complaints.map((r: Json) => r.id)).toEqual([staffComplaint.id]);
      expect(JSON.stringify(contents)).not.toContain('corridor');

      // The inspectors of the facility: listed on their queue, read in full; the inspector refers
      // and answers. Not a due item even for them: a due list's audit event (its count, the
      // prisoners it shows) is one supervisors read.
      expect(((await list('/complaints', colleague)) as Json[]).map((c) => c.id)).toContain(id);
      expect(((await due(inspector)) as Json[]).filter((i) => i.complaintId === id)).toEqual([]);
      expect((await read(id, colleague).expect(200)).body.view).toBe('full');
      expect((await answer(id, colleague)).status).toBe(403);
      expect((await answer(id, inspector)).body.code).toBe('referral_required');
      const beforeAnswer = await trail(supervisor);
      await refer(id, inspector, { authority: 'national_preventive_mechanism' }).expect(201);
      await answer(id, inspector, { outcome: 'upheld', response: 'Referred and upheld.' }).expect(
        200,
      );
      // Still nothing for the supervisor.
      expect((await trail(supervisor)).map((e) => e.seq)).toEqual(beforeAnswer.map((e) => e.seq));
    });
  });
});
