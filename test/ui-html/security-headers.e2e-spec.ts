import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Factories } from '../factories/index.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { UiClient } from './support/ui-client.js';

const directives = (csp: string) =>
  Object.fromEntries(
    csp.split(';').map((d) => {
      const [name, ...values] = d.trim().split(/\s+/);
      return [name, values];
    }),
  ) as Record<string, string[]>;

/** CSP with nonces on every page, TLS-only headers, caching, and what answers where. */
describe('web security headers', () => {
  let t: TestApp;
  let proxied: TestApp;

  beforeAll(async () => {
    [t, proxied] = await Promise.all([
      createTestApp(),
      createTestApp({ env: { TRUST_PROXY: 'true' } }),
    ]);
  });
  afterAll(() => Promise.all([t.close(), proxied.close()]));

  it('gives every page a strict CSP whose nonce is on the page’s scripts, and no unsafe-inline', async () => {
    const f = new Factories(t);
    const facility = await f.facility();
    const user = await f.user(['psychologist'], [facility]);
    const prisoner = await f.prisoner(facility);
    const b = new UiClient(t);
    const anonymous = new UiClient(t);
    await b.signInAs(user);
    const pages = [
      [anonymous, '/sign-in'],
      [anonymous, '/signed-out'],
      [anonymous, '/session-timeout'],
      [anonymous, '/no-such-page'],
      [b, '/'],
      [b, '/prisoners'],
      [b, `/prisoners/${prisoner.id}`],
      [b, `/prisoners/${prisoner.id}/risk`],
      [b, '/no-such-page'],
    ] as const;
    const nonces = new Set<string>();
    for (const [client, url] of pages) {
      const res = await client.get(url);
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      const csp = String(res.headers['content-security-policy']);
      expect(csp).not.toContain('unsafe-inline');
      expect(csp).not.toContain('upgrade-insecure-requests');
      const d = directives(csp);
      const nonce = /'nonce-([0-9a-f]{32})'/.exec(d['script-src'].join(' '))![1];
      expect(d['script-src']).toEqual(["'self'", `'nonce-${nonce}'`]);
      expect(d['style-src'][0]).toBe("'self'");
      expect(d['default-src']).toEqual(["'self'"]);
      expect(d['form-action']).toEqual(["'self'"]);
      expect(d['frame-ancestors']).toEqual(["'none'"]);
      const scripts = [...res.body.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
      expect(scripts.length).toBe(2);
      for (const tag of scripts) expect(tag).toContain(`nonce="${nonce}"`);
      expect(res.body).not.toMatch(/\sstyle="/);
      expect(res.headers['strict-transport-security']).toBeUndefined();
      expect(res.headers['cache-control']).toBe('no-store');
      nonces.add(nonce);
    }
    expect(nonces.size).toBe(pages.length);
  });

  it('lets the OpenAPI page alone run inline code, and serves it over plain HTTP', async () => {
    const res = await t.http.get('/docs').redirects(1).expect(200);
    const d = directives(String(res.headers['content-security-policy']));
    expect(d['script-src']).toEqual(["'self'", "'unsafe-inline'"]);
    expect(d['style-src']).toEqual(["'self'", "'unsafe-inline'"]);
    expect(d['upgrade-insecure-requests']).toBeUndefined();
    expect(res.headers['strict-transport-security']).toBeUndefined();
  });

  it('adds HSTS and upgrade-insecure-requests behind TLS, and marks cookies Secure', async () => {
    const b = new UiClient(proxied, { headers: { 'x-forwarded-proto': 'https' } });
    const res = await b.get('/sign-in');
    expect(res.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
    expect(String(res.headers['content-security-policy'])).toMatch(/;upgrade-insecure-requests$/);
    expect(String(res.headers['set-cookie'])).toMatch(/_csrf=[^;]+;.*; Secure/);
    const user = await new Factories(proxied).user(['psychologist']);
    const signedIn = await b.post('/sign-in', {
      username: user.username,
      password: 'correct horse battery staple',
    });
    const cookie = ([] as string[])
      .concat(signedIn.headers['set-cookie'] ?? [])
      .find((c) => c.startsWith('vep_session='))!;
    expect(cookie).toMatch(/; Secure/);
    expect(cookie).toMatch(/; SameSite=Strict/);
    const docs = await proxied.app.inject({
      method: 'GET',
      url: '/docs',
      headers: { 'x-forwarded-proto': 'https' },
    });
    expect(String(docs.headers['content-security-policy'])).toContain('upgrade-insecure-requests');
  });

  it('ignores X-Forwarded-Proto unless TRUST_PROXY says the proxy may be believed', async () => {
    const res = await new UiClient(t, { headers: { 'x-forwarded-proto': 'https' } }).get(
      '/sign-in',
    );
    expect(res.headers['strict-transport-security']).toBeUndefined();
    expect(String(res.headers['content-security-policy'])).not.toContain(
      'upgrade-insecure-requests',
    );
    expect(String(res.headers['set-cookie'])).not.toMatch(/Secure/);
  });

  it('serves each package’s assets from its own prefix, cacheable, and no GDS font', async () => {
    const assets = [
      ['/assets/app/app.css', 'text/css'],
      ['/assets/app/js/init.mjs', 'javascript'],
      ['/assets/app/js/session-timeout.mjs', 'javascript'],
      ['/assets/app/images/favicon.svg', 'image/svg+xml'],
      ['/assets/govuk/govuk-frontend.min.js', 'javascript'],
      ['/assets/moj/moj-frontend.min.js', 'javascript'],
    ];
    for (const [url, type] of assets) {
      const res = await t.app.inject({ method: 'GET', url });
      expect({ url, status: res.statusCode }).toEqual({ url, status: 200 });
      expect(String(res.headers['content-type'])).toContain(type);
      expect(res.headers['cache-control']).toMatch(/max-age=86400/);
    }
    const css = await t.app.inject({ method: 'GET', url: '/assets/app/app.css' });
    expect(css.body).not.toContain('GDS Transport');
    expect(css.body).toContain('system-ui');
    for (const url of [
      '/assets/govuk/assets/fonts/light-94a07e06a1-v2.woff2',
      '/assets/govuk/template.njk',
      '/assets/govuk/index.scss',
    ]) {
      expect((await t.app.inject({ method: 'GET', url })).statusCode).toBe(404);
    }
  });

  it('gives API answers the same policy without generating nonces', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/prisoners' });
    expect(res.statusCode).toBe(401);
    const csp = String(res.headers['content-security-policy']);
    expect(directives(csp)['script-src']).toEqual(["'self'"]);
    expect(csp).not.toContain('nonce-');
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('answers the API with problem documents and unknown pages with a page', async () => {
    const api = await t.app.inject({ method: 'GET', url: '/api/v1/no-such-thing' });
    expect(api.statusCode).toBe(404);
    expect(api.headers['content-type']).toContain('application/problem+json');
    const page = await t.app.inject({ method: 'GET', url: '/no-such-thing' });
    expect(page.statusCode).toBe(404);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.body).toContain('Page not found');
  });

  it('keeps every API operation under /api/v1 and no page in the OpenAPI document', async () => {
    const res = await t.http.get('/docs-json').expect(200);
    const paths = Object.keys(res.body.paths as Record<string, unknown>);
    expect(paths.length).toBeGreaterThan(30);
    expect(paths.filter((p) => !/^\/(api\/v1|health)\//.test(p))).toEqual([]);
    expect(paths).toContain('/api/v1/prisoners/{id}');
    expect(paths).toContain('/health/ready');
  });
});
