import { ArgumentsHost, Catch, HttpException, Logger, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { IdempotentReplay, REPLAYED_HEADER } from '../idempotency/idempotency.js';
import { databaseFailure } from './database-errors.js';
import { ProblemException, type ProblemBody } from './problem.exception.js';

/** Told about every request refused because the database could not answer (one log line each outage). */
export interface DatabaseFailureSink {
  report(kind: 'unavailable' | 'timeout', error: unknown): void;
}

const sinks = new WeakMap<object, DatabaseFailureSink>();

/** Where the error filters of this Fastify instance (API and pages) report database failures. */
export function registerDatabaseFailureSink(fastify: object, sink: DatabaseFailureSink): void {
  sinks.set(fastify, sink);
}

/**
 * Reports the error when it is the database failing (true), so that the outage is logged once
 * instead of a stack trace per request.
 */
export function noteDatabaseFailure(request: FastifyRequest, error: unknown): boolean {
  const failure = databaseFailure(error);
  if (!failure) return false;
  sinks.get(request.server)?.report(failure, error);
  return true;
}

const TITLES: Record<number, [string, string]> = {
  400: ['bad_request', 'Bad request'],
  401: ['unauthenticated', 'Unauthenticated'],
  403: ['forbidden', 'Forbidden'],
  404: ['not_found', 'Not found'],
  405: ['method_not_allowed', 'Method not allowed'],
  406: ['not_acceptable', 'Not acceptable'],
  409: ['conflict', 'Conflict'],
  413: ['payload_too_large', 'Payload too large'],
  415: ['unsupported_media_type', 'Unsupported media type'],
  422: ['unprocessable', 'Unprocessable content'],
  428: ['precondition_required', 'Precondition required'],
  429: ['too_many_requests', 'Too many requests'],
  503: ['service_unavailable', 'Service unavailable'],
};

/** Seconds a client should wait before trying again when the database could not answer. */
export const DATABASE_RETRY_AFTER = { unavailable: 5, timeout: 2 } as const;

/** PostgreSQL errors a client can provoke, mapped to what they mean for the client. */
const PG_ERRORS: Record<string, [number, string, string]> = {
  '23505': [409, 'conflict', 'The record conflicts with an existing one'],
  '23503': [409, 'conflict', 'The record refers to something that does not exist'],
  '40001': [409, 'concurrent_update', 'A concurrent change conflicted with this one; try again'],
  '40P01': [409, 'concurrent_update', 'A concurrent change conflicted with this one; try again'],
  '22P02': [400, 'bad_request', 'A value has the wrong format'],
  '22007': [400, 'bad_request', 'A date or time value has the wrong format'],
  '22008': [400, 'bad_request', 'A date or time value is out of range'],
  '22001': [400, 'bad_request', 'A value is too long'],
};

export function problemFromError(error: unknown, requestId?: string): ProblemBody {
  const withId = (body: ProblemBody) => (requestId ? { ...body, requestId } : body);
  if (error instanceof ProblemException) return withId(error.body);
  if (error instanceof HttpException) return withId(fromStatus(error.getStatus(), error.message));
  const status = (error as { statusCode?: unknown }).statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    // Errors raised by Fastify itself before Nest sees the request (malformed JSON, media type).
    return withId(fromStatus(status, (error as Error).message));
  }
  const failure = databaseFailure(error);
  if (failure === 'unavailable') {
    return withId({
      type: '/problems/database_unavailable',
      title: 'Service unavailable',
      status: 503,
      code: 'database_unavailable',
      detail:
        'The database is not reachable. Try again after Retry-After seconds (a create with the same Idempotency-Key, so that it is not made twice)',
      retryAfter: DATABASE_RETRY_AFTER.unavailable,
    });
  }
  if (failure === 'timeout') {
    return withId({
      type: '/problems/database_timeout',
      title: 'Service unavailable',
      status: 503,
      code: 'database_timeout',
      detail:
        'The database did not answer in time (statement or lock timeout). Try again after Retry-After seconds',
      retryAfter: DATABASE_RETRY_AFTER.timeout,
    });
  }
  const pgCode = (error as { code?: unknown; driverError?: { code?: unknown } }).driverError?.code;
  if (typeof pgCode === 'string' && PG_ERRORS[pgCode]) {
    const [s, code, detail] = PG_ERRORS[pgCode];
    return withId({ type: `/problems/${code}`, title: TITLES[s][1], status: s, code, detail });
  }
  return withId({
    type: '/problems/internal_error',
    title: 'Internal server error',
    status: 500,
    code: 'internal_error',
    detail: 'An unexpected error occurred; quote the request id when reporting it',
  });
}

function fromStatus(status: number, message: string): ProblemBody {
  const [code, title] = TITLES[status] ?? ['error', 'Error'];
  return { type: `/problems/${code}`, title, status, code, detail: message };
}

/** What may be logged of an error: never SQL parameters or values a client sent. */
export function loggableError(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { value: typeof error };
  const driver = (error as { driverError?: { code?: string; constraint?: string } }).driverError;
  if (driver) {
    return {
      name: error.name,
      pgCode: driver.code,
      constraint: driver.constraint,
      stack: error.stack?.split('\n').slice(1).join('\n'),
    };
  }
  return { name: error.name, message: error.message, stack: error.stack };
}

export function sendProblem(reply: FastifyReply, body: ProblemBody): void {
  const headers: Record<string, string> = { 'content-type': 'application/problem+json' };
  if (typeof body.retryAfter === 'number') headers['retry-after'] = String(body.retryAfter);
  if (body.status === 401) headers['www-authenticate'] = 'Bearer';
  void reply.code(body.status).headers(headers).send(body);
}

@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemFilter');

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    if (error instanceof IdempotentReplay) {
      void reply
        .code(error.status)
        .headers({ ...error.headers, [REPLAYED_HEADER]: 'true' })
        .send(error.body);
      return;
    }
    const body = problemFromError(error, request.id);
    // A 503 thrown on purpose (not ready) is an answer, not a failure to log.
    const deliberate = error instanceof ProblemException && body.status === 503;
    if (body.status >= 500 && !deliberate && !noteDatabaseFailure(request, error)) {
      this.logger.error({ requestId: request.id, err: loggableError(error) }, 'request failed');
    }
    sendProblem(reply, body);
  }
}
