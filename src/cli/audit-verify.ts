import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { DataSource } from 'typeorm';
import { verifyAuditTrail } from '../audit/audit-verifier.js';
import { validateEnv } from '../config/env.js';
import { loadAuditSigningKey } from '../crypto/key-material.js';
import { dataSourceOptions } from '../database/data-source-options.js';
import { resolveDatabase } from '../database/resolve-database.js';

/**
 * `npm run audit:verify`: checks the audit trail offline, straight from the database, with the
 * checkpoint key from AUDIT_SIGNING_KEY or DATA_DIR. Prints the result as JSON; exit code 0
 * when intact, 2 when tampering is found, 1 when the check could not run.
 */
async function main(): Promise<number> {
  if (existsSync('.env')) process.loadEnvFile('.env');
  const env = validateEnv(process.env);
  const { publicKey, keyId } = loadAuditSigningKey(env.AUDIT_SIGNING_KEY, env.DATA_DIR);
  const resolved = await resolveDatabase(env, { attach: true });
  const dataSource = new DataSource(dataSourceOptions(resolved.database.url, 1));
  try {
    await dataSource.initialize();
    const result = await dataSource.transaction('REPEATABLE READ', (m) =>
      verifyAuditTrail(m, publicKey, keyId),
    );
    console.log(JSON.stringify(result, null, 2));
    return result.ok ? 0 : 2;
  } finally {
    if (dataSource.isInitialized) await dataSource.destroy();
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
