import { Injectable, Logger, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply } from 'fastify';
import { defineAbilityFor } from '../../access/ability.factory.js';
import { AuditTrail } from '../../audit/audit-trail.service.js';
import {
  AUTHENTICATED_ROUTE,
  originOf,
  ROUTE_RULE,
  type ContextRequest,
  type RouteRule,
} from '../../auth/decorators.js';
import { AppConfig } from '../../config/app-config.js';
import { forbidden } from '../../errors/problem.exception.js';
import { RateLimiter } from '../../http/rate-limit.js';
import { pageState, useLocale } from '../common/page-state.js';
import { SessionTimedOut, SignInRequired } from './session-exceptions.js';
import { UiSessionService } from './ui-session.service.js';

/** Metadata of pages anyone may open (see AnonymousPage). */
export const ANONYMOUS_PAGE = 'vep:ui:anonymous';

/**
 * The pages' guard. The session comes from the cookie instead of a bearer token; from there the
 * request context (actor, abilities, origin) and the route rule (@Authorize) are checked exactly
 * as AuthGuard does for the API, so a page and its API endpoint answer alike.
 */
@Injectable()
export class UiGuard implements CanActivate {
  private readonly logger = new Logger(UiGuard.name);

  constructor(
    private readonly reflector: Reflector,
    private readonly sessions: UiSessionService,
    private readonly audit: AuditTrail,
    private readonly config: AppConfig,
    private readonly rateLimit: RateLimiter,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    const request = context.switchToHttp().getRequest<ContextRequest>();
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    const state = pageState(request, reply, this.config.env.UI_DEFAULT_LOCALE);

    const session = await this.sessions.lookup(request, { touch: true });
    if (session.state === 'live') {
      const { actor } = session;
      // The same per-user request limit as the API's.
      this.rateLimit.hitUser(actor.id, reply);
      request.context = { ...originOf(request), actor, ability: defineAbilityFor(actor) };
      state.actor = actor;
      state.context = request.context;
      state.idle = session.idle;
      state.grants = session.grants;
      if (session.locale) useLocale(state, session.locale);
    } else if (session.state !== 'none') {
      this.sessions.clear(reply);
    }

    if (this.reflector.getAllAndOverride<boolean>(ANONYMOUS_PAGE, targets)) return true;
    if (session.state === 'idle') throw new SessionTimedOut();
    if (session.state !== 'live') throw new SignInRequired(session.state === 'ended');
    const ctx = request.context!;

    const rule = this.reflector.getAllAndOverride<RouteRule>(ROUTE_RULE, targets);
    if (!rule) {
      if (this.reflector.getAllAndOverride<boolean>(AUTHENTICATED_ROUTE, targets)) return true;
      this.logger.error({ route: request.routeOptions.url }, 'page has no access rule; refused');
      throw forbidden();
    }
    if (ctx.ability.can(rule.action, rule.subject)) return true;
    await this.audit.appendStandalone(ctx, [
      {
        action: 'access.denied',
        outcome: 'denied',
        entityType: rule.subject,
        entityId: (request.params as Record<string, string> | undefined)?.id,
        details: {
          route: `${request.method} ${request.routeOptions.url}`,
          rule: `${rule.action} ${rule.subject}`,
        },
      },
    ]);
    throw forbidden();
  }
}
