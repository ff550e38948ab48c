import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AuthService } from '../src/auth/auth.service.js';
import { Factories, TEST_PASSWORD, type TestFacility, type TestUser } from './factories/index.js';
import { createTestApp, type TestApp } from './support/test-app.js';

describe('auth', () => {
  let t: TestApp;
  let f: Factories;
  let facility: TestFacility;
  let admin: TestUser;

  beforeAll(async () => {
    t = await createTestApp();
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

  /** Moves a username's recorded failures into the past, as if that much time had gone by. */
  const age = (username: string, seconds: number, ip?: string) =>
    t.db.query(
      `UPDATE login_failure SET occurred_at = occurred_at - make_interval(secs => $2)
       WHERE username = $1 AND ($3::text IS NULL OR ip = $3)`,
      [username, seconds, ip ?? null],
    );

  it('after 5 failures waits a growing delay (429 + Retry-After) that the right password cannot skip', async () => {
    const user = await f.user(['pve_inspector'], [facility]);
    for (let i = 0; i < 5; i++) await login(user.username, `wrong password ${i}!`).expect(401);
    const first = await login(user.username, TEST_PASSWORD).expect(429);
    expect(first.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(first.body).toMatchObject({ code: 'login_throttled', retryAfter: 1 });
    expect(first.headers['retry-after']).toBe('1');
    // Each further failure doubles the wait; attempts while it runs are not even checked.
    for (const expected of [2, 4, 8]) {
      await age(user.username, expected);
      await login(user.username, 'still the wrong password').expect(401);
      const res = await login(user.username, TEST_PASSWORD).expect(429);
      expect(res.headers['retry-after']).toBe(String(expected));
    }
    // Another username is unaffected; and once the delay has passed, the right password works.
    const other = await f.user(['pve_inspector'], [facility]);
    await login(other.username, TEST_PASSWORD).expect(200);
    await age(user.username, 16);
    await login(user.username, TEST_PASSWORD).expect(200);
  });

  it('an attacker failing from another address cannot keep the rightful user out', async () => {
    const auth = t.app.get(AuthService);
    const user = await f.user(['psychologist'], [facility]);
    const attacker = { requestId: 'attack', ip: '203.0.113.66' };
    const office = { requestId: 'office', ip: '198.51.100.7' };
    const right = { username: user.username, password: TEST_PASSWORD };
    const wrong = { username: user.username, password: 'a guess from outside' };
    // A persistent attacker: 40 failures over the last hours, each once the delay allowed it.
    await t.db.query(
      `INSERT INTO login_failure (username, ip, occurred_at)
       SELECT $1, $2, now() - make_interval(mins => g * 16) FROM generate_series(1, 39) g`,
      [user.username, attacker.ip],
    );
    await expect(auth.signIn(wrong, attacker)).rejects.toMatchObject({ status: 401 });
    await expect(auth.signIn(right, attacker)).rejects.toMatchObject({ status: 429 });
    // The user, from their own address, signs in at once.
    await expect(auth.signIn(right, office)).resolves.toMatchObject({ userId: user.id });
    // A slip of the finger while the username is under attack costs them a delay...
    await expect(auth.signIn(wrong, office)).rejects.toMatchObject({ status: 401 });
    await expect(auth.signIn(right, office)).rejects.toMatchObject({ status: 429 });
    // ...and once it has passed, the right password signs in though the attacker keeps failing.
    await age(user.username, 15 * 60 + 1, office.ip);
    await age(user.username, 15 * 60 + 1, attacker.ip);
    await expect(auth.signIn(wrong, attacker)).rejects.toMatchObject({ status: 401 });
    await expect(auth.signIn(right, attacker)).rejects.toMatchObject({ status: 429 });
    await expect(auth.signIn(right, office)).resolves.toMatchObject({ userId: user.id });
  });

  it('throttles one address that fails for many usernames (password spraying)', async () => {
    const auth = t.app.get(AuthService);
    const sprayer = { requestId: 'spray', ip: '192.0.2.10' };
    await t.db.query(
      `INSERT INTO login_failure (username, ip, occurred_at)
       SELECT 'sprayed.' || g, $1, now() - make_interval(secs => g) FROM generate_series(1, 120) g`,
      [sprayer.ip],
    );
    const user = await f.user(['psychologist'], [facility]);
    const right = { username: user.username, password: TEST_PASSWORD };
    const res = await auth.signIn(right, sprayer).catch((e: unknown) => e);
    expect(res).toMatchObject({ status: 429, body: { code: 'login_throttled' } });
    await expect(auth.signIn(right, { requestId: 'other', ip: '192.0.2.11' })).resolves.toEqual({
      userId: user.id,
      sessionId: expect.any(String),
    });
  });

  it('keeps the throttle in the database, so every instance applies it', async () => {
    const user = await f.user(['pve_inspector'], [facility]);
    for (let i = 0; i < 5; i++) await login(user.username, `wrong password ${i}!`).expect(401);
    // As many again, so the delay (32 s) outlasts starting the second instance.
    await t.db.query(
      `INSERT INTO login_failure (username, ip) SELECT username, ip FROM login_failure WHERE username = $1`,
      [user.username],
    );
    const url = new URL(t.databaseUrl);
    const second = await createTestApp({
      database: { name: url.pathname.slice(1), url: t.databaseUrl },
    });
    try {
      await second.http
        .post('/api/v1/auth/login')
        .send({ username: user.username, password: TEST_PASSWORD })
        .expect(429);
    } finally {
      await second.close();
    }
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

  const refresh = (auth: string) =>
    t.http.post('/api/v1/auth/refresh').set('authorization', auth).expect(200);
  const me = (auth: string) => t.http.get('/api/v1/auth/me').set('authorization', auth);

  it('rotates the token on refresh; presenting the replaced one ends the session', async () => {
    const user = await f.user(['psychologist'], [facility]);
    const second = `Bearer ${(await refresh(user.auth)).body.accessToken}`;
    const third = `Bearer ${(await refresh(second)).body.accessToken}`;
    await me(third).expect(200);
    await me(second).expect(401);
    // Reuse of a replaced token: the whole session ends, the newest token with it.
    await me(third).expect(401);
    const [session] = await t.db.query(
      `SELECT revoked_reason FROM user_session WHERE user_id = $1`,
      [user.id],
    );
    expect(session.revoked_reason).toBe('token_reuse');
    const events = await t.db.query(
      `SELECT action, outcome FROM audit_event WHERE actor_id = $1 ORDER BY seq`,
      [user.id],
    );
    expect(events).toEqual([
      { action: 'auth.refresh', outcome: 'success' },
      { action: 'auth.refresh', outcome: 'success' },
      { action: 'auth.token_reuse', outcome: 'denied' },
    ]);
  });

  it('a stolen token refreshed by the thief is caught when the user presents theirs', async () => {
    const user = await f.user(['psychologist'], [facility]);
    const thief = `Bearer ${(await refresh(user.auth)).body.accessToken}`;
    await me(thief).expect(200);
    // The user's client refreshes with the token it holds, which the thief already replaced.
    await t.http.post('/api/v1/auth/refresh').set('authorization', user.auth).expect(401);
    await me(thief).expect(401);
    await me(user.auth).expect(401);
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
