import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntitySubscriberInterface, QueryRunner } from 'typeorm';
import type { TransactionCommitEvent } from 'typeorm/subscriber/event/TransactionCommitEvent.js';
import { ProblemException } from '../errors/problem.exception.js';
import { idempotencyStorage, type IdempotencyContext } from './idempotency.js';

export interface StoredAnswer {
  fingerprint: string;
  status: number | null;
  headers: Record<string, string> | null;
  body: string | null;
  /** Written less than a minute ago: the first request may still be finishing. */
  recent: boolean;
}

/** Headers of the first answer that a replay repeats. */
const KEPT_HEADERS = ['content-type', 'etag', 'location'];

export const inProgress = () =>
  new ProblemException(
    409,
    'idempotency_in_progress',
    'Conflict',
    'A request with this Idempotency-Key is still being carried out; try again after Retry-After seconds',
    { retryAfter: 1 },
  );

/**
 * Idempotency keys, kept in the database (so every instance sees them). The key's row is written
 * in the transaction that commits the create, by a TypeORM subscriber, so it exists exactly when
 * the create does: a crash before the commit leaves neither, a retry then runs afresh; a second
 * request with the same key racing the first waits on the row and is refused. The first answer is
 * added to the row once it is sent, and replayed from there.
 */
@Injectable()
export class IdempotencyService
  implements EntitySubscriberInterface, OnModuleInit, OnModuleDestroy
{
  private readonly logger = new Logger('Idempotency');
  private purge?: NodeJS.Timeout;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  onModuleInit(): void {
    this.dataSource.subscribers.push(this);
    this.purge = setInterval(() => void this.purgeExpired(), 3_600_000);
    this.purge.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.purge);
  }

  async lookup(ctx: IdempotencyContext): Promise<StoredAnswer | undefined> {
    const rows: StoredAnswer[] = await this.dataSource.query(
      `SELECT fingerprint, status, headers, body, created_at > now() - interval '1 minute' AS recent
       FROM idempotency_key
       WHERE user_id = $1 AND method = $2 AND path = $3 AND key = $4 AND expires_at > now()`,
      [ctx.userId, ctx.method, ctx.path, ctx.key],
    );
    return rows[0];
  }

  /** In the create's transaction, just before it commits. */
  async beforeTransactionCommit(event: TransactionCommitEvent): Promise<void> {
    const ctx = idempotencyStorage.getStore();
    if (!ctx || ctx.bound) return;
    await this.bind(event.queryRunner, ctx);
    ctx.bound = true;
  }

  private async bind(runner: QueryRunner, ctx: IdempotencyContext): Promise<void> {
    const rows: unknown[] = await runner.query(
      `INSERT INTO idempotency_key (user_id, method, path, key, fingerprint, expires_at)
       VALUES ($1, $2, $3, $4, $5, now() + make_interval(secs => $6))
       ON CONFLICT (user_id, method, path, key) DO UPDATE
         SET fingerprint = EXCLUDED.fingerprint, created_at = now(),
             expires_at = EXCLUDED.expires_at, status = NULL, headers = NULL, body = NULL
         WHERE idempotency_key.expires_at <= now()
       RETURNING 1`,
      [ctx.userId, ctx.method, ctx.path, ctx.key, ctx.fingerprint, ctx.ttlSeconds],
    );
    // Another request with this key committed first: this one's work is rolled back.
    if (rows.length === 0) throw inProgress();
  }

  /** Keeps the answer for replays; a failure here only costs a later replay. */
  async complete(
    ctx: IdempotencyContext,
    status: number,
    headers: Record<string, unknown>,
    body: string | null,
  ): Promise<void> {
    const kept: Record<string, string> = {};
    for (const name of KEPT_HEADERS) {
      const value = headers[name];
      if (typeof value === 'string') kept[name] = value;
    }
    try {
      await this.dataSource.query(
        `UPDATE idempotency_key SET status = $5, headers = $6, body = $7
         WHERE user_id = $1 AND method = $2 AND path = $3 AND key = $4`,
        [ctx.userId, ctx.method, ctx.path, ctx.key, status, JSON.stringify(kept), body],
      );
    } catch (error) {
      this.logger.warn({ err: String(error) }, 'idempotency answer not kept');
    }
  }

  async purgeExpired(): Promise<number> {
    try {
      const [, count]: [unknown, number] = await this.dataSource.query(
        `DELETE FROM idempotency_key WHERE expires_at < now()`,
      );
      return count;
    } catch {
      return 0;
    }
  }
}
