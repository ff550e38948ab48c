import { Module, type DynamicModule } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LoggerModule } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import type { Options } from 'pino-http';
import { AppConfig } from '../config/app-config.js';

type RawRequest = IncomingMessage & { id?: string };

/**
 * JSON logs through pino. A request line carries its id, method, path (never the query string,
 * which may hold a searched name), status and timing; never headers or bodies.
 */
export function httpLogOptions(level: string): Options {
  return {
    level,
    genReqId: (req) => (req as RawRequest).id ?? '',
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        'req.headers["x-access-purpose"]',
        'res.headers["set-cookie"]',
        '*.password',
        '*.accessToken',
        '*.token',
      ],
      censor: '[redacted]',
    },
    serializers: {
      req: (req: RawRequest) => ({
        id: req.id,
        method: req.method,
        path: (req.url ?? '').split('?')[0],
      }),
      res: (res: ServerResponse) => ({ statusCode: res.statusCode }),
    },
    customLogLevel: (_req, res, error) => (error || res.statusCode >= 500 ? 'error' : 'info'),
    // Request lines are written at info; below that level pino-http need not track requests.
    autoLogging: ['trace', 'debug', 'info'].includes(level)
      ? { ignore: (req) => (req.url ?? '').startsWith('/health') }
      : false,
  };
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
            const options = httpLogOptions(config.env.LOG_LEVEL);
            return { pinoHttp: destination ? [options, destination] : options };
          },
        }),
      ],
    };
  }
}
