import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { validateEnv } from '../config/env.js';
import { dumpDatabase } from '../database/logical-backup.js';
import { resolveDatabase } from '../database/resolve-database.js';

/**
 * `npm run db:dump -- <file>`: a logical backup of the service's database (DATABASE_URL, or the
 * embedded one under DATA_DIR) into a new gzipped NDJSON file, read in one snapshot while the
 * service may run. Restore with `npm run db:restore -- <file>` (README, "Backup and restore").
 */
async function main(): Promise<number> {
  if (existsSync('.env')) process.loadEnvFile('.env');
  const env = validateEnv(process.env);
  const file = process.argv[2];
  if (!file) {
    console.error('usage: npm run db:dump -- <new file>');
    return 1;
  }
  const resolved = await resolveDatabase(env, { attach: true });
  try {
    console.log(JSON.stringify(await dumpDatabase(resolved.database.url, file)));
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
