import { Catch, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { defineAbilityFor } from '../../access/ability.factory.js';
import { originOf } from '../../auth/decorators.js';
import type { Locale, MessageKey } from '../i18n/catalogue.js';
import {
  loggableError,
  noteDatabaseFailure,
  problemFromError,
  ProblemFilter,
} from '../../errors/problem.filter.js';
import { pageState, useLocale, type PageState } from '../common/page-state.js';
import { redirect, render } from '../common/render.js';
import { SessionTimedOut, SignInRequired } from '../session/session-exceptions.js';
import type { UiSessionService } from '../session/ui-session.service.js';
import { isPagePath } from '../ui-root.js';

/** The error pages: each kind's heading and explanation. */
const ERROR_TEXT = {
  badRequest: ['errors.badRequest.title', 'errors.badRequest.body'],
  forbidden: ['errors.forbidden.title', 'errors.forbidden.body'],
  csrf: ['errors.csrf.title', 'errors.csrf.body'],
  notFound: ['errors.notFound.title', 'errors.notFound.body'],
  conflict: ['errors.conflict.title', 'errors.conflict.body'],
  tooManyRequests: ['errors.tooManyRequests.title', 'errors.tooManyRequests.body'],
  serverError: ['errors.serverError.title', 'errors.serverError.body'],
} as const satisfies Record<string, readonly [MessageKey, MessageKey]>;
export type ErrorKind = keyof typeof ERROR_TEXT;

const KIND_BY_STATUS: Record<number, ErrorKind> = {
  400: 'badRequest',
  403: 'forbidden',
  404: 'notFound',
  405: 'notFound',
  409: 'conflict',
  429: 'tooManyRequests',
};

/**
 * Errors on page paths become pages in the service's layout (403, 404, 409, 500, ...); a missing
 * or ended session goes to sign-in, an idle one to the timeout page. Anything else (the API,
 * health, docs) keeps its RFC 9457 problem document.
 */
@Catch()
export class UiExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('UiExceptionFilter');
  private readonly problems = new ProblemFilter();

  constructor(
    private readonly sessions: UiSessionService,
    private readonly defaultLocale: Locale,
  ) {}

  async catch(error: unknown, host: ArgumentsHost): Promise<void> {
    const request = host.switchToHttp().getRequest<FastifyRequest>();
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    if (!isPagePath(request.url)) return this.problems.catch(error, host);
    if (reply.sent) return;
    try {
      await this.respond(error, request, reply);
    } catch (failure) {
      this.logger.error(
        { requestId: request.id, err: loggableError(failure) },
        'error page failed',
      );
      if (!reply.sent) await reply.code(500).type('text/plain; charset=utf-8').send('Error');
    }
  }

  private async respond(error: unknown, request: FastifyRequest, reply: FastifyReply) {
    const state = pageState(request, reply, this.defaultLocale);
    if (error instanceof SessionTimedOut) return redirect(reply, '/session-timeout');
    const body = problemFromError(error, request.id);
    if (error instanceof SignInRequired || body.status === 401) {
      const ended = error instanceof SignInRequired && error.ended;
      return redirect(reply, signInUrl(request, ended));
    }
    if (body.status >= 500 && !noteDatabaseFailure(request, error)) {
      this.logger.error({ requestId: request.id, err: loggableError(error) }, 'page failed');
    }
    if (!state.actor) await this.knownUser(request, state);
    // Fastify's errors reach the filter as an HttpException whose cause is the original.
    const original = (error as { cause?: unknown }).cause ?? error;
    const csrf = /^FST_CSRF/.test(String((original as { code?: unknown }).code ?? ''));
    const kind: ErrorKind = csrf
      ? 'csrf'
      : (KIND_BY_STATUS[body.status] ?? (body.status >= 500 ? 'serverError' : 'badRequest'));
    if ((body.status === 429 || body.status === 503) && typeof body.retryAfter === 'number') {
      reply.header('retry-after', String(body.retryAfter));
    }
    const [title, text] = ERROR_TEXT[kind];
    return render(
      reply,
      'pages/error.njk',
      {
        error: {
          title: state.t(title),
          body: state.t(text),
          status: body.status,
          requestId: request.id,
        },
      },
      body.status,
    );
  }

  /**
   * An error before any page handler ran (an unknown address, a refused CSRF token) still shows
   * the signed-in user's header and language; the session is looked at, not extended.
   */
  private async knownUser(request: FastifyRequest, state: PageState): Promise<void> {
    const session = await this.sessions.lookup(request, { touch: false });
    if (session.state !== 'live') return;
    state.actor = session.actor;
    state.context = {
      ...originOf(request),
      actor: session.actor,
      ability: defineAbilityFor(session.actor),
    };
    if (session.locale) useLocale(state, session.locale);
  }
}

function signInUrl(request: FastifyRequest, ended: boolean): string {
  const params = new URLSearchParams();
  if (request.method === 'GET' && request.url !== '/') params.set('returnTo', request.url);
  if (ended) params.set('ended', '1');
  const query = params.toString();
  return query ? `/sign-in?${query}` : '/sign-in';
}
