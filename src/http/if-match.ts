import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { badRequest, preconditionRequired } from '../errors/problem.exception.js';

/**
 * The row version the client edited, from `If-Match` ("3", W/"3" or 3). Missing -> 428, so no
 * client can overwrite a change it has not seen.
 */
export const IfMatchVersion = createParamDecorator((_: unknown, host: ExecutionContext): number => {
  const header = host.switchToHttp().getRequest<FastifyRequest>().headers['if-match'];
  if (header === undefined || header === '') throw preconditionRequired();
  const match = /^\s*(?:W\/)?"?(\d{1,9})"?\s*$/.exec(String(header));
  if (!match) {
    throw badRequest('invalid_if_match', 'If-Match must carry the record version, e.g. "3"', [
      { path: 'If-Match', message: 'must be the record version, e.g. "3"' },
    ]);
  }
  return Number(match[1]);
});

export const etag = (version: number) => `"${version}"`;
