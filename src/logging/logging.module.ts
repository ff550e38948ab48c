import { Module, type DynamicModule, type LoggerService } from '@nestjs/common';
import type { FastifyInstance } from 'fastify';
import { Logger, LoggerModule, PinoLogger } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import type { Options } from 'pino-http';
import { AppConfig } from '../config/app-config.js';

/** pino options: levels, and redaction of anything secret that might reach a log line. */
export function logOptions(level: string): Options {
  return {
    level,
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        'req.headers["x-access-purpose"]',
        '*.password',
        '*.accessToken',
        '*.token',
      ],
      censor: '[redacted]',
    },
  };
}

/**
 * One JSON line per request, written from Fastify's onResponse hook: request id, method, path
 * (never the query string, which may hold a searched name), status and time; never headers or
 * bodies. (nestjs-pino's per-request middleware is not mounted: this is cheaper and enough.)
 */
export function logRequests(fastify: FastifyInstance): void {
  fastify.addHook('onResponse', (request, reply, done) => {
    const logger = PinoLogger.root;
    if (logger && !request.url.startsWith('/health')) {
      const line = {
        requestId: request.id,
        method: request.method,
        path: request.url.split('?')[0],
        statusCode: reply.statusCode,
        responseTime: Math.round(reply.elapsedTime),
      };
      // 503: refused while the database cannot answer (logged once per outage, not per request).
      if (reply.statusCode === 503) logger.warn(line, 'request refused');
      else if (reply.statusCode >= 500) logger.error(line, 'request failed');
      else logger.info(line, 'request completed');
    }
    done();
  });
}

/** Nest's own start-up lines (one per module, controller and route) are detail, not news. */
const FRAMEWORK_CONTEXTS = new Set([
  'InstanceLoader',
  'RoutesResolver',
  'RouterExplorer',
  'NestFactory',
  'NestApplication',
]);

/** The pino logger Nest uses, with the framework's start-up lines moved to debug. */
export class ServiceLogger implements LoggerService {
  constructor(private readonly pino: Logger) {}

  log(message: unknown, ...params: unknown[]): void {
    const context = params[params.length - 1];
    if (typeof context === 'string' && FRAMEWORK_CONTEXTS.has(context))
      this.pino.debug(message, ...params);
    else this.pino.log(message, ...params);
  }
  error(message: unknown, ...params: unknown[]): void {
    this.pino.error(message, ...params);
  }
  warn(message: unknown, ...params: unknown[]): void {
    this.pino.warn(message, ...params);
  }
  debug(message: unknown, ...params: unknown[]): void {
    this.pino.debug(message, ...params);
  }
  verbose(message: unknown, ...params: unknown[]): void {
    this.pino.verbose(message, ...params);
  }
  fatal(message: unknown, ...params: unknown[]): void {
    this.pino.fatal(message, ...params);
  }
}

@Module({})
export class LoggingModule {
  /** `destination` replaces stdout (tests read the log lines from it). */
  static forRoot(destination?: DestinationStream): DynamicModule {
    return {
      module: LoggingModule,
      imports: [
        LoggerModule.forRootAsync({
          inject: [AppConfig],
          useFactory: (config: AppConfig) => {
            const options = logOptions(config.env.LOG_LEVEL);
            return { pinoHttp: destination ? [options, destination] : options, forRoutes: [] };
          },
        }),
      ],
    };
  }
}
