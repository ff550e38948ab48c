import {
  Injectable,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { createHash } from 'node:crypto';
import { from, Observable, switchMap } from 'rxjs';
import type { ContextRequest } from '../auth/decorators.js';
import { AppConfig } from '../config/app-config.js';
import { canonicalJson } from '../crypto/canonical-json.js';
import { ProblemException, unprocessable } from '../errors/problem.exception.js';
import { validationProblem } from '../errors/validation-errors.js';
import {
  IDEMPOTENCY_HEADER,
  IDEMPOTENCY_KEY,
  IDEMPOTENT,
  idempotencyStorage,
  IdempotentReplay,
  type IdempotencyContext,
} from './idempotency.js';
import { IdempotencyService, inProgress } from './idempotency.service.js';

const contexts = new WeakMap<FastifyRequest, IdempotencyContext>();

/**
 * Creates marked @Idempotent() with an Idempotency-Key header: a key already used by this user
 * for this method and path answers with the first answer (or 422 for a different body, 409 while
 * the first is still running); otherwise the handler runs with the key in its async context, and
 * the transaction that commits the create writes the key (IdempotencyService).
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly keys: IdempotencyService,
    private readonly config: AppConfig,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const marked = this.reflector.getAllAndOverride<boolean>(IDEMPOTENT, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (!marked) return next.handle();
    const request = context.switchToHttp().getRequest<ContextRequest>();
    const key = request.headers[IDEMPOTENCY_HEADER];
    const actor = request.context?.actor;
    if (key === undefined || !actor) return next.handle();
    if (typeof key !== 'string' || !IDEMPOTENCY_KEY.test(key)) {
      throw validationProblem([
        {
          path: 'Idempotency-Key',
          message: 'Idempotency-Key must be 1-255 visible ASCII characters',
        },
      ]);
    }
    const ctx: IdempotencyContext = {
      userId: actor.id,
      method: request.method,
      path: request.url.split('?')[0],
      key,
      fingerprint: createHash('sha256')
        .update(canonicalJson(request.body ?? null))
        .digest('hex'),
      ttlSeconds: this.config.env.IDEMPOTENCY_TTL,
      bound: false,
    };
    return from(this.keys.lookup(ctx)).pipe(
      switchMap((stored) => {
        if (stored) {
          if (stored.fingerprint !== ctx.fingerprint) {
            throw unprocessable(
              'idempotency_key_reused',
              'This Idempotency-Key was used with a different request body; use a new key for a new request',
            );
          }
          if (stored.status !== null) {
            throw new IdempotentReplay(stored.status, stored.headers ?? {}, stored.body ?? '');
          }
          if (stored.recent) throw inProgress();
          throw new ProblemException(
            409,
            'idempotency_answer_lost',
            'Conflict',
            'The request with this Idempotency-Key was carried out, but its answer was not kept (the service stopped meanwhile); read the record instead of creating it again',
          );
        }
        contexts.set(request, ctx);
        return new Observable<unknown>((subscriber) =>
          idempotencyStorage.run(ctx, () => next.handle().subscribe(subscriber)),
        );
      }),
    );
  }
}

/**
 * Adds the answer to the key's row before it is sent, when the create committed (a create that
 * did not commit leaves no row: a retry runs afresh).
 */
export function registerIdempotencyHook(fastify: FastifyInstance, keys: IdempotencyService): void {
  fastify.addHook('onSend', async (request, reply, payload) => {
    const ctx = contexts.get(request);
    if (!ctx?.bound) return payload;
    contexts.delete(request);
    const body =
      typeof payload === 'string'
        ? payload
        : Buffer.isBuffer(payload)
          ? payload.toString('utf8')
          : null;
    await keys.complete(ctx, reply.statusCode, reply.getHeaders(), body);
    return payload;
  });
}
