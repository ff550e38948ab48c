import { Body, Get, Post, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AuthService } from '../../auth/auth.service.js';
import { Authenticated, Ctx, originOf } from '../../auth/decorators.js';
import { LoginDto } from '../../auth/dto/login.dto.js';
import type { RequestContext } from '../../auth/request-context.js';
import { ProblemException } from '../../errors/problem.exception.js';
import { AnonymousPage, PageController } from '../common/page-controller.js';
import { LOCALE_COOKIE, useLocale } from '../common/page-state.js';
import { formErrors, validateForm, type FieldMessages } from '../common/forms.js';
import { localPath, redirect, render } from '../common/render.js';
import { isLocale } from '../i18n/catalogue.js';
import { formatDuration } from '../i18n/format.js';
import { AppConfig } from '../../config/app-config.js';
import { UiSessionService } from './ui-session.service.js';

const SIGN_IN_FIELDS: FieldMessages = {
  username: { id: 'username', message: 'signIn.errors.username' },
  password: { id: 'password', message: 'signIn.errors.password' },
};

type SignInBody = { username?: unknown; password?: unknown; returnTo?: unknown };

/** Signing in and out, the timeout page, "stay signed in" and the language switch. */
@PageController()
export class SessionPagesController {
  constructor(
    private readonly auth: AuthService,
    private readonly sessions: UiSessionService,
    private readonly config: AppConfig,
  ) {}

  @Get('sign-in')
  @AnonymousPage()
  async signInPage(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Query('returnTo') returnTo?: string,
    @Query('ended') ended?: string,
  ): Promise<void> {
    if (request.uiPage?.actor) return redirect(reply, localPath(returnTo) ?? '/');
    return render(reply, 'pages/sign-in.njk', {
      returnTo: localPath(returnTo),
      ended: ended === '1',
      values: {},
    });
  }

  @Post('sign-in')
  @AnonymousPage()
  async signIn(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Body() body: SignInBody,
  ): Promise<void> {
    const state = request.uiPage!;
    const returnTo = localPath(body?.returnTo);
    const username = typeof body?.username === 'string' ? body.username : '';
    const again = (status: number, model: object) =>
      render(reply, 'pages/sign-in.njk', { returnTo, values: { username }, ...model }, status);

    const { value, errors } = await validateForm(LoginDto, body);
    if (errors.length > 0) {
      return again(422, { errors: formErrors(state.t, errors, SIGN_IN_FIELDS) });
    }
    let ids: { userId: string; sessionId: string };
    try {
      ids = await this.auth.signIn(value, originOf(request));
    } catch (error) {
      if (!(error instanceof ProblemException)) throw error;
      if (error.getStatus() === 429) {
        const seconds = Number(error.body.retryAfter ?? 60);
        reply.header('retry-after', String(seconds));
        const message =
          seconds < 120
            ? state.t('signIn.errors.lockedSeconds', { count: seconds })
            : state.t('signIn.errors.locked', { count: Math.ceil(seconds / 60) });
        return again(429, {
          errors: { summary: [{ text: message, href: '#username' }], fields: {} },
        });
      }
      if (error.getStatus() === 401) {
        const { LOGIN_MAX_FAILURES, LOGIN_MAX_DELAY } = this.config.env;
        const message = state.t('signIn.errors.invalid', {
          count: LOGIN_MAX_FAILURES,
          duration: formatDuration(LOGIN_MAX_DELAY, state.t),
        });
        return again(401, {
          errors: {
            summary: [{ text: message, href: '#username' }],
            fields: { username: { text: message } },
          },
        });
      }
      throw error;
    }
    // Whoever was signed in on this browser before is signed out first (a shared office PC).
    if (state.context) await this.auth.logout(state.context);
    this.sessions.start(reply, ids);
    const stored = await this.sessions.storedLocale(ids.userId);
    const chosen = request.cookies?.[LOCALE_COOKIE];
    if (!stored && isLocale(chosen)) await this.sessions.setLocale(ids.userId, chosen);
    if (stored) this.sessions.rememberLocale(reply, stored);
    return redirect(reply, returnTo ?? '/');
  }

  @Post('sign-out')
  @Authenticated()
  async signOut(@Ctx() ctx: RequestContext, @Res() reply: FastifyReply): Promise<void> {
    await this.auth.logout(ctx);
    this.sessions.clear(reply);
    return redirect(reply, '/signed-out');
  }

  @Get('signed-out')
  @AnonymousPage()
  async signedOut(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    if (request.uiPage?.actor) return redirect(reply, '/');
    return render(reply, 'pages/signed-out.njk');
  }

  @Get('session-timeout')
  @AnonymousPage()
  async timedOut(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    // Still signed in: the user was active in another tab meanwhile, so nothing timed out.
    if (request.uiPage?.actor) return redirect(reply, '/');
    return render(reply, 'pages/session-timeout.njk', {
      idleFor: formatDuration(this.sessions.idleTimeoutSeconds, request.uiPage!.t),
    });
  }

  /** "Stay signed in" in the timeout warning (a script request with the X-CSRF-Token header). */
  @Post('session/keep-alive')
  @Authenticated()
  async keepAlive(@Ctx() ctx: RequestContext, @Res() reply: FastifyReply): Promise<void> {
    await this.sessions.touch(ctx.actor.sessionId);
    await reply
      .code(200)
      .type('application/json')
      .send({ remainingSeconds: this.sessions.idleTimeoutSeconds });
  }

  /** The language switch on every page: a small form, so it works without JavaScript. */
  @Post('language')
  @AnonymousPage()
  async language(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Body() body: { locale?: unknown; returnTo?: unknown },
  ): Promise<void> {
    const state = request.uiPage!;
    const back = localPath(body?.returnTo) ?? '/';
    if (!isLocale(body?.locale)) return redirect(reply, back);
    this.sessions.rememberLocale(reply, body.locale);
    if (state.actor) await this.sessions.setLocale(state.actor.id, body.locale);
    useLocale(state, body.locale);
    return redirect(reply, back);
  }
}
