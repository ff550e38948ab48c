import { describe, expect, it } from '@jest/globals';
import 'reflect-metadata';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../src/database/data-source-options.js';
import { migrations } from '../migrations/index.js';
import { databaseUrl } from './support/test-database.js';

describe('migrations', () => {
  it('apply to an empty database, undo one by one with down(), and apply again', async () => {
    const name = `vep_test_migrations_${process.pid}`;
    const admin = new pg.Client({ connectionString: databaseUrl('postgres') });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${name}`);
    const dataSource = new DataSource(dataSourceOptions(databaseUrl(name), 1));
    try {
      await dataSource.initialize();
      const tables = async () =>
        (
          await dataSource.query(
            `SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'schema_migration' ORDER BY 1`,
          )
        ).map((r: { tablename: string }) => r.tablename);
      expect((await dataSource.runMigrations()).length).toBe(migrations.length);
      const all = await tables();
      expect(all).toEqual(
        expect.arrayContaining([
          'app_user',
          'audit_event',
          'prisoner',
          'instrument_version',
          'assessment',
        ]),
      );
      for (let i = 0; i < migrations.length; i++) await dataSource.undoLastMigration();
      expect(await tables()).toEqual([]);
      expect(
        await dataSource.query(
          `SELECT proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public'`,
        ),
      ).toEqual([]);
      expect((await dataSource.runMigrations()).length).toBe(migrations.length);
      expect(await tables()).toEqual(all);
    } finally {
      if (dataSource.isInitialized) await dataSource.destroy();
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    }
  });
});
