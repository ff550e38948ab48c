import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { validateEnv } from '../config/env.js';
import { backupEmbedded } from '../database/backup.js';
import { resolveDatabase } from '../database/resolve-database.js';

/**
 * `npm run db:backup -- <directory>`: an online backup of the embedded database (and the keys)
 * under DATA_DIR into a new directory, which is itself a DATA_DIR to restore from. The service may
 * be running; when it is not, the database is started for the backup and stopped after. With
 * DATABASE_URL set, use `npm run db:dump` (README, "Backup and restore").
 */
async function main(): Promise<number> {
  if (existsSync('.env')) process.loadEnvFile('.env');
  const env = validateEnv(process.env);
  const target = process.argv[2];
  if (!target) {
    console.error('usage: npm run db:backup -- <new directory>');
    return 1;
  }
  if (env.DATABASE_URL) {
    console.error(
      'DATABASE_URL is set: back that server up with `npm run db:dump -- <file>` (see README)',
    );
    return 1;
  }
  const resolved = await resolveDatabase(env, { attach: true });
  try {
    const report = await backupEmbedded({
      url: resolved.database.url,
      dataDir: env.DATA_DIR,
      target,
    });
    console.log(JSON.stringify(report));
    return 0;
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
