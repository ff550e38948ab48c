import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  Factories,
  type TestFacility,
  type TestPrisoner,
  type TestUser,
} from '../factories/index.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { textOf, UiClient } from './support/ui-client.js';

/**
 * The supervisor's pages: the oversight home, emergency-access review with the reads made under
 * a grant, overdue work, audit search, event detail, export and verification in words.
 */
describe('oversight pages', () => {
  let t: TestApp;
  let f: Factories;
  let a: TestFacility;
  let b: TestFacility;
  let supervisor: TestUser;
  let supervisor2: TestUser;
  let officer: TestUser;
  let pve: TestUser;
  let prisoner: TestPrisoner;
  let elsewhere: TestPrisoner;

  const as = async (user: TestUser) => {
    const client = new UiClient(t);
    await client.signInAs(user);
    return client;
  };

  beforeAll(async () => {
    t = await createTestApp();
    f = new Factories(t);
    a = await f.facility({ name: 'North facility' });
    b = await f.facility({ name: 'South facility' });
    supervisor = await f.user(['supervisor'], [a]);
    supervisor2 = await f.user(['supervisor'], [a]);
    officer = await f.user(['security_officer'], [b]);
    pve = await f.user(['pve_inspector'], [a]);
    prisoner = await f.prisoner(a, { givenName: 'Arman', familyName: 'Sadykov' });
    elsewhere = await f.prisoner(b);
    const psychologist = await f.user(['psychologist'], [a]);
    const colleague = await f.user(['psychologist'], [a]);
    // A risk assessment whose reassessment was due 40 days ago.
    await f.approvedAssessment(prisoner, psychologist, colleague, {
      instrumentKey: 've-risk-spj',
      approvedAt: new Date(Date.now() - 40 * 86_400_000 - 183 * 86_400_000).toISOString(),
    });
  });
  afterAll(() => t.close());

  it('the home shows the queues, overdue work and the audit trail’s state; other roles do not get it', async () => {
    const client = await as(supervisor);
    const home = await client.get('/');
    expect(home.statusCode).toBe(200);
    const text = textOf(home.body);
    expect(text).toContain('Oversight');
    expect(text).toContain('Plans awaiting approval');
    expect(text).toContain('Nothing is awaiting approval in your facilities.');
    expect(text).toContain('Emergency access');
    expect(text).toContain('Overdue reassessments and plan reviews');
    expect(text).toMatch(/4\d days/);
    expect(text).toContain('The trail has not been verified yet.');
    const navigation = home.body.slice(home.body.indexOf('govuk-service-navigation__list'));
    for (const [href, nav] of [
      ['/oversight/approvals', 'Approvals'],
      ['/oversight/emergency-access', 'Emergency access'],
      ['/audit', 'Audit trail'],
    ]) {
      expect(navigation).toMatch(new RegExp(`href="${href}"[^>]*>\\s*${nav}\\s*</a>`));
    }
    const other = textOf((await (await as(pve)).get('/')).body);
    expect(other).not.toContain('Oversight');
    const overdue = await client.get('/oversight/overdue');
    expect(overdue.statusCode).toBe(200);
    expect(overdue.body).toContain('data-module="moj-sortable-table"');
    expect(textOf(overdue.body)).toContain('Arman Sadykov');
  });

  it('reviews an emergency grant with the reads made under it; never one’s own', async () => {
    // The officer opens a prisoner of facility A with emergency access and reads it.
    const holder = await as(officer);
    await holder.get(`/prisoners/${prisoner.id}`);
    const granted = await holder.post(`/prisoners/${prisoner.id}/emergency-access`, {
      reason: 'Escort tonight; need the risk level for the transport plan',
    });
    expect(granted.statusCode).toBe(303);
    expect((await holder.get(`/prisoners/${prisoner.id}`)).statusCode).toBe(200);
    expect((await holder.get(`/prisoners/${prisoner.id}/events`)).statusCode).toBe(200);
    const [{ id }] = await t.db.query(
      `SELECT id FROM emergency_access WHERE user_id = $1 AND prisoner_id = $2`,
      [officer.id, prisoner.id],
    );

    const client = await as(supervisor);
    const home = await client.get('/');
    expect(home.body).toContain(`href="/oversight/emergency-access/${id}"`);
    const list = await client.get('/oversight/emergency-access');
    expect(textOf(list.body)).toContain('Escort tonight; need the risk level');
    const page = await client.get(`/oversight/emergency-access/${id}`);
    expect(page.statusCode).toBe(200);
    const text = textOf(page.body);
    expect(text).toContain('Escort tonight; need the risk level for the transport plan');
    expect(text).toContain('prisoner.read');
    expect(text).toContain('prisoner_event.list');
    expect(text).toContain('Still open');

    const empty = await client.post(`/oversight/emergency-access/${id}/review`, { outcome: '' });
    expect(empty.statusCode).toBe(422);
    expect(empty.body).toContain('<a href="#outcome">Choose whether it was justified</a>');
    const reviewed = await client.post(`/oversight/emergency-access/${id}/review`, {
      outcome: 'unjustified',
      note: 'The escort had the level already',
    });
    expect(reviewed.statusCode).toBe(303);
    const after = textOf((await client.get(`/oversight/emergency-access/${id}`)).body);
    expect(after).toContain('Not justified – The escort had the level already');
    expect(after).toContain('Ended');
    // The grant ended with the review: the officer's next read is refused.
    expect((await holder.get(`/prisoners/${prisoner.id}`)).statusCode).toBe(404);

    // A supervisor's own grant is reviewed by another; a live grant can be ended early.
    const dual = await f.user(['supervisor'], [a]);
    await f.grant(dual, elsewhere);
    const own = await as(dual);
    const [{ id: ownId }] = await t.db.query(`SELECT id FROM emergency_access WHERE user_id = $1`, [
      dual.id,
    ]);
    await t.db.query(`INSERT INTO user_facility (user_id, facility_id) VALUES ($1, $2)`, [
      supervisor2.id,
      b.id,
    ]);
    const ownPage = await own.get(`/oversight/emergency-access/${ownId}`);
    expect(ownPage.statusCode).toBe(404);
    const second = await as(supervisor2);
    const grantPage = await second.get(`/oversight/emergency-access/${ownId}`);
    expect(grantPage.statusCode).toBe(200);
    const revoked = await second.post(`/oversight/emergency-access/${ownId}/revoke`, {
      reason: 'No longer needed tonight',
    });
    expect(revoked.statusCode).toBe(303);
    expect(textOf((await second.get(`/oversight/emergency-access/${ownId}`)).body)).toContain(
      'No longer needed tonight',
    );
  });

  it('searches the trail by person, prisoner, action, outcome and dates, with keyset pages and an event’s detail', async () => {
    const client = await as(supervisor);
    const bad = await client.get('/audit?person=nobody.here&prisoner=NOPE-1&from=2026-13-01');
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('<a href="#person">No account has this username</a>');
    expect(bad.body).toContain(
      '<a href="#prisoner">No prisoner in your facilities has this prison number</a>',
    );
    const [officerRow] = await t.db.query(`SELECT username FROM app_user WHERE id = $1`, [
      officer.id,
    ]);
    const today = new Date().toISOString().slice(0, 10);
    const found = await client.get(
      `/audit?person=${officerRow.username}&prisoner=${prisoner.prisonNumber}&action=prisoner.read&outcome=success&from=${today}&to=${today}`,
    );
    expect(found.statusCode).toBe(200);
    const rows = [...found.body.matchAll(/href="\/audit\/events\/(\d+)"/g)].map((m) => m[1]);
    expect(rows.length).toBeGreaterThanOrEqual(1);
    const detail = await client.get(`/audit/events/${rows[0]}`);
    expect(detail.statusCode).toBe(200);
    const text = textOf(detail.body);
    expect(text).toContain('prisoner.read');
    expect(text).toContain('Escort tonight; need the risk level for the transport plan');
    expect((await client.get('/audit/events/999999999')).statusCode).toBe(404);
    expect((await client.get('/audit/events/abc')).statusCode).toBe(404);
    const none = await client.get(`/audit?from=2000-01-01&to=2000-01-02`);
    expect(textOf(none.body)).toContain('No events in your facilities match these filters.');

    // Enough events in the supervisor's facilities for a second page.
    const reader = await as(pve);
    for (let i = 0; i < 50; i++) await reader.get(`/prisoners/${prisoner.id}`);
    const all = await client.get('/audit');
    const next = /href="(\/audit\?cursor=[^"]+)" rel="next"/.exec(all.body)![1];
    const second = await client.get(next.replace(/&amp;/g, '&'));
    expect(second.statusCode).toBe(200);
    const firstSeqs = [...all.body.matchAll(/href="\/audit\/events\/(\d+)"/g)].map((m) => +m[1]);
    const secondSeqs = [...second.body.matchAll(/href="\/audit\/events\/(\d+)"/g)].map(
      (m) => +m[1],
    );
    expect(Math.max(...secondSeqs)).toBeLessThan(Math.min(...firstSeqs));
  });

  it('exports the filtered set as CSV or NDJSON, and the export is audited', async () => {
    const client = await as(supervisor);
    const page = await client.get('/audit?action=emergency_access.grant');
    const csvHref = /href="(\/audit\/export\?[^"]*format=csv[^"]*)"/.exec(page.body)![1];
    const csv = await client.get(csvHref.replace(/&amp;/g, '&'));
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(csv.headers['content-disposition']).toBe('attachment; filename="audit-events.csv"');
    const lines = csv.body.trim().split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(2);
    expect(lines.slice(1).every((l) => l.includes('"emergency_access.grant"'))).toBe(true);
    const ndjson = await client.get('/audit/export?format=ndjson&outcome=denied');
    expect(ndjson.headers['content-type']).toBe('application/x-ndjson; charset=utf-8');
    const events = ndjson.body
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l));
    expect(events.every((e) => e.outcome === 'denied')).toBe(true);
    expect((await client.get('/audit/export?format=xml')).statusCode).toBe(400);
    const [exported] = await t.db.query(
      `SELECT details FROM audit_event WHERE actor_id = $1 AND action = 'audit.export' ORDER BY seq LIMIT 1`,
      [supervisor.id],
    );
    expect(exported.details).toEqual({ action: 'emergency_access.grant', format: 'csv' });
  });

  it('verifies the trail and says in words which event is wrong and how', async () => {
    const client = await as(supervisor);
    const page = await client.get('/audit/verify');
    expect(page.statusCode).toBe(200);
    const ok = await client.post('/audit/verify');
    expect(ok.statusCode).toBe(200);
    expect(textOf(ok.body)).toMatch(/The audit trail is intact \d+ events in \d+ chains checked/);
    expect(textOf((await client.get('/')).body)).toMatch(
      /Intact \d+ events checked, no problem found\./,
    );

    const [victim] = await t.db.query(
      `SELECT seq FROM audit_event WHERE facility_id IS NULL ORDER BY seq LIMIT 1 OFFSET 2`,
    );
    await t.db.transaction(async (m) => {
      await m.query(`SET LOCAL session_replication_role = replica`);
      await m.query(`UPDATE audit_event SET outcome = 'denied' WHERE seq = $1`, [victim.seq]);
    });
    await client.get('/audit/verify');
    // The event lies before the mark the first verification left: only a whole check reads it.
    const failed = await client.post('/audit/verify', { full: 'true' });
    const text = textOf(failed.body);
    expect(text).toContain('The whole trail was checked, from its first event.');
    expect(text).toContain('The audit trail has been tampered with or damaged.');
    expect(text).toContain(`Event ${victim.seq}, chain`);
    expect(text).toContain('The event’s content has been changed since it was written altered');
    expect(failed.body).toContain(`href="/audit/events/${victim.seq}"`);
  });

  it('answers 403 to roles without oversight, as the API does', async () => {
    for (const user of [pve, officer, await f.user(['administrator'])]) {
      const client = await as(user);
      for (const url of [
        '/oversight/approvals',
        '/oversight/emergency-access',
        '/audit',
        '/audit/verify',
        '/audit/export?format=csv',
      ]) {
        const res = await client.get(url);
        expect({ role: user.roles[0], url, status: res.statusCode }).toEqual({
          role: user.roles[0],
          url,
          status: 403,
        });
      }
    }
    const outside = await as(await f.user(['supervisor'], [b]));
    const [{ id }] = await t.db.query(
      `SELECT id FROM emergency_access WHERE prisoner_id = $1 LIMIT 1`,
      [prisoner.id],
    );
    expect((await outside.get(`/oversight/emergency-access/${id}`)).statusCode).toBe(404);
  });
});
