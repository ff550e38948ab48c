import { ValidationPipe } from '@nestjs/common';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { DatabaseOutage } from './database/database-outage.js';
import { validationExceptionFactory } from './errors/validation-errors.js';
import { ProblemFilter, registerDatabaseFailureSink } from './errors/problem.filter.js';
import { guardInput } from './http/input-guard.js';
import { registerIdempotencyHook } from './idempotency/idempotency.interceptor.js';
import { IdempotencyService } from './idempotency/idempotency.service.js';
import { registerDrainHook } from './lifecycle/graceful-shutdown.js';
import { registerRateLimit } from './http/rate-limit.js';
import { buildOpenApiDocument } from './openapi.js';
import { logRequests, ServiceLogger } from './logging/logging.module.js';
import { registerSecurityHeaders } from './ui/security-headers.js';
import { setupUi } from './ui/setup-ui.js';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Fastify with request ids taken from X-Request-Id (when well-formed) or generated. */
export function createHttpAdapter(options: { trustProxy: boolean }): FastifyAdapter {
  return new FastifyAdapter({
    trustProxy: options.trustProxy,
    bodyLimit: 1024 * 1024,
    requestIdHeader: false,
    genReqId: (req: IncomingMessage) => {
      const header = req.headers['x-request-id'];
      const id = typeof header === 'string' && REQUEST_ID.test(header) ? header : randomUUID();
      (req as IncomingMessage & { id?: string }).id = id;
      return id;
    },
  });
}

/** Everything main.ts and the tests must share: prefix, pipes, errors, headers, logging, docs. */
export async function configureApp(app: NestFastifyApplication): Promise<void> {
  app.useLogger(new ServiceLogger(app.get(Logger)));
  // The API's /api/v1 prefix is set per module in AppModule (API_MODULES): pages share its paths.
  app.useGlobalPipes(
    new ValidationPipe({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      exceptionFactory: validationExceptionFactory,
    }),
  );
  app.useGlobalFilters(new ProblemFilter());
  guardInput(app);

  const fastify = app.getHttpAdapter().getInstance();
  // Security headers and the web interface: helmet (CSP with per-request nonces; the /docs page
  // alone may use inline code), cookies, CSRF, static assets, views and the pages' error filter.
  await registerSecurityHeaders(app);
  logRequests(fastify);
  registerDrainHook(fastify);
  registerDatabaseFailureSink(fastify, app.get(DatabaseOutage, { strict: false }));
  registerIdempotencyHook(fastify, app.get(IdempotencyService, { strict: false }));
  fastify.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
    // Case content must not stay in a browser's or proxy's cache; static assets may.
    if (!request.url.startsWith('/assets/')) reply.header('cache-control', 'no-store');
  });
  registerRateLimit(app);
  await setupUi(app);

  SwaggerModule.setup('docs', app, buildOpenApiDocument(app), { jsonDocumentUrl: 'docs-json' });
}
