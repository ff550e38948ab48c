import { Injectable, Logger, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply } from 'fastify';
import { defineAbilityFor } from '../access/ability.factory.js';
import { AuditTrail } from '../audit/audit-trail.service.js';
import { forbidden, ProblemException } from '../errors/problem.exception.js';
import { RateLimiter } from '../http/rate-limit.js';
import { AuthService } from './auth.service.js';
import {
  AUTHENTICATED_ROUTE,
  originOf,
  PUBLIC_ROUTE,
  ROUTE_RULE,
  type ContextRequest,
  type RouteRule,
} from './decorators.js';

const unauthenticated = () =>
  new ProblemException(401, 'unauthenticated', 'Unauthenticated', 'Sign in to use this endpoint');

/**
 * Global guard, deny by default: a route is served only when it is @Public, or the caller has a
 * live session (counted against their request limit) and the route's @Authorize rule (or
 * @Authenticated) admits them.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  private readonly logger = new Logger(AuthGuard.name);

  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthService,
    private readonly audit: AuditTrail,
    private readonly rateLimit: RateLimiter,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) return true;

    const request = context.switchToHttp().getRequest<ContextRequest>();
    const header = request.headers.authorization;
    const token = header?.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
    const origin = originOf(request);
    const session = token ? await this.auth.authenticate(token, origin) : undefined;
    if (!session) throw unauthenticated();
    const { actor, tokenGeneration } = session;
    this.rateLimit.hitUser(actor.id, context.switchToHttp().getResponse<FastifyReply>());
    const ability = defineAbilityFor(actor);
    request.context = { ...origin, actor, ability, tokenGeneration };

    const rule = this.reflector.getAllAndOverride<RouteRule>(ROUTE_RULE, targets);
    if (!rule) {
      if (this.reflector.getAllAndOverride<boolean>(AUTHENTICATED_ROUTE, targets)) return true;
      this.logger.error({ route: request.routeOptions.url }, 'route has no access rule; refused');
      throw forbidden();
    }
    if (ability.can(rule.action, rule.subject)) return true;
    await this.audit.appendStandalone(request.context, [
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
