import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Factories, TEST_PASSWORD, type TestFacility, type TestUser } from './factories/index.js';
import { createTestApp, type TestApp } from './support/test-app.js';

const NEW_PASSWORD = 'a fresh and long passphrase';

describe('self-service password change (POST /auth/password)', () => {
  let t: TestApp;
  let f: Factories;
  let facility: TestFacility;

  beforeAll(async () => {
    t = await createTestApp({ env: { LOGIN_MAX_FAILURES: '3' } });
    f = new Factories(t);
    facility = await f.facility();
  });
  afterAll(() => t.close());

  const change = (user: TestUser | string, body: Record<string, unknown>) =>
    t.http
      .post('/api/v1/auth/password')
      .set('authorization', typeof user === 'string' ? user : user.auth)
      .send(body);
  const login = (username: string, password: string) =>
    t.http.post('/api/v1/auth/login').send({ username, password });

  it('changes the password, keeps this session, ends the others, and audits it', async () => {
    for (const roles of [['psychologist'], ['administrator']] as const) {
      const user = await f.user([...roles], roles[0] === 'administrator' ? [] : [facility]);
      const other = `Bearer ${(await login(user.username, TEST_PASSWORD).expect(200)).body.accessToken}`;
      const res = await change(user, {
        currentPassword: TEST_PASSWORD,
        newPassword: NEW_PASSWORD,
      }).expect(204);
      expect(res.text).toBe('');
      await t.http.get('/api/v1/auth/me').set('authorization', user.auth).expect(200);
      await t.http.get('/api/v1/auth/me').set('authorization', other).expect(401);
      await login(user.username, TEST_PASSWORD).expect(401);
      await login(user.username, NEW_PASSWORD).expect(200);
      const events = await t.db.query(
        `SELECT action, outcome, entity_id, changed_fields FROM audit_event
         WHERE actor_id = $1 AND action = 'auth.password_change'`,
        [user.id],
      );
      expect(events).toEqual([
        {
          action: 'auth.password_change',
          outcome: 'success',
          entity_id: user.id,
          changed_fields: ['password'],
        },
      ]);
      const [{ version }] = await t.db.query(`SELECT version FROM app_user WHERE id = $1`, [
        user.id,
      ]);
      expect(version).toBe(2);
    }
    const all = JSON.stringify(await t.db.query(`SELECT * FROM audit_event`));
    expect(all).not.toContain(NEW_PASSWORD);
    expect(all).not.toContain(TEST_PASSWORD);
  });

  it.each([
    ['one repeated character', 'aaaaaaaaaaaa'],
    ['a common password', 'password1234'],
    ['a keyboard run', 'qwertyuiop12'],
    ['too short', 'short one'],
  ])('refuses a new password that is %s and changes nothing', async (_what, newPassword) => {
    const user = await f.user(['pve_inspector'], [facility]);
    const res = await change(user, { currentPassword: TEST_PASSWORD, newPassword }).expect(400);
    expect(res.body.errors).toEqual([
      { path: 'newPassword', message: expect.stringMatching(/^newPassword /) },
    ]);
    await t.http.get('/api/v1/auth/me').set('authorization', user.auth).expect(200);
    await login(user.username, TEST_PASSWORD).expect(200);
  });

  it('refuses a new password containing the username or the same as the current one', async () => {
    const user = await f.user(['pve_inspector'], [facility]);
    const name = user.username.split('.')[1];
    const withName = await change(user, {
      currentPassword: TEST_PASSWORD,
      newPassword: `my ${name} passphrase`,
    }).expect(400);
    expect(withName.body.errors).toEqual([
      { path: 'newPassword', message: 'newPassword must not contain the username' },
    ]);
    const same = await change(user, {
      currentPassword: TEST_PASSWORD,
      newPassword: TEST_PASSWORD,
    }).expect(400);
    expect(same.body.errors).toEqual([
      { path: 'newPassword', message: 'newPassword must differ from the current password' },
    ]);
  });

  it('names every missing field, and needs a session', async () => {
    const user = await f.user(['pve_inspector'], [facility]);
    const res = await change(user, { extra: 1 }).expect(400);
    expect(res.body.errors.map((e: { path: string }) => e.path).sort()).toEqual([
      'currentPassword',
      'extra',
      'newPassword',
    ]);
    await t.http
      .post('/api/v1/auth/password')
      .send({ currentPassword: TEST_PASSWORD, newPassword: NEW_PASSWORD })
      .expect(401);
  });

  it('a wrong current password is refused, audited, and throttled like sign-in', async () => {
    const user = await f.user(['security_officer'], [facility]);
    for (let i = 0; i < 3; i++) {
      const res = await change(user, {
        currentPassword: `not my password ${i}`,
        newPassword: NEW_PASSWORD,
      }).expect(400);
      expect(res.body).toMatchObject({
        code: 'invalid_current_password',
        errors: [{ path: 'currentPassword', message: 'currentPassword is not correct' }],
      });
    }
    // The fourth try waits, whether or not it is right, and so does signing in from here.
    const throttled = await change(user, {
      currentPassword: TEST_PASSWORD,
      newPassword: NEW_PASSWORD,
    }).expect(429);
    expect(throttled.body.code).toBe('login_throttled');
    expect(Number(throttled.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    await login(user.username, TEST_PASSWORD).expect(429);
    const events = await t.db.query(
      `SELECT outcome, details FROM audit_event WHERE actor_id = $1 AND action = 'auth.password_change' ORDER BY seq`,
      [user.id],
    );
    expect(events).toEqual([
      ...Array(3).fill({ outcome: 'denied', details: { reason: 'bad_password' } }),
      { outcome: 'denied', details: { reason: 'throttled' } },
    ]);
    // Once the delay has passed, the right password changes it.
    await t.db.query(
      `UPDATE login_failure SET occurred_at = occurred_at - interval '1 hour' WHERE username = $1`,
      [user.username],
    );
    await change(user, { currentPassword: TEST_PASSWORD, newPassword: NEW_PASSWORD }).expect(204);
  });
});
