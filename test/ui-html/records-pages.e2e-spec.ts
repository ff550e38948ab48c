import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Factories, type TestFacility, type TestUser } from '../factories/index.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { textOf, UiClient } from './support/ui-client.js';

const RECORD = {
  prisonNumber: 'R-2001',
  givenName: 'Daniyar',
  familyName: 'Omarov',
  dateOfBirth: '1991-04-12',
  sex: 'male',
  legalStatus: 'remand',
  expectedReleaseDate: '',
};

/** The security officer's record pages: create, correct (with conflicts), transfer, events. */
describe('prisoner record pages', () => {
  let t: TestApp;
  let f: Factories;
  let a: TestFacility;
  let b: TestFacility;
  let officer: TestUser;
  let officer2: TestUser;
  let pve: TestUser;

  const as = async (user: TestUser) => {
    const client = new UiClient(t);
    await client.signInAs(user);
    return client;
  };
  const version = (html: string) => /name="version" value="(\d+)"/.exec(html)![1];

  beforeAll(async () => {
    t = await createTestApp();
    f = new Factories(t);
    a = await f.facility({ name: 'North facility' });
    b = await f.facility({ name: 'South facility' });
    officer = await f.user(['security_officer'], [a]);
    officer2 = await f.user(['security_officer'], [a]);
    pve = await f.user(['pve_inspector'], [a]);
  });
  afterAll(() => t.close());

  it('records a prisoner with no field for religion, ethnicity or political opinion', async () => {
    const client = await as(officer);
    const home = await client.get('/');
    expect(home.body).toContain('href="/prisoners/new"');
    const form = await client.get('/prisoners/new');
    expect(form.statusCode).toBe(200);
    for (const word of ['religion', 'ethnic', 'political', 'faith']) {
      expect(form.body.toLowerCase().match(new RegExp(`name="[^"]*${word}`))).toBeNull();
    }
    expect(textOf(form.body)).toContain('never recorded (Mandela Rule 2)');
    const empty = await client.post('/prisoners/new', { facilityId: a.id });
    expect(empty.statusCode).toBe(422);
    for (const id of [
      'prisonNumber',
      'givenName',
      'familyName',
      'dateOfBirth',
      'sex',
      'legalStatus',
    ])
      expect(empty.body).toContain(`<a href="#${id}">`);
    const created = await client.post('/prisoners/new', { ...RECORD, facilityId: a.id });
    expect(created.statusCode).toBe(303);
    const overview = await client.get(created.headers.location as string);
    const text = textOf(overview.body);
    expect(text).toContain('Daniyar Omarov');
    expect(text).toContain('Remand: presumed innocent');
    const again = await client.post('/prisoners/new', { ...RECORD, facilityId: a.id });
    expect(again.statusCode).toBe(422);
    expect(again.body).toContain(
      '<a href="#prisonNumber">This prison number is already recorded: search for the prisoner</a>',
    );
    const other = await client.post('/prisoners/new', {
      ...RECORD,
      prisonNumber: 'R-2002',
      facilityId: b.id,
    });
    expect(other.statusCode).toBe(403);
  });

  it('corrects a record; a conflicting change shows both versions side by side', async () => {
    const p = await f.prisoner(a, { givenName: 'Timur', familyName: 'Ali' });
    const mine = await as(officer);
    const theirs = await as(officer2);
    const form = await mine.get(`/prisoners/${p.id}/edit`);
    expect(form.statusCode).toBe(200);
    const read = version(form.body);
    const other = await theirs.get(`/prisoners/${p.id}/edit`);
    const first = await theirs.post(`/prisoners/${p.id}/edit`, {
      version: version(other.body),
      ...RECORD,
      prisonNumber: p.prisonNumber,
      givenName: 'Timur',
      familyName: 'Alimov',
    });
    expect(first.statusCode).toBe(303);
    const conflict = await mine.post(`/prisoners/${p.id}/edit`, {
      version: read,
      ...RECORD,
      prisonNumber: p.prisonNumber,
      givenName: 'Temir',
      familyName: 'Ali',
    });
    expect(conflict.statusCode).toBe(409);
    const text = textOf(conflict.body);
    expect(text).toContain('Your correction has not been saved.');
    expect(text).toMatch(/Given name Differs Temir Timur/);
    expect(text).toMatch(/Family name Differs Ali Alimov/);
    const saved = await mine.post(`/prisoners/${p.id}/edit`, {
      version: version(conflict.body),
      ...RECORD,
      prisonNumber: p.prisonNumber,
      givenName: 'Temir',
      familyName: 'Alimov',
    });
    expect(saved.statusCode).toBe(303);
    expect(textOf((await mine.get(`/prisoners/${p.id}`)).body)).toContain('Temir Alimov');
  });

  it('transfers after a check, with the reason in the facility history', async () => {
    const p = await f.prisoner(a);
    const client = await as(officer);
    const form = await client.get(`/prisoners/${p.id}/transfer`);
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain(`value="${b.id}"`);
    expect(form.body).not.toContain(`value="${a.id}"`);
    const short = await client.post(`/prisoners/${p.id}/transfer`, {
      facilityId: b.id,
      reason: 'x',
    });
    expect(short.statusCode).toBe(422);
    const check = await client.post(`/prisoners/${p.id}/transfer`, {
      facilityId: b.id,
      reason: 'Dispersal after the allocation review',
    });
    expect(check.statusCode).toBe(200);
    expect(textOf(check.body)).toMatch(/From North facility .* To South facility/);
    expect(check.body).toContain('name="confirm" value="yes"');
    const [{ facility_id: before }] = await t.db.query(
      `SELECT facility_id FROM prisoner WHERE id = $1`,
      [p.id],
    );
    expect(before).toBe(a.id);
    const done = await client.post(`/prisoners/${p.id}/transfer`, {
      facilityId: b.id,
      reason: 'Dispersal after the allocation review',
      confirm: 'yes',
    });
    expect(done.statusCode).toBe(200);
    expect(textOf(done.body)).toContain('is now held in South facility');
    expect(textOf(done.body)).toContain('the record is now theirs');
    expect((await client.get(`/prisoners/${p.id}`)).statusCode).toBe(404);
    const receiving = await as(await f.user(['security_officer'], [b]));
    const history = textOf((await receiving.get(`/prisoners/${p.id}`)).body);
    expect(history).toContain('Dispersal after the allocation review');
  });

  it('records an event and shows what it makes due', async () => {
    const p = await f.prisoner(a);
    const psychologist = await f.user(['psychologist'], [a]);
    await f.approvedAssessment(p, psychologist, await f.user(['psychologist'], [a]), {
      instrumentKey: 've-risk-spj',
    });
    const client = await as(officer);
    const events = await client.get(`/prisoners/${p.id}/events`);
    expect(events.body).toContain(`href="/prisoners/${p.id}/events/new"`);
    const form = await client.get(`/prisoners/${p.id}/events/new`);
    expect(form.statusCode).toBe(200);
    const bad = await client.post(`/prisoners/${p.id}/events`, {
      type: '',
      date: '2026-01-01',
      time: '',
    });
    expect(bad.statusCode).toBe(422);
    expect(bad.body).toContain('<a href="#type">Choose what happened</a>');
    expect(bad.body).toContain('<a href="#time">');
    const today = new Date().toISOString().slice(0, 10);
    const recorded = await client.post(`/prisoners/${p.id}/events`, {
      type: 'serious_incident',
      date: today,
      time: '00:05',
      note: 'Assault on the wing',
    });
    expect(recorded.statusCode).toBe(200);
    const text = textOf(recorded.body);
    expect(text).toContain('Event recorded Serious incident');
    expect(text).toMatch(/What it makes due .*Reassessment ve-risk-spj/);
  });

  it('answers 403 to roles that may not change records, and 404 outside the facilities', async () => {
    const p = await f.prisoner(a);
    const elsewhere = await f.prisoner(b);
    const client = await as(pve);
    for (const url of [
      '/prisoners/new',
      `/prisoners/${p.id}/edit`,
      `/prisoners/${p.id}/transfer`,
    ]) {
      expect({ url, status: (await client.get(url)).statusCode }).toEqual({ url, status: 403 });
    }
    const admin = await as(await f.user(['administrator']));
    for (const url of [`/prisoners/${p.id}/events/new`, `/prisoners/${p.id}/risk-summary`]) {
      expect({ url, status: (await admin.get(url)).statusCode }).toEqual({ url, status: 403 });
    }
    const officerClient = await as(officer);
    for (const url of [
      `/prisoners/${elsewhere.id}/edit`,
      `/prisoners/${elsewhere.id}/transfer`,
      `/prisoners/${elsewhere.id}/events/new`,
      `/prisoners/${elsewhere.id}/risk-summary`,
    ]) {
      expect({ url, status: (await officerClient.get(url)).statusCode }).toEqual({
        url,
        status: 404,
      });
    }
  });
});
