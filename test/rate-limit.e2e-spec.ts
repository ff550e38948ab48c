import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { RateLimiter } from '../src/http/rate-limit.js';
import { Factories, TEST_PASSWORD, type TestUser } from './factories/index.js';
import { createTestApp, type TestApp } from './support/test-app.js';

const WINDOW_MS = 60_000;

describe('rate limits per user and per address', () => {
  let t: TestApp;
  let f: Factories;
  let alice: TestUser;
  let bob: TestUser;
  let now = Math.floor(Date.now() / WINDOW_MS) * WINDOW_MS;

  beforeAll(async () => {
    t = await createTestApp({
      env: { RATE_LIMIT_PER_IP: '10', RATE_LIMIT_PER_USER: '4', RATE_LIMIT_WINDOW: '1m' },
    });
    f = new Factories(t);
    const facility = await f.facility();
    alice = await f.user(['psychologist'], [facility]);
    bob = await f.user(['psychologist'], [facility]);
    t.app.get(RateLimiter).now = () => now;
  });
  afterAll(() => t.close());
  // Every test starts one second into a fresh window.
  beforeEach(() => {
    now = (Math.floor(now / WINDOW_MS) + 1) * WINDOW_MS + 1000;
  });

  const me = (user?: TestUser) => {
    const request = t.http.get('/api/v1/auth/me');
    return user ? request.set('authorization', user.auth) : request;
  };
  const limits = (res: { headers: Record<string, string> }) => [
    res.headers['ratelimit-limit'],
    res.headers['ratelimit-remaining'],
    res.headers['ratelimit-reset'],
  ];

  it('counts each user’s requests and answers 429 with Retry-After past the limit', async () => {
    for (const remaining of ['3', '2', '1', '0']) {
      expect(limits(await me(alice).expect(200))).toEqual(['4', remaining, '59']);
    }
    const refused = await me(alice).expect(429);
    expect(refused.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(refused.headers['retry-after']).toBe('59');
    expect(refused.body).toMatchObject({ status: 429, code: 'rate_limited', retryAfter: 59 });
    expect(limits(refused)).toEqual(['4', '0', '59']);
    // Another user from the same address has their own count.
    expect(limits(await me(bob).expect(200))).toEqual(['4', '3', '59']);
  });

  it('counts each address over every endpoint, signed in or not, login included', async () => {
    for (const remaining of ['9', '8', '7', '6', '5', '4', '3', '2', '1', '0']) {
      const res = await me().expect(401);
      expect(limits(res)).toEqual(['10', remaining, '59']);
    }
    const login = await t.http
      .post('/api/v1/auth/login')
      .send({ username: alice.username, password: TEST_PASSWORD })
      .expect(429);
    expect(login.body.code).toBe('rate_limited');
    expect(login.headers['retry-after']).toBe('59');
    await me(bob).expect(429);
    await t.http.get('/api/v1/no-such-route').expect(429);
  });

  it('reports whichever limit is nearer, and starts again with the next window', async () => {
    for (let i = 0; i < 5; i++) await me().expect(401);
    // Address: 4 left after this request; the user: 3 left. The user's is nearer.
    expect(limits(await me(alice).expect(200))).toEqual(['4', '3', '59']);
    now += 30_000;
    expect(limits(await me(alice).expect(200))).toEqual(['4', '2', '29']);
    now += 30_000;
    expect(limits(await me(alice).expect(200))).toEqual(['4', '3', '59']);
  });

  it('leaves the health checks alone', async () => {
    for (let i = 0; i < 12; i++) {
      const res = await t.http.get('/health/live').expect(200);
      expect(res.headers['ratelimit-limit']).toBeUndefined();
    }
    expect(limits(await me().expect(401))).toEqual(['10', '9', '59']);
  });
});
