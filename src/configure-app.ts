import helmet from '@fastify/helmet';
import { ValidationPipe } from '@nestjs/common';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { validationExceptionFactory } from './errors/validation-errors.js';
import { ProblemFilter } from './errors/problem.filter.js';
import { guardInput } from './http/input-guard.js';
import { logRequests, ServiceLogger } from './logging/logging.module.js';
import { registerRateLimit } from './http/rate-limit.js';

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
  app.setGlobalPrefix('api/v1', { exclude: ['health/live', 'health/ready'] });
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
  await app.register(helmet, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        // The OpenAPI page at /docs needs its own inline styles and scripts.
        scriptSrc: ["'self'", "'unsafe-inline'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
      },
    },
  });
  logRequests(fastify);
  fastify.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
    reply.header('cache-control', 'no-store');
  });
  registerRateLimit(app);

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('VEP casework service')
      .setDescription(
        'Structured professional judgement assessments, disengagement programme plans, need-to-know ' +
          'access and a tamper-evident audit trail for the management of violent extremist prisoners. ' +
          'Errors are RFC 9457 problem details. Send `X-Access-Purpose` to record why you open a case.',
      )
      .setVersion('1')
      .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
}
