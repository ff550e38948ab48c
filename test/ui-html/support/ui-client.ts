import type { FastifyInstance } from 'fastify';
import type { Response } from 'light-my-request';
import { TEST_PASSWORD, type TestUser } from '../../factories/index.js';
import type { TestApp } from '../../support/test-app.js';

/**
 * A browser without a browser, for HTML tests through `app.inject`: it keeps cookies, reads the
 * CSRF token from the last page, and posts forms as a browser would.
 */
export class UiClient {
  readonly cookies = new Map<string, string>();
  lastHtml = '';

  constructor(
    private readonly t: TestApp,
    private readonly options: { headers?: Record<string, string> } = {},
  ) {}

  private get fastify(): FastifyInstance {
    return this.t.app.getHttpAdapter().getInstance();
  }

  private cookieHeader(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  private keep(response: Response): Response {
    for (const cookie of response.cookies as {
      name: string;
      value: string;
      maxAge?: number;
      expires?: Date;
    }[]) {
      const expired =
        cookie.maxAge === 0 ||
        (cookie.expires !== undefined && cookie.expires.getTime() < Date.now());
      if (expired || cookie.value === '') this.cookies.delete(cookie.name);
      else this.cookies.set(cookie.name, cookie.value);
    }
    if (String(response.headers['content-type'] ?? '').startsWith('text/html')) {
      this.lastHtml = response.body;
    }
    return response;
  }

  async get(url: string, headers: Record<string, string> = {}): Promise<Response> {
    return this.keep(
      await this.t.app.inject({
        method: 'GET',
        url,
        headers: { ...this.options.headers, cookie: this.cookieHeader(), ...headers },
      }),
    );
  }

  /**
   * Posts a form. The CSRF token is the one on the last page fetched, unless `csrf` gives one
   * (or `false` leaves it out).
   */
  async post(
    url: string,
    form: Record<string, string | string[]> = {},
    options: { csrf?: string | false; headers?: Record<string, string> } = {},
  ): Promise<Response> {
    const token = options.csrf === undefined ? csrfToken(this.lastHtml) : options.csrf;
    // A field given as a list is sent once per value, as checkboxes are.
    const pairs = Object.entries({ ...(token ? { _csrf: token } : {}), ...form }).flatMap(
      ([name, value]) =>
        (Array.isArray(value) ? value : [value]).map((v): [string, string] => [name, v]),
    );
    const body = new URLSearchParams(pairs).toString();
    return this.keep(
      await this.t.app.inject({
        method: 'POST',
        url,
        payload: body,
        headers: {
          ...this.options.headers,
          'content-type': 'application/x-www-form-urlencoded',
          cookie: this.cookieHeader(),
          ...options.headers,
        },
      }),
    );
  }

  /** Signs in through the sign-in page, as a user would. */
  async signIn(username: string, password = TEST_PASSWORD): Promise<Response> {
    await this.get('/sign-in');
    return this.post('/sign-in', { username, password });
  }

  /** A session for `user` without the password check (fast; the sign-in tests use the form). */
  async signInAs(user: TestUser): Promise<void> {
    const [{ id }] = await this.t.db.query(
      `INSERT INTO user_session (user_id, expires_at) VALUES ($1, now() + interval '1 hour') RETURNING id`,
      [user.id],
    );
    this.cookies.set(
      'vep_session',
      encodeURIComponent(this.fastify.signCookie(`${id}.${user.id}`)),
    );
  }

  /** The id of the session this browser holds. */
  sessionId(): string | undefined {
    const raw = this.cookies.get('vep_session');
    if (!raw) return undefined;
    const unsigned = this.fastify.unsignCookie(decodeURIComponent(raw));
    return unsigned.valid ? unsigned.value?.split('.')[0] : undefined;
  }
}

export function csrfToken(html: string): string | undefined {
  return /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
}

/** The text of an HTML fragment without tags, with whitespace collapsed. */
export function textOf(html: string): string {
  return html
    .replace(/<script[\s\S]*?<\/script>/g, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();
}
