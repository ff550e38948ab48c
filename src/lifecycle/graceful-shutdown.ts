import { Logger } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance } from 'fastify';
import { AuditCheckpoints } from '../audit/audit-checkpoints.service.js';

const draining = new WeakSet<FastifyInstance>();

/**
 * While the service drains, every response carries `Connection: close`, so a keep-alive client
 * whose request was in flight does not hold the server open until its keep-alive timeout.
 */
export function registerDrainHook(fastify: FastifyInstance): void {
  fastify.addHook('onSend', async (request, reply) => {
    if (draining.has(fastify) && request.raw.httpVersionMajor < 2) {
      reply.header('connection', 'close');
    }
  });
}

export interface StopReport {
  /** Connections still open at the deadline and cut. */
  forced: boolean;
  drainMs: number;
  checkpoint?: number;
}

/**
 * Stops taking requests and lets those in flight finish: idle keep-alive connections are closed
 * at once, responses sent while draining close theirs, and whatever is still open at the
 * deadline is cut. Then the audit chain heads are signed (what the last requests wrote) and the
 * application (database pool included) is closed.
 */
export async function stopGracefully(
  app: NestFastifyApplication,
  deadlineMs: number,
): Promise<StopReport> {
  const logger = new Logger('Shutdown');
  const started = performance.now();
  const fastify = app.getHttpAdapter().getInstance();
  const server = fastify.server;
  draining.add(fastify);
  const closed = fastify.close();
  server.closeIdleConnections();
  // Connections that turn idle later (a response just sent without Connection: close).
  const sweep = setInterval(() => server.closeIdleConnections(), 100);
  let forced = false;
  let deadline: NodeJS.Timeout | undefined;
  await Promise.race([
    closed,
    new Promise<void>((resolve) => {
      deadline = setTimeout(() => {
        forced = true;
        server.closeAllConnections();
        resolve();
      }, deadlineMs);
    }),
  ]);
  clearTimeout(deadline);
  clearInterval(sweep);
  const drainMs = Math.round(performance.now() - started);
  let checkpoint: number | undefined;
  try {
    checkpoint = (await app.get(AuditCheckpoints).checkpoint())?.id;
  } catch (error) {
    logger.error({ err: String(error) }, 'audit checkpoint at stop failed');
  }
  await app.close();
  logger.log({ drainMs, forced, checkpoint }, 'stopped');
  return { forced, drainMs, checkpoint };
}
