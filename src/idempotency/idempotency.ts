import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiHeader } from '@nestjs/swagger';
import { AsyncLocalStorage } from 'node:async_hooks';

export const IDEMPOTENT = 'vep:idempotent';
export const IDEMPOTENCY_HEADER = 'idempotency-key';
/** A key: 1-255 visible ASCII characters (a UUID is the usual choice). */
export const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;
/** Sent on a replayed answer. */
export const REPLAYED_HEADER = 'idempotent-replayed';

/** One create carrying an Idempotency-Key, from the interceptor to the commit and the answer. */
export interface IdempotencyContext {
  userId: string;
  method: string;
  path: string;
  key: string;
  fingerprint: string;
  ttlSeconds: number;
  /** The key's row was written in the transaction that committed the create. */
  bound: boolean;
}

/** The create in progress in this async context (its transaction's commit writes the key). */
export const idempotencyStorage = new AsyncLocalStorage<IdempotencyContext>();

/** The stored first answer, thrown by the interceptor and sent as it was by the error filter. */
export class IdempotentReplay extends Error {
  constructor(
    readonly status: number,
    readonly headers: Record<string, string>,
    readonly body: string,
  ) {
    super('idempotent replay');
  }
}

/**
 * Marks a create that accepts an `Idempotency-Key` header: a retry with the same key (same user,
 * method and path) gets the first answer again instead of a second record.
 */
export const Idempotent = () =>
  applyDecorators(
    SetMetadata(IDEMPOTENT, true),
    ApiHeader({
      name: 'Idempotency-Key',
      required: false,
      description:
        'A key the client chooses for this create (a UUID, say: 1-255 visible ASCII characters). ' +
        'Sent again with the same body by the same user to the same path, for 24 hours, it gets ' +
        'the first answer replayed (status, body, ETag, Location; with `Idempotent-Replayed: true`) ' +
        'instead of a second record: safe to retry after a dropped connection, a timeout or a 503. ' +
        'The same key with a different body answers 422 `idempotency_key_reused`; while the first ' +
        'request is still running, 409 `idempotency_in_progress` with Retry-After.',
      schema: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[\\x21-\\x7E]+$' },
    }),
  );
