import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Factories, TEST_PASSWORD, type TestFacility, type TestUser } from './factories/index.js';
import { createTestApp, type TestApp } from './support/test-app.js';

describe('auth', () => {
  let t: TestApp;
  let f: Factories;
  let facility: TestFacility;
  let admin: TestUser;

  beforeAll(async () => {
    t = await createTestApp({ env: { LOGIN_MAX_FAILURES: '5', LOGIN_FAILURE_WINDOW: '15m' } });
    f = new Factories(t);
    facility = await f.facility({ code: 'AUTH-A', name: 'Auth facility' });
    admin = await f.user(['administrator']);
  });
  afterAll(() => t.close());

  const login = (username: string, password: string) =>
    t.http.post('/api/v1/auth/login').send({ username, password });

  it('signs in and returns a token, its lifetime and the user with roles and facilities', async () => {
    const user = await f.user(['psychologist'], [facility]);
    const res = await login(user.username, TEST_PASSWORD).expect(200);
    expect(res.body).toEqual({
      accessToken: expect.any(String),
      tokenType: 'Bearer',
      expiresIn: 900,
      user: {
        id: user.id,
        username: user.username,
        displayName: `Test ${user.username}`,
        roles: ['psychologist'],
        facilities: [{ id: facility.id, code: 'AUTH-A', name: 'Auth facility' }],
      },
    });
    const me = await t.http
      .get('/api/v1/auth/me')
      .set('authorization', `Bearer ${res.body.accessToken}`)
      .expect(200);
    expect(me.body.id).toBe(user.id);
  });

  it('answers a wrong password and an unknown user with the same 401', async () => {
    const user = await f.user(['psychologist'], [facility]);
    const wrong = await login(user.username, 'not the password at all').expect(401);
    const unknown = await login('nobody.here', 'not the password at all').expect(401);
    expect(wrong.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(wrong.body.detail).toBe('Invalid username or password');
    expect(unknown.body.detail).toBe(wrong.body.detail);
    expect(unknown.body.code).toBe(wrong.body.code);
  });

  it('refuses a deactivated account with the same generic 401', async () => {
    const user = await f.user(['psychologist'], [facility], { active: false });
    const res = await login(user.username, TEST_PASSWORD).expect(401);
    expect(res.body.detail).toBe('Invalid username or password');
  });

  it('locks a username after 5 failures within the window, even for the right password', async () => {
    const user = await f.user(['pve_inspector'], [facility]);
    for (let i = 0; i < 5; i++) await login(user.username, `wrong password ${i}!`).expect(401);
    const locked = await login(user.username, TEST_PASSWORD).expect(429);
    expect(locked.body.code).toBe('login_locked');
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(800);
    // Another username is unaffected.
    const other = await f.user(['pve_inspector'], [facility]);
    await login(other.username, TEST_PASSWORD).expect(200);
    // Once the window has passed (failures aged past 15 minutes), sign-in works again.
    await t.db.query(
      `UPDATE login_failure SET occurred_at = occurred_at - interval '16 minutes' WHERE username = $1`,
      [user.username],
    );
    await login(user.username, TEST_PASSWORD).expect(200);
  });

  it('a successful sign-in clears earlier failures', async () => {
    const user = await f.user(['pve_inspector'], [facility]);
    for (let i = 0; i < 4; i++) await login(user.username, `wrong password ${i}!`).expect(401);
    await login(user.username, TEST_PASSWORD).expect(200);
    for (let i = 0; i < 4; i++) await login(user.username, `wrong password ${i}!`).expect(401);
    await login(user.username, TEST_PASSWORD).expect(200);
  });

  it('logout makes the token fail at once', async () => {
    const user = await f.user(['psychologist'], [facility]);
    await t.http.get('/api/v1/auth/me').set('authorization', user.auth).expect(200);
    await t.http.post('/api/v1/auth/logout').set('authorization', user.auth).expect(204);
    const res = await t.http.get('/api/v1/auth/me').set('authorization', user.auth).expect(401);
    expect(res.headers['www-authenticate']).toBe('Bearer');
  });

  it('refresh issues a new token on the same session; logout ends both', async () => {
    const user = await f.user(['psychologist'], [facility]);
    const res = await t.http
      .post('/api/v1/auth/refresh')
      .set('authorization', user.auth)
      .expect(200);
    const fresh = `Bearer ${res.body.accessToken}`;
    await t.http.get('/api/v1/auth/me').set('authorization', fresh).expect(200);
    await t.http.post('/api/v1/auth/logout').set('authorization', fresh).expect(204);
    await t.http.get('/api/v1/auth/me').set('authorization', user.auth).expect(401);
    await t.http.get('/api/v1/auth/me').set('authorization', fresh).expect(401);
  });

  it.each([
    ['deactivation', { active: false }],
    ['a role change', { roles: ['pve_inspector'] }],
    ['a facility change', { facilityIds: [] }],
  ])('%s revokes the user’s existing tokens', async (_name, change) => {
    const user = await f.user(['psychologist'], [facility]);
    await t.http.get('/api/v1/auth/me').set('authorization', user.auth).expect(200);
    await t.http
      .patch(`/api/v1/users/${user.id}`)
      .set('authorization', admin.auth)
      .set('if-match', '1')
      .send(change)
      .expect(200);
    await t.http.get('/api/v1/auth/me').set('authorization', user.auth).expect(401);
  });

  it('a display-name change does not end sessions', async () => {
    const user = await f.user(['psychologist'], [facility]);
    await t.http
      .patch(`/api/v1/users/${user.id}`)
      .set('authorization', admin.auth)
      .set('if-match', '1')
      .send({ displayName: 'Renamed' })
      .expect(200);
    await t.http.get('/api/v1/auth/me').set('authorization', user.auth).expect(200);
  });

  it('rejects missing, malformed, forged and expired tokens with 401', async () => {
    await t.http.get('/api/v1/auth/me').expect(401);
    await t.http.get('/api/v1/auth/me').set('authorization', 'Bearer not-a-jwt').expect(401);
    const user = await f.user(['psychologist'], [facility]);
    const [h, p] = user.token.split('.');
    await t.http.get('/api/v1/auth/me').set('authorization', `Bearer ${h}.${p}.AAAA`).expect(401);
    await t.db.query(
      `UPDATE user_session SET expires_at = now() - interval '1 second' WHERE user_id = $1`,
      [user.id],
    );
    await t.http.get('/api/v1/auth/me').set('authorization', user.auth).expect(401);
  });

  it('audits sign-ins, failures and sign-outs without the password', async () => {
    const user = await f.user(['psychologist'], [facility]);
    await login(user.username, 'a wrong password here').expect(401);
    const ok = await login(user.username, TEST_PASSWORD).expect(200);
    await t.http
      .post('/api/v1/auth/logout')
      .set('authorization', `Bearer ${ok.body.accessToken}`)
      .expect(204);
    const rows = await t.db.query(
      `SELECT action, outcome, details, actor_username FROM audit_event WHERE actor_id = $1 ORDER BY seq`,
      [user.id],
    );
    expect(
      rows.map((r: { action: string; outcome: string }) => `${r.action}:${r.outcome}`),
    ).toEqual(['auth.login:denied', 'auth.login:success', 'auth.logout:success']);
    expect(rows[0].details).toEqual({ reason: 'bad_password' });
    const all = JSON.stringify(await t.db.query(`SELECT * FROM audit_event`));
    expect(all).not.toContain('a wrong password here');
    expect(all).not.toContain(TEST_PASSWORD);
  });
});
