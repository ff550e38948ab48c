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
 * The oversight pages of issue 13: the inspector's home and read pages, statistics with their
 * CSV, alerts on restrictive measures, and recording a measure and its days (security officers).
 */
describe('inspection pages', () => {
  let t: TestApp;
  let f: Factories;
  let home: TestFacility;
  let supervisor: TestUser;
  let officer: TestUser;
  let inspector: TestUser & { appointmentId: string };
  let prisoner: TestPrisoner;
  let assessmentId: string;

  const as = async (user: TestUser) => {
    const client = new UiClient(t);
    await client.signInAs(user);
    return client;
  };

  beforeAll(async () => {
    t = await createTestApp();
    f = new Factories(t);
    home = await f.facility({ name: 'North facility' });
    supervisor = await f.user(['supervisor'], [home]);
    officer = await f.user(['security_officer'], [home]);
    inspector = await f.inspector([home]);
    prisoner = await f.prisoner(home, { givenName: 'Arman', familyName: 'Sadykov' });
    const psychologist = await f.user(['psychologist'], [home]);
    const colleague = await f.user(['psychologist'], [home]);
    assessmentId = await f.approvedAssessment(prisoner, psychologist, colleague, {
      instrumentKey: 've-risk-spj',
    });
    await t.db.query(
      `UPDATE assessment SET formulation = 'Clinical formulation text' WHERE id = $1`,
      [assessmentId],
    );
    await f.measure(prisoner, officer, { daysAgo: 20 });
  });
  afterAll(() => t.close());

  it('the inspector’s home names the appointment; reads work, in the programme view; writes are refused', async () => {
    const client = await as(inspector);
    const page = await client.get('/');
    expect(page.statusCode).toBe(200);
    const text = textOf(page.body);
    expect(text).toContain('Your inspection');
    expect(text).toContain('Test inspectorate');
    expect(text).toContain('North facility');
    expect(text).toContain('Programme view only');
    expect(text).toContain('Restrictive measures: alerts');
    expect(text).toContain('Breach: more than 15 days');
    expect(page.body).toMatch(/href="\/statistics"/);
    expect((await client.get(`/prisoners/${prisoner.id}`)).statusCode).toBe(200);
    expect((await client.get('/audit')).statusCode).toBe(200);
    const assessments = await client.get(`/prisoners/${prisoner.id}/assessments`);
    expect(assessments.statusCode).toBe(200);
    const view = await client.get(`/assessments/${assessmentId}`);
    expect(view.statusCode).toBe(200);
    expect(view.body).not.toContain('Clinical formulation text');
    const measures = await client.get(`/prisoners/${prisoner.id}/restrictive-measures`);
    expect(measures.statusCode).toBe(200);
    expect(measures.body).not.toContain('/restrictive-measures/new');
    const refused = await client.post(`/prisoners/${prisoner.id}/restrictive-measures`, {
      type: 'separation',
    });
    expect(refused.statusCode).toBe(403);
    const [{ n }] = await t.db.query(
      `SELECT count(*)::int AS n FROM audit_event
       WHERE actor_id = $1 AND outcome = 'success' AND purpose NOT LIKE '%' || $2 || '%'`,
      [inspector.id, inspector.appointmentId],
    );
    expect(n).toBe(0);
  });

  it('statistics: tables with suppression in words, CSV, and errors named', async () => {
    const client = await as(supervisor);
    const page = await client.get('/statistics?period=quarter');
    expect(page.statusCode).toBe(200);
    const text = textOf(page.body);
    expect(text).toContain('Restrictive measures by type');
    expect(text).toContain('Suppressed');
    expect(text).not.toContain('Sadykov');
    expect(text).not.toContain(prisoner.prisonNumber);
    const href = /href="(\/statistics\/export\.csv\?[^"]+)"/.exec(page.body)![1];
    const csv = await client.get(href.replace(/&amp;/g, '&'));
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.body).toContain('"restrictive_measures_by_type"');
    const bad = await client.get('/statistics?from=2026-13-40');
    expect(bad.statusCode).toBe(400);
    expect(textOf(bad.body)).toContain('There is a problem');
    expect(bad.body).toContain('href="#from"');
  });

  it('statistics: complaint tables say which complaints they count, to supervisors and inspectors', async () => {
    const titles = [
      'Complaints received, by subject',
      'Complaints answered, by outcome (by the day answered)',
      'Complaints answered on time and late (by the day answered)',
      'Allegations of torture or ill-treatment received, by referral to an independent authority',
    ];
    const staffOnly =
      'Complaints made to staff only: confidential complaints made to inspectors are not counted here.';
    const withConfidential =
      'Complaints made to staff and confidential complaints made to inspectors.';
    const supervisorPage = await (await as(supervisor)).get('/statistics');
    expect(supervisorPage.statusCode).toBe(200);
    const supervisorText = textOf(supervisorPage.body);
    for (const title of titles) expect(supervisorText).toContain(title);
    expect(supervisorText).toContain('Treatment by staff');
    expect(supervisorText).toContain('Referred within a day');
    // Once per complaint table, in its caption.
    expect(supervisorText.split(staffOnly)).toHaveLength(5);
    expect(supervisorText).not.toContain(withConfidential);
    expect(supervisorPage.body).toMatch(
      /<caption[^>]*>Complaints received, by subject<span[^>]*>Complaints made to staff only/,
    );

    const inspectorPage = await (await as(inspector)).get('/statistics');
    expect(inspectorPage.statusCode).toBe(200);
    const inspectorText = textOf(inspectorPage.body);
    for (const title of titles) expect(inspectorText).toContain(title);
    expect(inspectorText.split(withConfidential)).toHaveLength(5);
    expect(inspectorText).not.toContain(staffOnly);

    const ru = await (await as(supervisor)).get('/statistics', { 'accept-language': 'ru' });
    expect(ru.statusCode).toBe(200);
    const ruText = textOf(ru.body);
    expect(ruText).toContain('Поступившие жалобы по предмету');
    expect(ruText).toContain('Только жалобы, поданные персоналу');
  });

  it('a security officer records a measure and a day; family contact is never prohibited', async () => {
    const client = await as(officer);
    const whom = await f.prisoner(home);
    const tab = await client.get(`/prisoners/${whom.id}/restrictive-measures`);
    expect(tab.body).toContain(`href="/prisoners/${whom.id}/restrictive-measures/new"`);
    const form = await client.get(`/prisoners/${whom.id}/restrictive-measures/new`);
    expect(form.statusCode).toBe(200);
    expect(form.body).not.toContain('value="prohibited"');
    const empty = await client.post(`/prisoners/${whom.id}/restrictive-measures`, {});
    expect(empty.statusCode).toBe(400);
    expect(empty.body).toContain('href="#type"');
    expect(empty.body).toContain('href="#familyContact"');
    const prohibited = await client.post(`/prisoners/${whom.id}/restrictive-measures`, {
      type: 'separation',
      legalBasis: 'Code art. 1',
      reason: 'Needed',
      authorisedByName: 'A. Director',
      authorisedByPosition: 'Director',
      startsOn: new Date().toISOString().slice(0, 10),
      familyContact: 'prohibited',
      nextReviewOn: new Date().toISOString().slice(0, 10),
    });
    expect(prohibited.statusCode).toBe(400);
    await client.get(`/prisoners/${whom.id}/restrictive-measures/new`);
    const today = new Date().toISOString().slice(0, 10);
    const created = await client.post(`/prisoners/${whom.id}/restrictive-measures`, {
      type: 'separation',
      legalBasis: 'Code art. 1',
      reason: 'Needed',
      authorisedByName: 'A. Director',
      authorisedByPosition: 'Director',
      startsOn: today,
      familyContact: 'restricted',
      familyContactRestrictedUntil: today,
      nextReviewOn: today,
    });
    expect(created.statusCode).toBe(303);
    const location = String(created.headers.location);
    const measure = await client.get(location);
    expect(measure.statusCode).toBe(200);
    expect(textOf(measure.body)).toContain('never prohibited');
    // Each form carries the version the page showed; a change made meanwhile answers 409.
    const version = async () => {
      const match = /name="version" value="(\d+)"/.exec((await client.get(location)).body);
      expect(match).not.toBeNull();
      return match![1];
    };
    const shown = await version();
    const badDay = await client.post(`${location}/days`, {
      version: shown,
      day: today,
      hoursOutOfCell: '30',
    });
    expect(badDay.statusCode).toBe(400);
    expect(badDay.body).toContain('href="#hoursOutOfCell"');
    expect(badDay.body).toContain('href="#healthVisit"');
    const day = await client.post(`${location}/days`, {
      version: shown,
      day: today,
      hoursOutOfCell: '1',
      meaningfulContactHours: '0.5',
      healthVisit: 'yes',
    });
    expect(day.statusCode).toBe(303);
    const after = textOf((await client.get(location)).body);
    expect(after).toContain('1 day');
    const reviewBody = {
      reviewedOn: today,
      reviewerName: 'B. Judge',
      reviewerBody: 'Supervising court',
      independent: 'yes',
      decision: 'continue',
      reviewNextReviewOn: '2099-01-01',
    };
    const staleReview = await client.post(`${location}/reviews`, { ...reviewBody, version: shown });
    expect(staleReview.statusCode).toBe(409);
    const badReview = await client.post(`${location}/reviews`, {
      version: await version(),
      reviewedOn: today,
    });
    expect(badReview.statusCode).toBe(400);
    for (const id of ['reviewerName', 'reviewerBody', 'independent', 'decision'])
      expect(badReview.body).toContain(`href="#${id}"`);
    const review = await client.post(`${location}/reviews`, {
      ...reviewBody,
      version: await version(),
    });
    expect(review.statusCode).toBe(303);
    expect(textOf((await client.get(location)).body)).toContain('Supervising court');
    const ended = await client.post(`${location}/end`, {
      version: await version(),
      endedOn: today,
      endReason: 'Review',
    });
    expect(ended.statusCode).toBe(303);
    const closed = await client.get(location);
    expect(closed.body).not.toContain(`action="${location}/days"`);
  });

  it('the supervisor’s home and navigation show the alerts; pages render in Russian', async () => {
    const client = await as(supervisor);
    const page = await client.get('/');
    expect(textOf(page.body)).toContain('Restrictive measures: alerts');
    const alerts = await client.get('/restrictive-measures/alerts');
    expect(alerts.statusCode).toBe(200);
    expect(textOf(alerts.body)).toContain(prisoner.prisonNumber);
    const ru = await client.get('/statistics', { 'accept-language': 'ru' });
    expect(ru.statusCode).toBe(200);
  });
  it('an administrator appoints an inspector, errors named, and ends the appointment', async () => {
    const admin = await f.user(['administrator']);
    const account = await f.user(['inspector']);
    const client = await as(admin);
    expect(textOf((await client.get('/')).body)).toBeDefined();
    const form = await client.get('/admin/appointments/new');
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain(account.username);
    const empty = await client.post('/admin/appointments/new', {});
    expect(empty.statusCode).toBe(400);
    for (const id of ['userId', 'body', 'kind', 'healthProfessional', 'facilityIds', 'endsOn'])
      expect(empty.body).toContain(`href="#${id}"`);
    const created = await client.post('/admin/appointments/new', {
      userId: account.id,
      body: 'Ombudsman’s office',
      mandate: 'Unannounced visit',
      kind: 'external',
      healthProfessional: 'no',
      facilityIds: [home.id],
      startsOn: '2026-01-01',
      endsOn: '2099-01-01',
    });
    expect(created.statusCode).toBe(303);
    const list = await client.get('/admin/appointments');
    expect(textOf(list.body)).toContain('Ombudsman’s office');
    expect(textOf(list.body)).toContain('In force');
    const [{ id }] = await t.db.query(`SELECT id FROM inspector_appointment WHERE user_id = $1`, [
      account.id,
    ]);
    const listed = (await client.get('/admin/appointments')).body;
    const shownVersion = /name="version" value="(\d+)"/.exec(listed)?.[1] ?? '';
    expect(shownVersion).toBe('1');
    const ended = await client.post(`/admin/appointments/${id}/end`, { version: shownVersion });
    expect(ended.statusCode).toBe(303);
    expect(textOf((await client.get('/admin/appointments')).body)).toContain('Ended early');
    const inspectorClient = await as(account);
    expect((await inspectorClient.get(`/prisoners/${prisoner.id}`)).statusCode).toBe(403);
  });

  it('health staff record an objection on the measure page; the alerts say so without a diagnosis', async () => {
    const psychologist = await f.user(['psychologist'], [home]);
    const separated = await f.prisoner(home, { givenName: 'Bolat', familyName: 'Objected' });
    const measureId = await f.measure(separated, officer, { type: 'separation', daysAgo: 2 });
    const location = `/restrictive-measures/${measureId}`;
    const client = await as(psychologist);
    const page = await client.get(location);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(`action="${location}/health-objections"`);
    // Security officers run the measure; they are told of objections but do not record them.
    const officerPage = await (await as(officer)).get(location);
    expect(officerPage.body).not.toContain(`action="${location}/health-objections"`);

    const version = /name="version" value="(\d+)"/.exec(page.body)?.[1] ?? '';
    const bad = await client.post(`${location}/health-objections`, {
      version,
      objectedOn: '1999-01-01',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('href="#objectedOn"');
    const today = new Date().toISOString().slice(0, 10);
    const done = await client.post(`${location}/health-objections`, { version, objectedOn: today });
    expect(done.statusCode).toBe(303);
    expect(done.headers.location).toBe(`${location}#objections`);
    const after = textOf((await (await as(officer)).get(location)).body);
    expect(after).toContain('No diagnosis is recorded here');
    const [{ display_name: name }] = await t.db.query(
      `SELECT display_name FROM app_user WHERE id = $1`,
      [psychologist.id],
    );
    expect(after).toContain(name);

    const alerts = textOf((await (await as(supervisor)).get('/restrictive-measures/alerts')).body);
    expect(alerts).toContain(
      'Continues although a health professional objected (disability or mental illness)',
    );
  });
});
