import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Logger, type ArgumentsHost } from '@nestjs/common';
import { conflict, forbidden, notFound } from '../../errors/problem.exception.js';
import { translator } from '../i18n/catalogue.js';
import { SessionTimedOut, SignInRequired } from '../session/session-exceptions.js';
import type { UiSessionService } from '../session/ui-session.service.js';
import { UiExceptionFilter } from './ui-exception.filter.js';

/** A request and reply that record what the filter sends. */
function exchange(url: string, method = 'GET') {
  const sent: { status?: number; template?: string; model?: Record<string, unknown> } = {};
  const headers: Record<string, string> = {};
  const reply = {
    sent: false,
    code(status: number) {
      sent.status = status;
      return this;
    },
    status(status: number) {
      sent.status = status;
      return this;
    },
    type() {
      return this;
    },
    header(name: string, value: string) {
      headers[name] = value;
      return this;
    },
    headers(values: Record<string, string>) {
      Object.assign(headers, values);
      return this;
    },
    async viewAsync(template: string, model: Record<string, unknown>) {
      sent.template = template;
      sent.model = model;
      return '<html>';
    },
    async send(body: unknown) {
      sent.model ??= body as Record<string, unknown>;
      return this;
    },
    async redirect(location: string, status: number) {
      sent.status = status;
      headers.location = location;
      return this;
    },
  };
  const request = {
    url,
    method,
    id: 'req-1',
    uiPage: {
      locale: 'en',
      t: translator('en'),
      nonce: 'n',
      csrfToken: 'c',
      path: url,
      grants: [],
    },
  };
  Object.assign(reply, { request });
  const host = {
    switchToHttp: () => ({ getRequest: () => request, getResponse: () => reply }),
  } as unknown as ArgumentsHost;
  return { host, sent, headers };
}

const sessions = { lookup: async () => ({ state: 'none' }) } as unknown as UiSessionService;
const filter = new UiExceptionFilter(sessions, 'en');

describe('UiExceptionFilter', () => {
  // The 500 case logs the error, as it should; the test output need not show it.
  beforeAll(() => Logger.overrideLogger(false));
  afterAll(() => Logger.overrideLogger(['log', 'error', 'warn']));

  it.each([
    [404, notFound('Prisoner'), 'Page not found'],
    [403, forbidden(), 'You cannot open this page'],
    [409, conflict('version_conflict', 'changed'), 'This record has changed'],
    [500, new Error('boom'), 'Sorry, there is a problem with the service'],
  ])('renders a %i on a page path as a page in the layout', async (status, error, title) => {
    const { host, sent } = exchange('/prisoners/x');
    await filter.catch(error, host);
    expect(sent.status).toBe(status);
    expect(sent.template).toBe('pages/error.njk');
    expect((sent.model!.error as { title: string }).title).toBe(title);
    expect((sent.model!.error as { requestId: string }).requestId).toBe('req-1');
  });

  it('sends a missing session to sign-in, keeping where the user was going', async () => {
    const { host, sent, headers } = exchange('/prisoners?q=a');
    await filter.catch(new SignInRequired(), host);
    expect(sent.status).toBe(303);
    expect(headers.location).toBe('/sign-in?returnTo=%2Fprisoners%3Fq%3Da');
    const ended = exchange('/prisoners/1/risk', 'POST');
    await filter.catch(new SignInRequired(true), ended.host);
    expect(ended.headers.location).toBe('/sign-in?ended=1');
  });

  it('sends an idle session to the timeout page', async () => {
    const { host, headers } = exchange('/');
    await filter.catch(new SessionTimedOut(), host);
    expect(headers.location).toBe('/session-timeout');
  });

  it('leaves the API its problem documents', async () => {
    const { host, sent, headers } = exchange('/api/v1/prisoners/x');
    await filter.catch(notFound('Prisoner'), host);
    expect(sent.template).toBeUndefined();
    expect(sent.status).toBe(404);
    expect(headers['content-type']).toBe('application/problem+json');
  });
});
