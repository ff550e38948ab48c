import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ROLES } from '../src/access/roles.js';
import { createUserFromCommandLine } from '../src/cli/user-create.js';
import { UsersService } from '../src/users/users.service.js';
import { Factories, type TestFacility, type TestUser } from './factories/index.js';
import { createTestApp, type TestApp } from './support/test-app.js';

describe('users and facilities (administrators)', () => {
  let t: TestApp;
  let f: Factories;
  let facility: TestFacility;
  let admin: TestUser;

  beforeAll(async () => {
    t = await createTestApp();
    f = new Factories(t);
    facility = await f.facility({ code: 'USR-A' });
    admin = await f.user(['administrator']);
  });
  afterAll(() => t.close());

  const newUser = (overrides: Record<string, unknown> = {}) => ({
    username: `u.${Math.random().toString(36).slice(2, 10)}`,
    displayName: 'A Person',
    password: 'a long enough passphrase',
    roles: ['psychologist'],
    facilityIds: [facility.id],
    ...overrides,
  });

  it.each(ROLES.filter((r) => r !== 'administrator'))(
    'refuses %s with 403 on every admin endpoint',
    async (role) => {
      const user = await f.user([role], [facility]);
      const calls = [
        t.http.get('/api/v1/users'),
        t.http.post('/api/v1/users').send(newUser()),
        t.http.get(`/api/v1/users/${admin.id}`),
        t.http.patch(`/api/v1/users/${admin.id}`).set('if-match', '1').send({ displayName: 'x' }),
        t.http
          .post(`/api/v1/users/${admin.id}/certifications`)
          .send({ instrumentKey: 've-risk-spj', validUntil: '2030-01-01' }),
        t.http.get('/api/v1/facilities'),
        t.http.post('/api/v1/facilities').send({ code: 'NEW-1', name: 'New' }),
      ];
      for (const call of calls) {
        const res = await call.set('authorization', user.auth);
        expect(res.status).toBe(403);
        expect(res.body.code).toBe('forbidden');
      }
      const [{ count }] = await t.db.query(
        `SELECT count(*)::int AS count FROM audit_event WHERE actor_id = $1 AND action = 'access.denied' AND outcome = 'denied'`,
        [user.id],
      );
      expect(count).toBe(calls.length);
    },
  );

  it('creates a user with roles, facilities and an argon2id hash, and the user can sign in', async () => {
    const body = newUser();
    const res = await t.http
      .post('/api/v1/users')
      .set('authorization', admin.auth)
      .send(body)
      .expect(201);
    expect(res.body).toMatchObject({
      username: body.username,
      roles: ['psychologist'],
      active: true,
      version: 1,
      facilities: [{ id: facility.id, code: 'USR-A' }],
    });
    expect(res.body).not.toHaveProperty('password');
    expect(res.body).not.toHaveProperty('passwordHash');
    const [{ password_hash }] = await t.db.query(
      `SELECT password_hash FROM app_user WHERE id = $1`,
      [res.body.id],
    );
    expect(password_hash).toMatch(/^\$argon2id\$/);
    await t.http
      .post('/api/v1/auth/login')
      .send({ username: body.username, password: body.password })
      .expect(200);
  });

  it.each([
    ['shorter than 12 characters', 'short pass', 'password must be at least 12 characters long'],
    ['containing the username', 'xx-policy.user-xx-long', 'password must not contain the username'],
    [
      'containing the display name',
      'nurlanov keeps the yard',
      'password must not contain the user’s name',
    ],
    [
      'of one repeated character',
      'aaaaaaaaaaaa',
      'password must not be made mostly of repeated or sequential characters (such as aaaa, abcd, 1234 or qwerty)',
    ],
    [
      'of sequences',
      'abcd1234qwer',
      'password must not be made mostly of repeated or sequential characters (such as aaaa, abcd, 1234 or qwerty)',
    ],
    [
      'from the common-password list',
      'password1234',
      'password is one of the passwords most often used and breached',
    ],
  ])('refuses a password %s', async (_name, password, message) => {
    const res = await t.http
      .post('/api/v1/users')
      .set('authorization', admin.auth)
      .send(newUser({ username: 'policy.user', displayName: 'Bakhyt Nurlanov', password }))
      .expect(400);
    expect(res.body.errors).toEqual([{ path: 'password', message }]);
  });

  it('names every failing field at once and writes nothing', async () => {
    const res = await t.http
      .post('/api/v1/users')
      .set('authorization', admin.auth)
      .send({ username: 'Bad Name', roles: ['wizard'], facilityIds: ['nope'], extra: true })
      .expect(400);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.body.code).toBe('validation_failed');
    expect(res.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(
      ['displayName', 'extra', 'facilityIds', 'password', 'roles', 'username'].sort(),
    );
    const [{ count }] = await t.db.query(
      `SELECT count(*)::int AS count FROM app_user WHERE username = 'Bad Name'`,
    );
    expect(count).toBe(0);
  });

  it('refuses an unknown facility naming its index, and a duplicate username with 409', async () => {
    const unknown = await t.http
      .post('/api/v1/users')
      .set('authorization', admin.auth)
      .send(newUser({ facilityIds: [facility.id, '00000000-0000-4000-8000-000000000000'] }))
      .expect(400);
    expect(unknown.body.errors).toEqual([
      { path: 'facilityIds[1]', message: 'facility does not exist' },
    ]);
    const body = newUser();
    await t.http.post('/api/v1/users').set('authorization', admin.auth).send(body).expect(201);
    const dup = await t.http
      .post('/api/v1/users')
      .set('authorization', admin.auth)
      .send(newUser({ username: body.username }))
      .expect(409);
    expect(dup.body.code).toBe('username_taken');
  });

  it('PATCH needs If-Match (428), refuses a stale version (409) and records changed field names only', async () => {
    const created = await t.http
      .post('/api/v1/users')
      .set('authorization', admin.auth)
      .send(newUser())
      .expect(201);
    const id = created.body.id;
    await t.http
      .patch(`/api/v1/users/${id}`)
      .set('authorization', admin.auth)
      .send({ displayName: 'B' })
      .expect(428);
    const ok = await t.http
      .patch(`/api/v1/users/${id}`)
      .set('authorization', admin.auth)
      .set('if-match', '"1"')
      .send({ displayName: 'B', roles: ['supervisor'] })
      .expect(200);
    expect(ok.body).toMatchObject({ displayName: 'B', roles: ['supervisor'], version: 2 });
    const stale = await t.http
      .patch(`/api/v1/users/${id}`)
      .set('authorization', admin.auth)
      .set('if-match', '1')
      .send({ displayName: 'C' })
      .expect(409);
    expect(stale.body).toMatchObject({ code: 'version_conflict', currentVersion: 2 });
    const [event] = await t.db.query(
      `SELECT changed_fields, details FROM audit_event WHERE action = 'user.update' AND entity_id = $1`,
      [id],
    );
    expect(event.changed_fields).toEqual(['displayName', 'roles']);
    expect(JSON.stringify(event)).not.toContain('supervisor');
  });

  it('changes a password under the policy; the old one stops working', async () => {
    const body = newUser();
    const created = await t.http
      .post('/api/v1/users')
      .set('authorization', admin.auth)
      .send(body)
      .expect(201);
    const bad = await t.http
      .patch(`/api/v1/users/${created.body.id}`)
      .set('authorization', admin.auth)
      .set('if-match', '1')
      .send({ password: 'short' })
      .expect(400);
    expect(bad.body.errors[0].path).toBe('password');
    for (const weak of ['aaaaaaaaaaaa', 'password1234', 'qwertyuiop12']) {
      const res = await t.http
        .patch(`/api/v1/users/${created.body.id}`)
        .set('authorization', admin.auth)
        .set('if-match', '1')
        .send({ password: weak })
        .expect(400);
      expect(res.body.errors).toEqual([{ path: 'password', message: expect.any(String) }]);
    }
    await t.http
      .patch(`/api/v1/users/${created.body.id}`)
      .set('authorization', admin.auth)
      .set('if-match', '1')
      .send({ password: 'another long passphrase' })
      .expect(200);
    await t.http
      .post('/api/v1/auth/login')
      .send({ username: body.username, password: body.password })
      .expect(401);
    await t.http
      .post('/api/v1/auth/login')
      .send({ username: body.username, password: 'another long passphrase' })
      .expect(200);
  });

  it('never leaves the service without an active administrator', async () => {
    const only = await t.db.query(
      `SELECT id, version FROM app_user WHERE 'administrator' = ANY(roles)`,
    );
    expect(only).toHaveLength(1);
    const res = await t.http
      .patch(`/api/v1/users/${admin.id}`)
      .set('authorization', admin.auth)
      .set('if-match', String(only[0].version))
      .send({ active: false })
      .expect(409);
    expect(res.body.code).toBe('last_administrator');
  });

  it('records certifications with their validity', async () => {
    const user = await f.user(['psychologist'], [facility]);
    const res = await t.http
      .post(`/api/v1/users/${user.id}/certifications`)
      .set('authorization', admin.auth)
      .send({ instrumentKey: 've-risk-spj', validUntil: '2099-01-31' })
      .expect(201);
    expect(res.body.certifications).toEqual([
      {
        id: expect.any(String),
        instrumentKey: 've-risk-spj',
        validUntil: '2099-01-31',
        current: true,
        source: 'external',
        issuingBody: null,
        documentReference: null,
      },
    ]);
    const external = await t.http
      .post(`/api/v1/users/${user.id}/certifications`)
      .set('authorization', admin.auth)
      .send({
        instrumentKey: 've-needs',
        validUntil: '2098-06-30',
        issuingBody: 'National training centre',
        documentReference: 'Certificate 2026/117',
      })
      .expect(201);
    expect(external.body.certifications[0]).toMatchObject({
      instrumentKey: 've-needs',
      source: 'external',
      issuingBody: 'National training centre',
      documentReference: 'Certificate 2026/117',
    });
    await t.http
      .post(`/api/v1/users/${user.id}/certifications`)
      .set('authorization', admin.auth)
      .send({ instrumentKey: 'Bad Key', validUntil: '31/01/2099' })
      .expect(400);
    await t.http
      .post(`/api/v1/users/00000000-0000-4000-8000-000000000000/certifications`)
      .set('authorization', admin.auth)
      .send({ instrumentKey: 've-risk-spj', validUntil: '2099-01-31' })
      .expect(404);
  });

  it('pages through users with a cursor', async () => {
    for (let i = 0; i < 3; i++) await f.user(['pve_inspector'], [facility]);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: { body: { items: { username: string }[]; nextCursor: string | null } } =
        await t.http
          .get('/api/v1/users')
          .query(cursor ? { limit: 2, cursor } : { limit: 2 })
          .set('authorization', admin.auth)
          .expect(200);
      expect(res.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...res.body.items.map((u) => u.username));
      cursor = res.body.nextCursor;
    } while (cursor);
    const [{ count }] = await t.db.query(`SELECT count(*)::int AS count FROM app_user`);
    expect(seen).toHaveLength(count);
    expect([...seen].sort()).toEqual(seen);
    await t.http
      .get('/api/v1/users')
      .query({ cursor: 'garbage' })
      .set('authorization', admin.auth)
      .expect(400);
  });

  it('creates and lists facilities; a duplicate code is 409', async () => {
    const res = await t.http
      .post('/api/v1/facilities')
      .set('authorization', admin.auth)
      .send({ code: 'KZ-01', name: 'Colony 1', region: 'North' })
      .expect(201);
    expect(res.body).toMatchObject({ code: 'KZ-01', name: 'Colony 1', region: 'North' });
    await t.http
      .post('/api/v1/facilities')
      .set('authorization', admin.auth)
      .send({ code: 'KZ-01', name: 'Again' })
      .expect(409);
    await t.http
      .post('/api/v1/facilities')
      .set('authorization', admin.auth)
      .send({ code: 'lower', name: '' })
      .expect(400);
    const list = await t.http
      .get('/api/v1/facilities')
      .set('authorization', admin.auth)
      .expect(200);
    expect(list.body.items.map((x: { code: string }) => x.code)).toContain('KZ-01');
  });
  describe('administration and case roles are exclusive', () => {
    const CASE_ROLES = ROLES.filter((r) => r !== 'administrator');

    it.each(CASE_ROLES)(
      'refuses an account that is administrator and %s, naming roles, and writes nothing',
      async (role) => {
        const body = newUser({ roles: ['administrator', role], facilityIds: [] });
        const res = await t.http
          .post('/api/v1/users')
          .set('authorization', admin.auth)
          .send(body)
          .expect(400);
        expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
        expect(res.body.errors).toEqual([
          { path: 'roles', message: expect.stringMatching(/administrator.*separate account/) },
        ]);
        const [{ count }] = await t.db.query(
          `SELECT count(*)::int AS count FROM app_user WHERE username = $1`,
          [body.username],
        );
        expect(count).toBe(0);
      },
    );

    it('names roles beside the other failing fields', async () => {
      const res = await t.http
        .post('/api/v1/users')
        .set('authorization', admin.auth)
        .send(newUser({ username: 'Bad Name', roles: ['administrator', 'psychologist'] }))
        .expect(400);
      expect(res.body.errors.map((e: { path: string }) => e.path).sort()).toEqual([
        'roles',
        'username',
      ]);
    });

    it('refuses giving a case account administration, or an administrator a case role', async () => {
      const psychologist = await f.user(['psychologist'], [facility]);
      const other = await f.user(['administrator']);
      for (const [target, roles] of [
        [psychologist, ['psychologist', 'administrator']],
        [other, ['administrator', 'supervisor']],
      ] as const) {
        const res = await t.http
          .patch(`/api/v1/users/${target.id}`)
          .set('authorization', admin.auth)
          .set('if-match', '1')
          .send({ roles })
          .expect(400);
        expect(res.body.errors).toEqual([{ path: 'roles', message: expect.any(String) }]);
        const [row] = await t.db.query(`SELECT roles, version FROM app_user WHERE id = $1`, [
          target.id,
        ]);
        expect(row).toEqual({ roles: target.roles, version: 1 });
      }
    });

    it('an administrator cannot change their own roles (403), other fields they may', async () => {
      const [{ version }] = await t.db.query(`SELECT version FROM app_user WHERE id = $1`, [
        admin.id,
      ]);
      const res = await t.http
        .patch(`/api/v1/users/${admin.id}`)
        .set('authorization', admin.auth)
        .set('if-match', String(version))
        .send({ roles: ['supervisor'] })
        .expect(403);
      expect(res.body.code).toBe('own_roles_change');
      const [row] = await t.db.query(`SELECT roles, version FROM app_user WHERE id = $1`, [
        admin.id,
      ]);
      expect(row).toEqual({ roles: ['administrator'], version });
      await t.http
        .patch(`/api/v1/users/${admin.id}`)
        .set('authorization', admin.auth)
        .set('if-match', String(version))
        .send({ displayName: 'Still an administrator', roles: ['administrator'] })
        .expect(200);
    });

    it('an administrator changes their own password only with the current one (POST /auth/password)', async () => {
      const [{ version }] = await t.db.query(`SELECT version FROM app_user WHERE id = $1`, [
        admin.id,
      ]);
      const res = await t.http
        .patch(`/api/v1/users/${admin.id}`)
        .set('authorization', admin.auth)
        .set('if-match', String(version))
        .send({ password: 'a takeover passphrase here' })
        .expect(403);
      expect(res.body.code).toBe('own_password_change');
      const [row] = await t.db.query(`SELECT version FROM app_user WHERE id = $1`, [admin.id]);
      expect(row.version).toBe(version);
    });

    it('user:create refuses administration with a case role, and creates a separate account', async () => {
      const users = t.app.get(UsersService);
      const password = async () => 'a long enough passphrase';
      await expect(
        createUserFromCommandLine(
          users,
          ['--username', 'cli.mixed', '--role', 'administrator', '--role', 'psychologist'],
          password,
        ),
      ).rejects.toThrow(/roles: .*administrator/);
      await expect(
        createUserFromCommandLine(
          users,
          ['--username', 'cli.mixed', '--role', 'administrator,psychologist'],
          password,
        ),
      ).rejects.toThrow(/roles: /);
      const [{ count }] = await t.db.query(
        `SELECT count(*)::int AS count FROM app_user WHERE username = 'cli.mixed'`,
      );
      expect(count).toBe(0);
      await expect(
        createUserFromCommandLine(
          users,
          ['--username', 'cli.weak', '--role', 'administrator'],
          async () => 'password1234',
        ),
      ).rejects.toMatchObject({ body: { errors: [{ path: 'password' }] } });
      const created = await createUserFromCommandLine(
        users,
        ['--username', 'cli.admin', '--role', 'administrator'],
        password,
      );
      expect(created.roles).toEqual(['administrator']);
    });
  });
});
