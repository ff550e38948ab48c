import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Factories, type TestFacility } from '../factories/index.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { textOf, UiClient } from './support/ui-client.js';

/** Sign-in, sign-out, the session cookie, idle timeout and the language switch. */
describe('web sessions', () => {
  let t: TestApp;
  let f: Factories;
  let facility: TestFacility;

  beforeAll(async () => {
    t = await createTestApp({
      env: { LOGIN_MAX_FAILURES: '3', UI_IDLE_TIMEOUT: '5m', UI_DEFAULT_LOCALE: 'en' },
    });
    f = new Factories(t);
    facility = await f.facility();
  });
  afterAll(() => t.close());

  const psychologist = () => f.user(['psychologist'], [facility]);
  const session = async (id: string) =>
    (
      await t.db.query(
        `SELECT revoked_at, revoked_reason, last_seen_at FROM user_session WHERE id = $1`,
        [id],
      )
    )[0] as { revoked_at: Date | null; revoked_reason: string | null; last_seen_at: Date };

  describe('signing in', () => {
    it('shows the form with a CSRF token, paste-friendly fields and no session', async () => {
      const b = new UiClient(t);
      const res = await b.get('/sign-in');
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(res.body).toContain('<html lang="en"');
      expect(res.body).toMatch(/<input type="hidden" name="_csrf" value="[^"]{20,}">/);
      expect(res.body).toContain('autocomplete="username"');
      expect(res.body).toContain('autocomplete="current-password"');
      expect(res.body).not.toMatch(/onpaste|maxlength/i);
      expect(b.cookies.has('vep_session')).toBe(false);
    });

    it('opens a session in an httpOnly SameSite=Strict cookie and goes where the user was going', async () => {
      const user = await psychologist();
      const b = new UiClient(t);
      await b.get(`/sign-in?returnTo=${encodeURIComponent('/prisoners?q=ab')}`);
      const res = await b.post('/sign-in', {
        username: user.username,
        password: 'correct horse battery staple',
        returnTo: '/prisoners?q=ab',
      });
      expect(res.statusCode).toBe(303);
      expect(res.headers.location).toBe('/prisoners?q=ab');
      const cookie = ([] as string[])
        .concat(res.headers['set-cookie'] ?? [])
        .find((c) => c.startsWith('vep_session='))!;
      expect(cookie).toMatch(/; HttpOnly/);
      expect(cookie).toMatch(/; SameSite=Strict/);
      expect(cookie).not.toMatch(/; Secure/);
      expect(cookie).not.toMatch(/Max-Age|Expires/);
      const sessionId = b.sessionId()!;
      expect((await session(sessionId)).revoked_at).toBeNull();
      const [event] = await t.db.query(
        `SELECT action, outcome FROM audit_event WHERE entity_id = $1`,
        [sessionId],
      );
      expect(event).toEqual({ action: 'auth.login', outcome: 'success' });
      expect((await b.get('/sign-in')).headers.location).toBe('/');
    });

    it('never returns to another site after signing in', async () => {
      const user = await psychologist();
      const b = new UiClient(t);
      await b.get('/sign-in');
      for (const returnTo of ['//evil.example/', 'https://evil.example/']) {
        const res = await b.post('/sign-in', {
          username: user.username,
          password: 'correct horse battery staple',
          returnTo,
        });
        expect(res.headers.location).toBe('/');
        await b.get('/');
      }
    });

    it('names each missing field in an error summary that links to it', async () => {
      const b = new UiClient(t);
      await b.get('/sign-in');
      const res = await b.post('/sign-in', { username: '', password: '' });
      expect(res.statusCode).toBe(422);
      expect(res.body).toContain('<title>Error: Sign in – VEP casework</title>');
      expect(res.body).toContain('govuk-error-summary');
      expect(res.body).toContain('<a href="#username">Enter your username</a>');
      expect(res.body).toContain('<a href="#password">Enter your password</a>');
      expect(res.body).toMatch(/id="username-error"/);
    });

    it('explains a wrong password without saying which part was wrong, and keeps the username', async () => {
      const user = await psychologist();
      const b = new UiClient(t);
      await b.get('/sign-in');
      const res = await b.post('/sign-in', { username: user.username, password: 'wrong password' });
      expect(res.statusCode).toBe(401);
      expect(textOf(res.body)).toContain(
        'The username or password is not right. Check them and try again. After 3 failed attempts, each further attempt has to wait a little longer, up to 15 minutes.',
      );
      expect(res.body).toContain(`value="${user.username}"`);
      expect(res.body).not.toContain('wrong password');
      expect(b.cookies.has('vep_session')).toBe(false);
    });

    it('explains throttling with the time to wait, and sends Retry-After', async () => {
      const user = await psychologist();
      const b = new UiClient(t);
      await b.get('/sign-in');
      for (let i = 0; i < 3; i++) {
        expect(
          (await b.post('/sign-in', { username: user.username, password: `bad ${i}` })).statusCode,
        ).toBe(401);
      }
      const res = await b.post('/sign-in', {
        username: user.username,
        password: 'correct horse battery staple',
      });
      expect(res.statusCode).toBe(429);
      // The correct password waits out the delay too: it doubles from 1 s after the allowance.
      const wait = Number(res.headers['retry-after']);
      expect(wait).toBeGreaterThanOrEqual(1);
      expect(wait).toBeLessThanOrEqual(2);
      expect(textOf(res.body)).toMatch(
        new RegExp(
          `Too many failed attempts to sign in with this username\\. Try again in ${wait} seconds?\\.`,
        ),
      );
    });

    it('signs out whoever was signed in on the browser before', async () => {
      const first = await psychologist();
      const second = await psychologist();
      const b = new UiClient(t);
      await b.signIn(first.username);
      const firstSession = b.sessionId()!;
      await b.get('/');
      await b.post('/sign-in', {
        username: second.username,
        password: 'correct horse battery staple',
      });
      expect((await session(firstSession)).revoked_reason).toBe('logout');
      expect(b.sessionId()).not.toBe(firstSession);
    });
  });

  describe('ending a session', () => {
    it('signs out: the session row ends, the cookie goes, and the old cookie opens nothing', async () => {
      const user = await psychologist();
      const b = new UiClient(t);
      await b.signInAs(user);
      const old = b.cookies.get('vep_session')!;
      const sessionId = b.sessionId()!;
      await b.get('/');
      const res = await b.post('/sign-out');
      expect(res.statusCode).toBe(303);
      expect(res.headers.location).toBe('/signed-out');
      expect(b.cookies.has('vep_session')).toBe(false);
      expect((await session(sessionId)).revoked_reason).toBe('logout');
      expect(textOf((await b.get('/signed-out')).body)).toContain('You have signed out');

      const replay = new UiClient(t);
      replay.cookies.set('vep_session', old);
      const again = await replay.get('/prisoners');
      expect(again.statusCode).toBe(303);
      expect(again.headers.location).toBe('/sign-in?returnTo=%2Fprisoners&ended=1');
      expect(textOf((await replay.get(again.headers.location as string)).body)).toContain(
        'Your session has ended',
      );
    });

    it('ends at once when the account is deactivated', async () => {
      const user = await psychologist();
      const b = new UiClient(t);
      await b.signInAs(user);
      expect((await b.get('/')).statusCode).toBe(200);
      await t.db.query(`UPDATE app_user SET active = false WHERE id = $1`, [user.id]);
      const res = await b.get('/');
      expect(res.statusCode).toBe(303);
      expect(res.headers.location).toBe('/sign-in?ended=1');
      expect(b.cookies.has('vep_session')).toBe(false);
    });

    it('ends at once when an administrator changes the user’s roles', async () => {
      const user = await psychologist();
      const admin = await f.user(['administrator']);
      const b = new UiClient(t);
      await b.signInAs(user);
      expect((await b.get('/prisoners')).statusCode).toBe(200);
      const [{ version }] = await t.db.query(`SELECT version FROM app_user WHERE id = $1`, [
        user.id,
      ]);
      await t.http
        .patch(`/api/v1/users/${user.id}`)
        .set('authorization', admin.auth)
        .set('if-match', String(version))
        .send({ roles: ['pve_inspector'] })
        .expect(200);
      expect((await b.get('/prisoners')).headers.location).toBe(
        '/sign-in?returnTo=%2Fprisoners&ended=1',
      );
    });

    it('a forged or unsigned cookie is no session', async () => {
      const user = await psychologist();
      const [{ id }] = await t.db.query(
        `INSERT INTO user_session (user_id, expires_at) VALUES ($1, now() + interval '1 hour') RETURNING id`,
        [user.id],
      );
      const b = new UiClient(t);
      b.cookies.set('vep_session', `${id}.${user.id}`);
      expect((await b.get('/')).headers.location).toBe('/sign-in');
      b.cookies.set('vep_session', `${id}.${user.id}.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA`);
      expect((await b.get('/')).headers.location).toBe('/sign-in');
    });
  });

  describe('idle timeout', () => {
    it('ends an idle session on its next request and says why on the timeout page', async () => {
      const user = await psychologist();
      const b = new UiClient(t);
      await b.signInAs(user);
      const sessionId = b.sessionId()!;
      await t.db.query(
        `UPDATE user_session SET last_seen_at = now() - interval '6 minutes' WHERE id = $1`,
        [sessionId],
      );
      const res = await b.get('/prisoners');
      expect(res.statusCode).toBe(303);
      expect(res.headers.location).toBe('/session-timeout');
      expect(b.cookies.has('vep_session')).toBe(false);
      expect((await session(sessionId)).revoked_reason).toBe('idle');
      const [event] = await t.db.query(
        `SELECT action, actor_id, details FROM audit_event WHERE entity_id = $1 AND action = 'auth.logout'`,
        [sessionId],
      );
      expect(event).toEqual({
        action: 'auth.logout',
        actor_id: user.id,
        details: { reason: 'idle' },
      });
      const page = await b.get('/session-timeout');
      expect(page.statusCode).toBe(200);
      expect(textOf(page.body)).toContain(
        'You were signed out because you did nothing in the service for 5 minutes.',
      );
      expect(textOf(page.body)).toContain('Anything you had not saved has not been kept.');
    });

    it('counts activity, written at most once a minute, and warns with the time left', async () => {
      const user = await psychologist();
      const b = new UiClient(t);
      await b.signInAs(user);
      const sessionId = b.sessionId()!;
      await t.db.query(
        `UPDATE user_session SET last_seen_at = now() - interval '30 seconds' WHERE id = $1`,
        [sessionId],
      );
      const before = (await session(sessionId)).last_seen_at;
      const res = await b.get('/');
      expect((await session(sessionId)).last_seen_at).toEqual(before);
      const remaining = Number(/data-remaining-seconds="(\d+)"/.exec(res.body)![1]);
      expect(remaining).toBeGreaterThanOrEqual(268);
      expect(remaining).toBeLessThanOrEqual(270);
      expect(res.body).toContain('data-timeout-seconds="300"');

      await t.db.query(
        `UPDATE user_session SET last_seen_at = now() - interval '4 minutes' WHERE id = $1`,
        [sessionId],
      );
      const touched = await b.get('/');
      expect(Date.now() - (await session(sessionId)).last_seen_at.getTime()).toBeLessThan(5000);
      expect(touched.body).toContain('data-remaining-seconds="300"');
    });

    it('"stay signed in" counts as activity, with the CSRF token in a header', async () => {
      const user = await psychologist();
      const b = new UiClient(t);
      await b.signInAs(user);
      const sessionId = b.sessionId()!;
      const page = await b.get('/');
      const token = /data-csrf-token="([^"]+)"/.exec(page.body)![1];
      await t.db.query(
        `UPDATE user_session SET last_seen_at = now() - interval '50 seconds' WHERE id = $1`,
        [sessionId],
      );
      const refused = await b.post('/session/keep-alive', {}, { csrf: false });
      expect(refused.statusCode).toBe(403);
      const res = await b.post(
        '/session/keep-alive',
        {},
        {
          csrf: false,
          headers: { 'x-csrf-token': token, accept: 'application/json' },
        },
      );
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ remainingSeconds: 300 });
      expect(Date.now() - (await session(sessionId)).last_seen_at.getTime()).toBeLessThan(5000);
    });
  });

  describe('CSRF', () => {
    it('refuses a form without its token, or with another browser’s, as a 403 page', async () => {
      const user = await psychologist();
      const b = new UiClient(t);
      await b.signInAs(user);
      await b.get('/');
      const sessionId = b.sessionId()!;
      for (const csrf of [false, 'not-a-token'] as const) {
        const res = await b.post('/sign-out', {}, { csrf });
        expect(res.statusCode).toBe(403);
        expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
        expect(textOf(res.body)).toContain('Your form could not be sent');
        expect(textOf(res.body)).toContain('Signed in as');
      }
      const other = new UiClient(t);
      await other.get('/sign-in');
      const stolen = /name="_csrf" value="([^"]+)"/.exec(other.lastHtml)![1];
      expect((await b.post('/sign-out', {}, { csrf: stolen })).statusCode).toBe(403);
      expect((await session(sessionId)).revoked_at).toBeNull();
    });

    it('protects the sign-in form too', async () => {
      const user = await psychologist();
      const b = new UiClient(t);
      const res = await b.post(
        '/sign-in',
        { username: user.username, password: 'correct horse battery staple' },
        { csrf: false },
      );
      expect(res.statusCode).toBe(403);
      expect(b.cookies.has('vep_session')).toBe(false);
    });
  });

  describe('language', () => {
    it('follows the browser before signing in, and a switch is remembered', async () => {
      const b = new UiClient(t, { headers: { 'accept-language': 'ru-RU,ru;q=0.9' } });
      const page = await b.get('/sign-in');
      expect(page.body).toContain('<html lang="ru"');
      expect(textOf(page.body)).toContain('Войти');
      const res = await b.post('/language', { locale: 'en', returnTo: '/sign-in' });
      expect(res.statusCode).toBe(303);
      expect(res.headers.location).toBe('/sign-in');
      expect((await b.get('/sign-in')).body).toContain('<html lang="en"');
    });

    it('is kept on the user for every later session, and shows dates as DD.MM.YYYY', async () => {
      const user = await psychologist();
      const prisoner = await f.prisoner(facility, { dateOfBirth: '1990-03-07' });
      const b = new UiClient(t);
      await b.signInAs(user);
      await b.get(`/prisoners/${prisoner.id}`);
      expect(b.lastHtml).toContain('7 March 1990');
      const res = await b.post('/language', {
        locale: 'ru',
        returnTo: `/prisoners/${prisoner.id}`,
      });
      expect(res.headers.location).toBe(`/prisoners/${prisoner.id}`);
      const page = await b.get(`/prisoners/${prisoner.id}`);
      expect(page.body).toContain('<html lang="ru"');
      expect(textOf(page.body)).toContain('Дата рождения 07.03.1990');
      const [{ locale }] = await t.db.query(`SELECT locale FROM app_user WHERE id = $1`, [user.id]);
      expect(locale).toBe('ru');

      const elsewhere = new UiClient(t, { headers: { 'accept-language': 'en' } });
      await elsewhere.signIn(user.username);
      expect((await elsewhere.get('/')).body).toContain('<html lang="ru"');
    });

    it('ignores a language it does not have', async () => {
      const b = new UiClient(t);
      await b.get('/sign-in');
      const res = await b.post('/language', { locale: 'xx', returnTo: '/sign-in' });
      expect(res.statusCode).toBe(303);
      expect((await b.get('/sign-in')).body).toContain('<html lang="en"');
    });
  });

  it('sends the sign-in page when a page is opened without a session', async () => {
    const b = new UiClient(t);
    const res = await b.get('/prisoners?q=ab');
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/sign-in?returnTo=%2Fprisoners%3Fq%3Dab');
    expect((await b.get('/')).headers.location).toBe('/sign-in');
  });
});
