import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { DatabaseFailure } from '../errors/database-errors.js';

/**
 * Keeps the log to one line when the database becomes unavailable and one when it is back,
 * however many requests were refused in between (each refused request is still in the request
 * log with its 503). While an outage lasts, the database is probed every second.
 */
@Injectable()
export class DatabaseOutage implements OnModuleDestroy {
  private readonly logger = new Logger('Database');
  private since?: number;
  private refused = 0;
  private probe?: NodeJS.Timeout;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  get down(): boolean {
    return this.since !== undefined;
  }

  report(kind: DatabaseFailure, error: unknown): void {
    this.refused++;
    if (this.since !== undefined) return;
    this.since = Date.now();
    this.refused = 1;
    const e = error as { code?: unknown; message?: unknown; driverError?: { code?: unknown } };
    this.logger.error(
      {
        kind,
        code: e?.driverError?.code ?? e?.code,
        reason: typeof e?.message === 'string' ? e.message.slice(0, 200) : undefined,
      },
      kind === 'timeout'
        ? 'database statement or lock timeout: answering 503 until it answers in time again'
        : 'database unavailable: answering 503 until it is back',
    );
    this.probe = setInterval(() => void this.check(), 1000);
    this.probe.unref();
  }

  private async check(): Promise<void> {
    try {
      await this.dataSource.query('SELECT 1');
    } catch {
      return;
    }
    clearInterval(this.probe);
    this.logger.log(
      { downMs: Date.now() - (this.since ?? Date.now()), refused: this.refused },
      'database available again',
    );
    this.since = undefined;
  }

  onModuleDestroy(): void {
    clearInterval(this.probe);
  }
}
