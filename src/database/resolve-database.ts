import { join } from 'node:path';
import type { DatabaseRuntime } from '../config/app-config.js';
import type { Env } from '../config/env.js';
import { startEmbeddedPostgres } from './embedded-postgres.js';

export interface ResolvedDatabase {
  database: DatabaseRuntime;
  /** Stops the embedded server when this process started it; otherwise does nothing. */
  stop(): Promise<void>;
}

/** DATABASE_URL when set; otherwise the embedded PostgreSQL kept under DATA_DIR. */
export async function resolveDatabase(
  env: Env,
  options: { attach?: boolean } = {},
): Promise<ResolvedDatabase> {
  if (env.DATABASE_URL) {
    return { database: { url: env.DATABASE_URL, embedded: false }, stop: async () => undefined };
  }
  const embedded = await startEmbeddedPostgres({
    clusterDir: join(env.DATA_DIR, 'postgres'),
    passwordFile: join(env.DATA_DIR, 'keys', 'embedded-postgres.password'),
    database: 'vep',
    attach: options.attach,
  });
  return { database: { url: embedded.url, embedded: true }, stop: () => embedded.stop() };
}
