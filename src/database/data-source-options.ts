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
      application_name: 'vep-casework',
      keepAlive: true,
      ...(timeouts?.statementTimeoutMs ? { statement_timeout: timeouts.statementTimeoutMs } : {}),
      ...(timeouts?.lockTimeoutMs ? { lock_timeout: timeouts.lockTimeoutMs } : {}),
      ...(timeouts?.queryTimeoutMs ? { query_timeout: timeouts.queryTimeoutMs } : {}),
    },
    logging: false,
  };
}
