import type { DataSourceOptions } from 'typeorm';
import { migrations } from '../../migrations/index.js';

export interface DatabaseTimeouts {
  /** statement_timeout of every session (0: none). */
  statementTimeoutMs: number;
  /** lock_timeout of every session (0: none). */
  lockTimeoutMs: number;
  /** Client-side limit on one query's answer, for a server that stops answering (0: none). */
  queryTimeoutMs: number;
}

/**
 * The options shared by the service, the CLI tools and the tests. The service passes timeouts;
 * the CLI tools and migrations run without (a long migration or verification is expected).
 */
export function dataSourceOptions(
  url: string,
  poolSize: number,
  timeouts?: DatabaseTimeouts,
): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    synchronize: false,
    migrations,
    migrationsTableName: 'schema_migration',
    migrationsTransactionMode: 'each',
    poolSize,
    extra: {
      connectionTimeoutMillis: 10_000,
      // Connections are kept once opened: a new PostgreSQL backend's first queries cost several
      // times a warm one's (it maps the shared buffers page by page and fills its caches), which
      // closing idle connections after pg-pool's default 10 s would pay again at every lull.
      idleTimeoutMillis: 0,
      application_name: 'vep-casework',
      keepAlive: true,
      ...(timeouts?.statementTimeoutMs ? { statement_timeout: timeouts.statementTimeoutMs } : {}),
      ...(timeouts?.lockTimeoutMs ? { lock_timeout: timeouts.lockTimeoutMs } : {}),
      ...(timeouts?.queryTimeoutMs ? { query_timeout: timeouts.queryTimeoutMs } : {}),
    },
    logging: false,
  };
}
