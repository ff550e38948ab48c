import {
  applyDecorators,
  createParamDecorator,
  SetMetadata,
  type ExecutionContext,
} from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiForbiddenResponse,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import type { AppAction, AppSubject } from '../access/ability.factory.js';
import { truncateCodePoints } from '../http/well-formed-text.js';
import type { RequestContext, RequestOrigin } from './request-context.js';

export const PUBLIC_ROUTE = 'vep:public';
export const AUTHENTICATED_ROUTE = 'vep:authenticated';
export const ROUTE_RULE = 'vep:rule';

export interface RouteRule {
  action: AppAction;
  subject: AppSubject;
}

const rateLimited = () =>
  ApiTooManyRequestsResponse({
    description: 'Request limit of the user or address reached (`rate_limited`): wait Retry-After',
  });

/** No token needed (login, health). */
export const Public = () => SetMetadata(PUBLIC_ROUTE, true);

/** Any signed-in user (their own session and profile). */
export const Authenticated = () =>
  applyDecorators(
    SetMetadata(AUTHENTICATED_ROUTE, true),
    ApiBearerAuth(),
    ApiUnauthorizedResponse({ description: 'Missing, expired or revoked token' }),
    rateLimited(),
  );

/**
 * The route-level check: the caller's roles must allow `action` on some `subject`. The service
 * then checks the row itself. Routes with neither this nor @Public/@Authenticated are refused.
 */
export const Authorize = (action: AppAction, subject: AppSubject) =>
  applyDecorators(
    SetMetadata(ROUTE_RULE, { action, subject } satisfies RouteRule),
    ApiBearerAuth(),
    ApiUnauthorizedResponse({ description: 'Missing, expired or revoked token' }),
    ApiForbiddenResponse({ description: 'The caller’s roles do not allow this action' }),
    rateLimited(),
  );

export type ContextRequest = FastifyRequest & { context?: RequestContext };

export function originOf(request: FastifyRequest): RequestOrigin {
  const purpose = request.headers['x-access-purpose'];
  const userAgent = request.headers['user-agent'];
  return {
    requestId: request.id,
    ip: request.ip,
    userAgent: typeof userAgent === 'string' ? userAgent : undefined,
    purpose:
      typeof purpose === 'string' && purpose.trim()
        ? truncateCodePoints(purpose.trim(), 500)
        : undefined,
  };
}

/** The authenticated request context (actor, abilities, origin). */
export const Ctx = createParamDecorator((_: unknown, host: ExecutionContext): RequestContext => {
  const context = host.switchToHttp().getRequest<ContextRequest>().context;
  if (!context) throw new Error('Ctx() used on a route without authentication');
  return context;
});

/** Where an unauthenticated request came from (login). */
export const Origin = createParamDecorator((_: unknown, host: ExecutionContext): RequestOrigin =>
  originOf(host.switchToHttp().getRequest<FastifyRequest>()),
);
