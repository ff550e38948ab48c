import type { DataSource } from 'typeorm';

/**
 * Applies pending migrations, or refuses to go on when MIGRATIONS_RUN is false and some are
 * pending (a service must never run against a schema older than its code).
 */
export async function runOrCheckMigrations(
  dataSource: DataSource,
  runMigrations: boolean,
): Promise<string[]> {
  if (runMigrations) {
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return applied.map((m) => m.name);
  }
  if (await dataSource.showMigrations()) {
    throw new Error(
      'The database has pending migrations and MIGRATIONS_RUN is false: run `npm run migration:run` first',
    );
  }
  return [];
}
