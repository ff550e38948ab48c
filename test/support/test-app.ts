import 'reflect-metadata';
import { Test } from '@nestjs/testing';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { getDataSourceToken } from '@nestjs/typeorm';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import supertest from 'supertest';
import type { DestinationStream } from 'pino';
import type { DataSource } from 'typeorm';
import { AppModule } from '../../src/app.module.js';
import { configureApp, createHttpAdapter } from '../../src/configure-app.js';
import { createTestDatabase, dropTestDatabase } from './test-database.js';

export interface TestApp {
  app: NestFastifyApplication;
  http: ReturnType<typeof supertest>;
  db: DataSource;
  databaseUrl: string;
  dataDir: string;
  close(): Promise<void>;
}

/**
 * The whole AppModule on this file's own database, configured exactly like main.ts. `env`
 * overrides environment variables for this app only.
 */
export interface TestAppOptions {
  env?: Record<string, string>;
  /** Reuse a database (a second instance on the same data); the caller drops it. */
  database?: { name: string; url: string };
  logDestination?: DestinationStream;
}

export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const database = options.database ?? (await createTestDatabase());
  const dataDir = mkdtempSync(join(tmpdir(), 'vep-test-data-'));
  const moduleRef = await Test.createTestingModule({
    imports: [
      AppModule.forRoot({
        database: { url: database.url, embedded: false },
        env: {
          DATA_DIR: dataDir,
          LOG_LEVEL: options.logDestination ? 'info' : 'silent',
          SEED_DEMO: 'false',
          DATABASE_POOL_SIZE: '5',
          ...options.env,
        },
        logDestination: options.logDestination,
      }),
    ],
  }).compile();
  const app = moduleRef.createNestApplication<NestFastifyApplication>(
    // As main.ts does: the adapter reads TRUST_PROXY (X-Forwarded-For and -Proto).
    createHttpAdapter({ trustProxy: options.env?.TRUST_PROXY === 'true' }),
    {
      logger: false,
    },
  );
  await configureApp(app);
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  const db = app.get<DataSource>(getDataSourceToken());
  return {
    app,
    http: supertest(app.getHttpServer()),
    db,
    databaseUrl: database.url,
    dataDir,
    async close() {
      await app.close();
      if (!options.database) await dropTestDatabase(database.name);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
