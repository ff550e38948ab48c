import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { existsSync } from 'node:fs';
import { validateEnv } from '../config/env.js';
import { dataSourceOptions } from '../database/data-source-options.js';
import { resolveDatabase } from '../database/resolve-database.js';

/** `npm run migration:run`: applies pending migrations and lists them. */
async function main(): Promise<void> {
  if (existsSync('.env')) process.loadEnvFile('.env');
  const env = validateEnv(process.env);
  const resolved = await resolveDatabase(env, { attach: true });
  const dataSource = new DataSource(dataSourceOptions(resolved.database.url, 1));
  try {
    await dataSource.initialize();
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    console.log(
      applied.length
        ? `Applied: ${applied.map((m) => m.name).join(', ')}`
        : 'No pending migrations',
    );
  } finally {
    if (dataSource.isInitialized) await dataSource.destroy();
    await resolved.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
