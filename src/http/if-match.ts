import {
  applyDecorators,
  createParamDecorator,
  UseInterceptors,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { ApiHeader } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { map, type Observable } from 'rxjs';
import { badRequest, preconditionRequired } from '../errors/problem.exception.js';

const IF_MATCH = /^\s*(?:W\/)?"?(\d{1,9})"?\s*$/;

/**
 * The row version the client edited, from `If-Match` ("3", W/"3" or 3). Missing -> 428, so no
 * client can overwrite a change it has not seen.
 */
export const IfMatchVersion = createParamDecorator((_: unknown, host: ExecutionContext): number => {
  const header = host.switchToHttp().getRequest<FastifyRequest>().headers['if-match'];
  if (header === undefined || header === '') throw preconditionRequired();
  const match = IF_MATCH.exec(String(header));
  if (!match) {
    throw badRequest('invalid_if_match', 'If-Match must carry the record version, e.g. "3"', [
      { path: 'If-Match', message: 'must be the record version, e.g. "3"' },
    ]);
  }
  return Number(match[1]);
});

export const etag = (version: number) => `"${version}"`;

/** Documents the If-Match header an operation requires (409 and 428 follow, see openapi.ts). */
export const ApiIfMatch = (record: string) =>
  ApiHeader({
    name: 'If-Match',
    required: true,
    description: `The ${record}’s version you read: its ETag ("3"), W/"3" or 3. A stale one answers 409 \`version_conflict\` with \`currentVersion\`; none, 428`,
    schema: {
      type: 'string',
      pattern: IF_MATCH.source.replace('(\\d{1,9})', '[0-9]{1,9}').replace('(?:W\\/)', '(W/)'),
      maxLength: 32,
      examples: ['"3"'],
    },
  });

/** The ETag response header (components.headers.ETag), for `headers:` of a response decorator. */
export const ETAG_HEADER = { ETag: { $ref: '#/components/headers/ETag' } };

/** Sends the answered record's `version` as its ETag (`"3"`), for the next If-Match. */
class ETagInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    return next.handle().pipe(
      map((body: unknown) => {
        const version = (body as { version?: unknown } | undefined)?.version;
        if (typeof version === 'number') void reply.header('etag', etag(version));
        return body;
      }),
    );
  }
}

/** Every answer of the operation carries the record's version as ETag. */
export const SendsETag = () => applyDecorators(UseInterceptors(ETagInterceptor));
