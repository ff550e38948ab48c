import helmet from '@fastify/helmet';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance } from 'fastify';

/**
 * Every page: scripts and styles only from this origin or with this response's nonce, never
 * `unsafe-inline`. No `upgrade-insecure-requests` here: it would break plain-HTTP use on a LAN
 * address; `tlsOnlyHeaders` adds it (and HSTS) when the request came over HTTPS.
 */
const PAGE_DIRECTIVES = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'", 'data:'],
  fontSrc: ["'self'"],
  connectSrc: ["'self'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
  baseUri: ["'self'"],
  objectSrc: ["'none'"],
  upgradeInsecureRequests: null,
};

/** The OpenAPI page at /docs renders with inline scripts and styles: allowed there only. */
const DOCS_HELMET = {
  enableCSPNonces: false,
  contentSecurityPolicy: {
    directives: {
      ...PAGE_DIRECTIVES,
      scriptSrc: ["'self'", "'unsafe-inline'"],
      styleSrc: ["'self'", "'unsafe-inline'"],
    },
  },
};

/** JSON answers run no scripts: the page policy without a nonce to generate. */
const API_HELMET = { enableCSPNonces: false };

export async function registerSecurityHeaders(app: NestFastifyApplication): Promise<void> {
  const fastify = app.getHttpAdapter().getInstance();
  // Route options are set before helmet's own hooks read them, for routes added later (Swagger).
  fastify.addHook('onRoute', (route) => {
    const helmet = /^\/docs(\/|-json|$)/.test(route.url)
      ? DOCS_HELMET
      : /^\/(api|health)\//.test(route.url)
        ? API_HELMET
        : undefined;
    if (helmet) route.config = { ...(route.config ?? {}), helmet } as typeof route.config;
  });
  await app.register(helmet, {
    enableCSPNonces: true,
    contentSecurityPolicy: { directives: PAGE_DIRECTIVES },
    hsts: false,
  });
  tlsOnlyHeaders(fastify);
}

/**
 * HSTS and `upgrade-insecure-requests` only when the service is reached over TLS: directly, or
 * through a trusted proxy that says so (TRUST_PROXY with X-Forwarded-Proto: https).
 */
function tlsOnlyHeaders(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', async (request, reply) => {
    if (request.protocol !== 'https') return;
    reply.header('strict-transport-security', 'max-age=31536000; includeSubDomains');
    const csp = reply.raw.getHeader('content-security-policy');
    if (typeof csp === 'string' && !csp.includes('upgrade-insecure-requests')) {
      reply.raw.setHeader('content-security-policy', `${csp};upgrade-insecure-requests`);
    }
  });
}
