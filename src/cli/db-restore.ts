import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { DataSource } from 'typeorm';
import { validateEnv } from '../config/env.js';
import { dataSourceOptions } from '../database/data-source-options.js';
import { restoreDatabase, RestoreRefused } from '../database/logical-backup.js';
import { resolveDatabase } from '../database/resolve-database.js';

/**
 * `npm run db:restore -- <file>`: migrates the target database (DATABASE_URL, or the embedded one
 * under a new DATA_DIR) and loads a logical backup made by `npm run db:dump` of the same release.
 * The target must hold no case data; the load is one transaction. Exit 2: the file or the target
 * was refused (nothing written).
 */
async function main(): Promise<number> {
  if (existsSync('.env')) process.loadEnvFile('.env');
  const env = validateEnv(process.env);
  const file = process.argv[2];
  if (!file || !existsSync(file)) {
    console.error('usage: npm run db:restore -- <backup file made by npm run db:dump>');
    return 1;
  }
  const resolved = await resolveDatabase(env, { attach: true });
  try {
    const dataSource = new DataSource(dataSourceOptions(resolved.database.url, 1));
    await dataSource.initialize();
    try {
      await dataSource.runMigrations({ transaction: 'each' });
    } finally {
      await dataSource.destroy();
    }
    console.log(JSON.stringify(await restoreDatabase(resolved.database.url, file)));
    return 0;
  } catch (error) {
    if (error instanceof RestoreRefused) {
      console.error(`refused: ${error.message}`);
      return 2;
    }
    throw error;
  } finally {
    await resolved.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
