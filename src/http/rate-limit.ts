import { Injectable } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { AppConfig } from '../config/app-config.js';
import { ProblemException } from '../errors/problem.exception.js';
import { problemFromError, sendProblem } from '../errors/problem.filter.js';
import { addressKey } from './client-address.js';

/** One count against one limit: what the RateLimit-* fields report. */
interface Usage {
  limit: number;
  remaining: number;
  resetSeconds: number;
}

const tooMany = (retryAfter: number) =>
  new ProblemException(
    429,
    'rate_limited',
    'Too many requests',
    `Request limit reached; try again in ${retryAfter} s`,
    { retryAfter },
  );

/**
 * Request limits per client address and per signed-in user, counted in fixed windows of
 * RATE_LIMIT_WINDOW in this process's memory: a Map lookup per request, and the counts of a
 * window are dropped whole when the next begins. Limits are therefore per instance (n instances
 * behind a balancer admit up to n times the limit); sign-in throttling, which must hold across
 * instances, lives in the database instead.
 *
 * Every response but the health checks carries `RateLimit-Limit`, `RateLimit-Remaining` and
 * `RateLimit-Reset` (seconds) for the limit nearest to running out; past a limit the answer is
 * a 429 problem with `Retry-After`.
 */
@Injectable()
export class RateLimiter {
  /** The clock (tests move it). */
  now: () => number = Date.now;
  private window = -1;
  private addresses = new Map<string, number>();
  private users = new Map<string, number>();

  constructor(private readonly config: AppConfig) {}

  private get windowMs(): number {
    return this.config.env.RATE_LIMIT_WINDOW * 1000;
  }

  private count(counts: 'addresses' | 'users', key: string, limit: number): Usage {
    const now = this.now();
    const window = Math.floor(now / this.windowMs);
    if (window !== this.window) {
      this.window = window;
      this.addresses = new Map();
      this.users = new Map();
    }
    const map = this[counts];
    const used = (map.get(key) ?? 0) + 1;
    map.set(key, used);
    return {
      limit,
      remaining: limit - used,
      resetSeconds: Math.ceil(((window + 1) * this.windowMs - now) / 1000),
    };
  }

  /** Counts a request from an address (IPv6 by its /64). */
  hitAddress(ip: string): Usage {
    return this.count('addresses', addressKey(ip), this.config.env.RATE_LIMIT_PER_IP);
  }

  /**
   * Counts a signed-in user's request (after authentication), reports it when nearer to its
   * limit than the address count the reply already carries, and throws 429 past the limit.
   */
  hitUser(userId: string, reply: FastifyReply): void {
    const usage = this.count('users', userId, this.config.env.RATE_LIMIT_PER_USER);
    const shown = Number(reply.getHeader('ratelimit-remaining') ?? Infinity);
    if (usage.remaining < 0 || Math.max(0, usage.remaining) <= shown) setHeaders(reply, usage);
    if (usage.remaining < 0) throw tooMany(usage.resetSeconds);
  }

  /** The per-address count, before anything else is done with the request. */
  register(fastify: FastifyInstance): void {
    // Callback style: no promise per request. Answering without calling done() ends the request.
    fastify.addHook('onRequest', (request, reply, done) => {
      if (request.url.startsWith('/health/')) return done();
      const usage = this.hitAddress(request.ip);
      setHeaders(reply, usage);
      if (usage.remaining < 0) {
        sendProblem(reply, problemFromError(tooMany(usage.resetSeconds), request.id));
        return;
      }
      done();
    });
  }
}

function setHeaders(reply: FastifyReply, usage: Usage): void {
  reply.header('ratelimit-limit', usage.limit);
  reply.header('ratelimit-remaining', Math.max(0, usage.remaining));
  reply.header('ratelimit-reset', usage.resetSeconds);
}

/** Registers the per-address limit on the app's Fastify instance (configure-app). */
export function registerRateLimit(app: NestFastifyApplication): void {
  app.get(RateLimiter).register(app.getHttpAdapter().getInstance());
}
