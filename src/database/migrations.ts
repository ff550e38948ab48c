import { DataSource } from 'typeorm';
import { dataSourceOptions } from './data-source-options.js';

/**
 * Applies pending migrations, or refuses to go on when MIGRATIONS_RUN is false and some are
 * pending (a service must never run against a schema older than its code). Migrations run on a
 * connection of their own, without the service's statement and lock timeouts: one may take long.
 */
export async function runOrCheckMigrations(
  dataSource: DataSource,
  runMigrations: boolean,
): Promise<string[]> {
  if (runMigrations) {
    const options = dataSource.options as { url?: string; extra?: Record<string, unknown> };
    const limited = ['statement_timeout', 'lock_timeout', 'query_timeout'].some(
      (k) => options.extra?.[k] !== undefined,
    );
    const runner =
      limited && options.url ? new DataSource(dataSourceOptions(options.url, 1)) : dataSource;
    if (runner !== dataSource) await runner.initialize();
    try {
      const applied = await runner.runMigrations({ transaction: 'each' });
      return applied.map((m) => m.name);
    } finally {
      if (runner !== dataSource) await runner.destroy();
    }
  }
  if (await dataSource.showMigrations()) {
    throw new Error(
      'The database has pending migrations and MIGRATIONS_RUN is false: run `npm run migration:run` first',
    );
  }
  return [];
}
