import 'reflect-metadata';
import { Module, type DynamicModule, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { existsSync } from 'node:fs';
import { DataSource } from 'typeorm';
import { AuditModule } from '../audit/audit.module.js';
import { AuditTrail } from '../audit/audit-trail.service.js';
import { AuthModule } from '../auth/auth.module.js';
import type { DatabaseRuntime } from '../config/app-config.js';
import { AppConfigModule } from '../config/config.module.js';
import { validateEnv, type Env } from '../config/env.js';
import { DatabaseModule } from '../database/database.module.js';
import { runOrCheckMigrations } from '../database/migrations.js';
import { ProblemException } from '../errors/problem.exception.js';
import { InstrumentsModule } from '../instruments/instruments.module.js';
import { resolveDatabase } from '../database/resolve-database.js';
import { TrainingModule } from '../training/training.module.js';
import { UsersModule } from '../users/users.module.js';

/** The parts of the service a command-line tool needs: no HTTP server, no start-up seeding. */
@Module({})
class CliModule {
  static forRoot(database: DatabaseRuntime): DynamicModule {
    return {
      module: CliModule,
      imports: [
        AppConfigModule.forRoot(database),
        DatabaseModule,
        AuditModule,
        AuthModule,
        UsersModule,
        InstrumentsModule,
        TrainingModule,
      ],
    };
  }
}

function describeError(error: unknown): string {
  if (error instanceof ProblemException) {
    const { detail, errors } = error.body;
    return [detail, ...(errors ?? []).map((e) => `  ${e.path}: ${e.message}`)].join('\n');
  }
  return error instanceof Error ? error.message : String(error);
}

export const CLI_ORIGIN = { requestId: 'cli', ip: 'local' };

/**
 * Runs a tool against the configured database (DATABASE_URL, or the embedded one under DATA_DIR,
 * attaching to it when `npm start` is already running it), then exits with 0, or 1 on error.
 */
export async function runCli(
  work: (app: INestApplicationContext, env: Env) => Promise<void>,
): Promise<void> {
  if (existsSync('.env')) process.loadEnvFile('.env');
  let code = 0;
  try {
    const env = validateEnv(process.env);
    const resolved = await resolveDatabase(env, { attach: true });
    try {
      const app = await NestFactory.createApplicationContext(CliModule.forRoot(resolved.database), {
        logger: ['error', 'warn'],
        abortOnError: false,
      });
      try {
        await runOrCheckMigrations(app.get(DataSource), env.MIGRATIONS_RUN);
        await app.get(AuditTrail).ensureChains();
        await work(app, env);
      } finally {
        await app.close();
      }
    } finally {
      await resolved.stop();
    }
  } catch (error) {
    console.error(describeError(error));
    code = 1;
  }
  process.exit(code);
}
