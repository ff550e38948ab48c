import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { AppModule } from './app.module.js';
import { configureApp, createHttpAdapter } from './configure-app.js';
import { AppConfig } from './config/app-config.js';
import { ConfigError, validateEnv, type Env } from './config/env.js';
import { resolveDatabase, type ResolvedDatabase } from './database/resolve-database.js';
import { stopGracefully } from './lifecycle/graceful-shutdown.js';

async function main(): Promise<void> {
  if (existsSync('.env')) process.loadEnvFile('.env');
  const env = validateEnv(process.env);

  let resolved: ResolvedDatabase | undefined;
  let app: NestFastifyApplication | undefined;
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    // The hard limit: whatever is still running then is abandoned. The embedded database's
    // watchdog stops the database when this process exits.
    const limit = setTimeout(() => {
      console.error(`Not stopped within SHUTDOWN_TIMEOUT (${env.SHUTDOWN_TIMEOUT} s): exiting`);
      process.exit(code || 1);
    }, env.SHUTDOWN_TIMEOUT * 1000);
    limit.unref();
    try {
      // Requests get most of the time; the checkpoint, the pool and the database the rest.
      const drain = Math.max(500, env.SHUTDOWN_TIMEOUT * 1000 - 3000);
      if (app) await stopGracefully(app, app.getHttpServer().listening ? drain : 0);
    } catch (error) {
      console.error(error instanceof Error ? error.message : error);
    } finally {
      await resolved?.stop();
      process.exit(code);
    }
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void stop(0));

  try {
    resolved = await resolveDatabase(env);
    app = await NestFactory.create<NestFastifyApplication>(
      AppModule.forRoot({ database: resolved.database }),
      createHttpAdapter({ trustProxy: env.TRUST_PROXY }),
      { bufferLogs: true, abortOnError: false },
    );
    await configureApp(app);
    await app.listen({ port: env.PORT, host: env.HOST });
    announce(env, app.get(AppConfig).seedDemo);
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    await stop(1);
  }
}

/** Where to go next, for the person who started the service (console, not the JSON logs). */
function announce(env: Env, demo: boolean): void {
  const host = ['0.0.0.0', '::'].includes(env.HOST) ? 'localhost' : env.HOST;
  const url = `http://${host}:${env.PORT}`;
  const lines = [`VEP casework service listening on ${url} (API documentation: ${url}/docs)`];
  if (demo) {
    lines.push(
      env.DEMO_PASSWORD
        ? 'Demo users (demo.*) sign in with DEMO_PASSWORD.'
        : `Demo users (demo.*) sign in with the password in ${join(env.DATA_DIR, 'keys', 'demo-password')}.`,
    );
  }
  process.stdout.write(`\n  ${lines.join('\n  ')}\n\n`);
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
