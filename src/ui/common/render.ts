import type { FastifyReply } from 'fastify';
import { LANGUAGE_NAMES, LOCALES, rawMessage } from '../i18n/catalogue.js';
import { navigationFor } from './navigation.js';
import type { PageState } from './page-state.js';

/** What the layout needs on every page, from the request's page state. */
export function layoutModel(state: PageState) {
  return {
    t: state.t,
    locale: state.locale,
    page: {
      lang: state.locale,
      nonce: state.nonce,
      csrfToken: state.csrfToken,
      path: state.path,
      user: state.actor
        ? { displayName: state.actor.displayName, roles: state.actor.roles }
        : undefined,
      navigation: navigationFor(state),
      languages: LOCALES.map((code) => ({
        code,
        name: LANGUAGE_NAMES[code],
        current: code === state.locale,
      })),
      idle: state.idle && {
        ...state.idle,
        countdown: {
          minutes: rawMessage(state.locale, 'timeout.dialog.minutes'),
          seconds: rawMessage(state.locale, 'timeout.dialog.seconds'),
        },
      },
    },
  };
}

/** Renders a page in the layout and sends it with `status` (post/redirect/get otherwise). */
export async function render(
  reply: FastifyReply,
  template: string,
  model: object = {},
  status = 200,
): Promise<void> {
  const state = reply.request.uiPage;
  if (!state) throw new Error(`no page state for ${template}: is the route a page controller?`);
  const html = await reply.viewAsync(template, { ...layoutModel(state), ...model });
  await reply.code(status).type('text/html; charset=utf-8').send(html);
}

/** 303 See Other: after a form post, the browser fetches the next page with GET. */
export async function redirect(reply: FastifyReply, url: string): Promise<void> {
  await reply.redirect(url, 303);
}

/** A path on this site to return to, or undefined (never another origin). */
export function localPath(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length > 2000) return undefined;
  if (!value.startsWith('/') || value.startsWith('//') || value.includes('\\')) return undefined;
  return value;
}
