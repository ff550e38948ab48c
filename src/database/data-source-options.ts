import type { DataSourceOptions } from 'typeorm';
import { migrations } from '../../migrations/index.js';

/** The options shared by the service, the CLI tools and the tests. */
export function dataSourceOptions(url: string, poolSize: number): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    synchronize: false,
    migrations,
    migrationsTableName: 'schema_migration',
    migrationsTransactionMode: 'each',
    poolSize,
    extra: { connectionTimeoutMillis: 10_000, application_name: 'vep-casework' },
    logging: false,
  };
}
