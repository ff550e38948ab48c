import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/database/data-source-options.js';

export const TEMPLATE_DATABASE = 'vep_test_template';

function adminUrl(): string {
  const url = process.env.TEST_ADMIN_DATABASE_URL;
  if (!url) throw new Error('TEST_ADMIN_DATABASE_URL is not set: run the tests through `npm test`');
  return url;
}

export function databaseUrl(name: string): string {
  const url = new URL(adminUrl());
  url.pathname = `/${name}`;
  return url.toString();
}

async function withAdmin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl() });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * Builds the template database with every migration, once per run: the first test file to get
 * here does it under an advisory lock, the others wait and reuse it.
 */
async function ensureTemplate(): Promise<void> {
  await withAdmin(async (c) => {
    await c.query(`SELECT pg_advisory_lock(hashtext('vep_test_template'))`);
    try {
      const { rows } = await c.query(`SELECT 1 FROM pg_database WHERE datname = $1`, [
        TEMPLATE_DATABASE,
      ]);
      if (rows.length > 0) return;
      await c.query(`CREATE DATABASE ${TEMPLATE_DATABASE}_building`);
      const dataSource = new DataSource(
        dataSourceOptions(databaseUrl(`${TEMPLATE_DATABASE}_building`), 1),
      );
      await dataSource.initialize();
      await dataSource.runMigrations({ transaction: 'each' });
      await dataSource.destroy();
      await c.query(`ALTER DATABASE ${TEMPLATE_DATABASE}_building RENAME TO ${TEMPLATE_DATABASE}`);
    } finally {
      await c.query(`SELECT pg_advisory_unlock(hashtext('vep_test_template'))`);
    }
  });
}

/** A fresh database cloned from the migrated template: this test file's alone. */
export async function createTestDatabase(): Promise<{ name: string; url: string }> {
  await ensureTemplate();
  const name = `vep_test_${randomBytes(6).toString('hex')}`;
  for (let attempt = 1; ; attempt++) {
    try {
      await withAdmin((c) => c.query(`CREATE DATABASE ${name} TEMPLATE ${TEMPLATE_DATABASE}`));
      return { name, url: databaseUrl(name) };
    } catch (error) {
      // Two files cloning at the same instant: "source database is being accessed by other users".
      if ((error as { code?: string }).code !== '55006' || attempt >= 20) throw error;
      await new Promise((r) => setTimeout(r, 50 * attempt));
    }
  }
}

/** An empty database (no migrations), for start-up tests. */
export async function createEmptyDatabase(): Promise<{ name: string; url: string }> {
  const name = `vep_test_empty_${randomBytes(6).toString('hex')}`;
  await withAdmin((c) => c.query(`CREATE DATABASE ${name}`));
  return { name, url: databaseUrl(name) };
}

export async function dropTestDatabase(name: string): Promise<void> {
  await withAdmin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
}
