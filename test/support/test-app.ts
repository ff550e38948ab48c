import 'reflect-metadata';
import { Test } from '@nestjs/testing';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { getDataSourceToken } from '@nestjs/typeorm';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { expect } from '@jest/globals';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import supertest from 'supertest';
import type { DestinationStream } from 'pino';
import type { DataSource } from 'typeorm';
import { AppModule } from '../../src/app.module.js';
import { configureApp, createHttpAdapter } from '../../src/configure-app.js';
import { ContractChecker, recordContract, type ContractViolation } from './openapi-contract.js';
import { createTestDatabase, dropTestDatabase } from './test-database.js';

export interface TestApp {
  app: NestFastifyApplication;
  http: ReturnType<typeof supertest>;
  db: DataSource;
  databaseUrl: string;
  dataDir: string;
  /** Every exchange that departed from the served OpenAPI document (see openapi-contract.ts). */
  contractViolations: ContractViolation[];
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
  const fastify = app.getHttpAdapter().getInstance();
  const contract = recordContract(fastify);
  await app.init();
  await fastify.ready();
  contract.use(new ContractChecker((await fastify.inject('/docs-json')).json()));
  const db = app.get<DataSource>(getDataSourceToken());
  return {
    app,
    http: supertest(app.getHttpServer()),
    db,
    databaseUrl: database.url,
    dataDir,
    contractViolations: contract.violations,
    async close() {
      await app.close();
      if (!options.database) await dropTestDatabase(database.name);
      rmSync(dataDir, { recursive: true, force: true });
      enforceContract(contract.violations);
    },
  };
}

/**
 * Fails the test file when any exchange departed from the served OpenAPI document (see
 * openapi-contract.ts), naming each kind of departure once with how often it happened. With
 * CONTRACT_REPORT set (a directory), every departure is also written there as JSON.
 */
function enforceContract(violations: ContractViolation[]): void {
  if (violations.length === 0) return;
  const dir = process.env.CONTRACT_REPORT;
  if (dir) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, `${randomUUID()}.json`),
      JSON.stringify({ file: expect.getState().testPath, violations }),
    );
  }
  const kinds = new Map<string, number>();
  for (const v of violations) {
    const key = `${v.operation} ${v.status}: ${v.message.replace(/\/\d+(?=\/|\s|$)/g, '/N')}`;
    kinds.set(key, (kinds.get(key) ?? 0) + 1);
  }
  const lines = [...kinds].slice(0, 40).map(([kind, n]) => `  ${n} x ${kind}`);
  throw new Error(
    `${violations.length} exchanges departed from the OpenAPI document (/docs-json):\n${lines.join('\n')}` +
      (kinds.size > 40 ? `\n  ... and ${kinds.size - 40} more kinds` : ''),
  );
}
