import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { InstrumentsService } from '../../src/instruments/instruments.service.js';
import { Factories, type TestFacility, type TestUser } from '../factories/index.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { textOf, UiClient } from './support/ui-client.js';

const PASSWORD = 'a long and unusual passphrase for tests';

/** The administrator's pages: accounts, certifications, facilities and rule-set versions. */
describe('administration pages', () => {
  let t: TestApp;
  let f: Factories;
  let a: TestFacility;
  let admin: TestUser;
  let ruleSets: string;

  const as = async (user: TestUser) => {
    const client = new UiClient(t);
    await client.signInAs(user);
    return client;
  };
  const version = (html: string) => /name="version" value="(\d+)"/.exec(html)![1];
  const userId = async (username: string) =>
    (await t.db.query(`SELECT id FROM app_user WHERE username = $1`, [username]))[0].id as string;

  beforeAll(async () => {
    t = await createTestApp();
    f = new Factories(t);
    a = await f.facility({ code: 'ADM-A', name: 'North facility' });
    admin = await f.user(['administrator']);
    // A second version of the risk instrument, to compare with the first.
    ruleSets = mkdtempSync(join(tmpdir(), 'vep-admin-rule-sets-'));
    cpSync(join(process.cwd(), 'rule-sets'), ruleSets, {
      recursive: true,
      filter: (src) => !src.includes('schema'),
    });
    const file = join(ruleSets, 'instruments/ve-risk-spj@1.0.0.yaml');
    const doc = parse(readFileSync(file, 'utf8'));
    doc.version = '1.0.1';
    doc.domains[0].items[0].guidance = `${doc.domains[0].items[0].guidance} Revised guidance.`;
    writeFileSync(join(ruleSets, 'instruments/ve-risk-spj@1.0.1.yaml'), stringify(doc));
    const report = await t.app
      .get(InstrumentsService)
      .importDirectory({ requestId: 'test', ip: 'local' }, ruleSets);
    expect(report.errors).toEqual([]);
  });
  afterAll(async () => {
    rmSync(ruleSets, { recursive: true, force: true });
    await t.close();
  });

  it('creates an account, explaining the separation rule and the password policy in the errors', async () => {
    const client = await as(admin);
    const home = await client.get('/');
    expect(textOf(home.body)).toContain('Administration');
    const form = await client.get('/admin/users/new');
    expect(form.statusCode).toBe(200);
    expect(textOf(form.body)).toContain('never both');
    const mixed = await client.post('/admin/users/new', {
      username: 'new.mixed',
      displayName: 'Mixed Roles',
      password: PASSWORD,
      roles: ['administrator', 'psychologist'],
      facilityIds: a.id,
    });
    expect(mixed.statusCode).toBe(422);
    expect(mixed.body).toContain(
      '<a href="#roles">Choose at least one role; administrator is never combined with a case role</a>',
    );
    const weak = await client.post('/admin/users/new', {
      username: 'new.weak',
      displayName: 'Weak Password',
      password: 'password1234',
      roles: 'psychologist',
      facilityIds: a.id,
    });
    expect(weak.statusCode).toBe(422);
    expect(weak.body).toMatch(/<a href="#password">password [^<]+<\/a>/);
    const created = await client.post('/admin/users/new', {
      username: 'new.psychologist',
      displayName: 'Aigerim Karimova',
      password: PASSWORD,
      roles: 'psychologist',
      facilityIds: a.id,
    });
    expect(created.statusCode).toBe(303);
    const page = textOf((await client.get(created.headers.location as string)).body);
    expect(page).toContain('Aigerim Karimova');
    expect(page).toContain('Psychologist');
    expect(page).toContain('North facility (ADM-A)');
    const taken = await client.post('/admin/users/new', {
      username: 'new.psychologist',
      displayName: 'Someone Else',
      password: PASSWORD,
      roles: 'psychologist',
    });
    expect(taken.statusCode).toBe(422);
    expect(taken.body).toContain('<a href="#username">This username is already in use</a>');
  });

  it('changes roles and facilities, resets a password and deactivates: each ends the user’s sessions', async () => {
    const user = await f.user(['pve_inspector'], [a]);
    const client = await as(admin);
    const live = async () =>
      (
        await t.db.query(
          `SELECT count(*)::int AS n FROM user_session WHERE user_id = $1 AND revoked_at IS NULL`,
          [user.id],
        )
      )[0].n as number;
    expect(await live()).toBe(1);
    const edit = await client.get(`/admin/users/${user.id}/edit`);
    expect(textOf(edit.body)).toContain('ends the user’s sessions at once');
    const changed = await client.post(`/admin/users/${user.id}/edit`, {
      version: version(edit.body),
      displayName: 'Renamed Inspector',
      roles: ['pve_inspector', 'security_officer'],
      facilityIds: a.id,
    });
    expect(changed.statusCode).toBe(303);
    expect(await live()).toBe(0);
    const [row] = await t.db.query(`SELECT roles FROM app_user WHERE id = $1`, [user.id]);
    expect(row.roles).toEqual(['pve_inspector', 'security_officer']);

    await f.session(user.id);
    const reset = await client.get(`/admin/users/${user.id}/password`);
    const done = await client.post(`/admin/users/${user.id}/password`, {
      version: version(reset.body),
      password: PASSWORD,
    });
    expect(done.statusCode).toBe(303);
    expect(await live()).toBe(0);

    await f.session(user.id);
    const off = await client.get(`/admin/users/${user.id}/deactivate`);
    expect(textOf(off.body)).toContain('ends the user’s sessions at once');
    const deactivated = await client.post(`/admin/users/${user.id}/deactivate`, {
      version: version(off.body),
    });
    expect(deactivated.statusCode).toBe(303);
    expect(await live()).toBe(0);
    expect(textOf((await client.get(`/admin/users/${user.id}`)).body)).toContain('Deactivated');

    const own = await client.get(`/admin/users/${admin.id}/password`);
    expect(textOf(own.body)).toContain('You change your own password from your account');
  });

  it('certifies a user for an instrument until a date, and shows expired certifications as such', async () => {
    const user = await f.user(['psychologist'], [a]);
    const client = await as(admin);
    const form = await client.get(`/admin/users/${user.id}/certifications/new`);
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('value="ve-risk-spj"');
    expect(form.body).not.toContain('value="handbook-interventions"');
    const bad = await client.post(`/admin/users/${user.id}/certifications`, {
      instrumentKey: 'no-such-tool',
      validUntil: 'soon',
    });
    expect(bad.statusCode).toBe(422);
    expect(bad.body).toContain('<a href="#instrumentKey">Choose an instrument from the list</a>');
    expect(bad.body).toContain('<a href="#validUntil">Enter the date it is valid until</a>');
    const ok = await client.post(`/admin/users/${user.id}/certifications`, {
      instrumentKey: 've-risk-spj',
      validUntil: '2099-06-30',
      issuingBody: 'National training centre',
      documentReference: 'Certificate 2026/117',
    });
    expect(ok.statusCode).toBe(303);
    await f.certify(user.id, 've-needs', '2020-01-01');
    const page = textOf((await client.get(`/admin/users/${user.id}`)).body);
    expect(page).toMatch(
      /ve-risk-spj 30 June 2099 Valid Recorded by an administrator: National training centre, Certificate 2026\/117/,
    );
    expect(page).toMatch(/ve-needs 1 January 2020 Expired/);
  });

  it('adds facilities and refuses a code in use', async () => {
    const client = await as(admin);
    const form = await client.get('/admin/facilities/new');
    expect(form.statusCode).toBe(200);
    const created = await client.post('/admin/facilities/new', {
      code: 'kz-ast-02',
      name: 'Astana remand centre',
      region: 'Astana',
    });
    expect(created.statusCode).toBe(303);
    expect(textOf((await client.get('/admin/facilities')).body)).toContain(
      'KZ-AST-02 Astana remand centre Astana',
    );
    const again = await client.post('/admin/facilities/new', { code: 'KZ-AST-02', name: 'Again' });
    expect(again.statusCode).toBe(422);
    expect(again.body).toContain('<a href="#code">A facility with this code already exists</a>');
  });

  it('lists rule-set versions with their status, and shows two versions side by side', async () => {
    const client = await as(admin);
    const list = await client.get('/admin/rule-sets');
    const text = textOf(list.body);
    expect(text).toMatch(/1\.1\.0 Active .* 1\.0\.0 Active/);
    expect(list.body).toContain('href="/admin/rule-sets/ve-risk-spj/diff"');
    const diff = await client.get('/admin/rule-sets/ve-risk-spj/diff?from=1.0.0&to=1.0.1');
    expect(diff.statusCode).toBe(200);
    const shown = textOf(diff.body);
    expect(shown).toContain('Version 1.0.0 Version 1.0.1');
    expect(shown).toMatch(/guidance .* Revised guidance\./);
    expect((await client.get('/admin/rule-sets/no-such/diff')).statusCode).toBe(404);
  });

  it('is refused to case roles as the API refuses it', async () => {
    for (const roles of [['supervisor'], ['security_officer'], ['pve_inspector']] as const) {
      const client = await as(await f.user([...roles], [a]));
      for (const url of [
        '/admin/users',
        '/admin/users/new',
        `/admin/users/${admin.id}`,
        '/admin/facilities',
        '/admin/facilities/new',
      ]) {
        expect({ roles, url, status: (await client.get(url)).statusCode }).toEqual({
          roles,
          url,
          status: 403,
        });
      }
    }
    expect(await userId('new.psychologist')).toBeDefined();
  });
});
