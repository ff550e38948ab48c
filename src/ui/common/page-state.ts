import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Actor } from '../../auth/actor.js';
import type { RequestContext } from '../../auth/request-context.js';
import {
  isLocale,
  negotiateLocale,
  translator,
  type Locale,
  type Translate,
} from '../i18n/catalogue.js';

export const LOCALE_COOKIE = 'vep_locale';

/** An emergency-access grant the signed-in user holds, for the banner on that prisoner's pages. */
export interface ActiveGrant {
  id: string;
  prisonerId: string;
  expiresAt: string;
}

/**
 * What every page needs besides its own view model: language, CSP nonce, CSRF token, and once
 * the session is known the signed-in user. Built for each page request before the handler.
 */
export interface PageState {
  locale: Locale;
  t: Translate;
  nonce: string;
  csrfToken: string;
  /** Path and query of this request: where the language switch and sign-in return to. */
  path: string;
  actor?: Actor;
  context?: RequestContext;
  /** Seconds of inactivity after which the session ends, and how many of them are left. */
  idle?: { timeoutSeconds: number; remainingSeconds: number };
  grants: ActiveGrant[];
}

declare module 'fastify' {
  interface FastifyRequest {
    uiPage?: PageState;
  }
}

/** The language before the session is known: the language cookie, the browser's, the default. */
export function requestLocale(request: FastifyRequest, fallback: Locale): Locale {
  const cookie = request.cookies?.[LOCALE_COOKIE];
  if (isLocale(cookie)) return cookie;
  const header = request.headers['accept-language'];
  return negotiateLocale(typeof header === 'string' ? header : undefined) ?? fallback;
}

/** This request's page state, made on first use (error pages may need it before any handler). */
export function pageState(
  request: FastifyRequest,
  reply: FastifyReply,
  fallbackLocale: Locale,
): PageState {
  if (!request.uiPage) {
    const locale = requestLocale(request, fallbackLocale);
    request.uiPage = {
      locale,
      t: translator(locale),
      nonce: reply.cspNonce?.script ?? '',
      csrfToken: reply.generateCsrf(),
      path: returnPath(request),
      grants: [],
    };
  }
  return request.uiPage;
}

/**
 * Where the language switch returns to: this page, or for a page answering a form post the page
 * the form was on (a POST address may have no page of its own).
 */
function returnPath(request: FastifyRequest): string {
  if (request.method === 'GET') return request.url;
  const referer = request.headers.referer;
  if (typeof referer !== 'string') return '/';
  try {
    const url = new URL(referer);
    return url.host === request.headers.host ? `${url.pathname}${url.search}` : '/';
  } catch {
    return '/';
  }
}

/** Switches a page to the signed-in user's stored language. */
export function useLocale(state: PageState, locale: Locale): void {
  state.locale = locale;
  state.t = translator(locale);
}
