import fastifyCookie from '@fastify/cookie';
import fastifyCsrf from '@fastify/csrf-protection';
import fastifyStatic from '@fastify/static';
import fastifyView from '@fastify/view';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import nunjucks from 'nunjucks';
import { createHash, hkdfSync } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppConfig } from '../config/app-config.js';
import { UiExceptionFilter } from './errors/ui-exception.filter.js';
import { configureNunjucks } from './nunjucks-env.js';
import { CSRF_COOKIE, UiSessionService } from './session/ui-session.service.js';
import { isPagePath, uiPaths, uiRoot } from './ui-root.js';

const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** Vendor files served: scripts and images, never their fonts (the GDS typeface is GOV.UK's). */
const VENDOR_FILES = /\.(mjs|js|svg|png)$/;

/**
 * The web interface on the app's Fastify instance: signed cookies, CSRF tokens (in every form,
 * or the X-CSRF-Token header of script requests), static assets (one prefix per package, so no
 * file shadows another's), Nunjucks views, and error pages for page paths.
 */
export async function setupUi(app: NestFastifyApplication): Promise<void> {
  const config = app.get(AppConfig);
  const root = uiRoot();
  const paths = uiPaths(root);
  const fastify = app.getHttpAdapter().getInstance();

  await app.register(fastifyCookie, {
    // Its own key, derived from the token key, so neither can stand in for the other.
    secret: Buffer.from(
      hkdfSync('sha256', config.tokenSigningKey, Buffer.alloc(0), 'vep-ui-cookies', 32),
    ).toString('base64'),
  });
  await app.register(fastifyCsrf, {
    cookieKey: CSRF_COOKIE,
    cookieOpts: { path: '/', sameSite: 'strict', httpOnly: true, secure: 'auto', signed: true },
  });
  fastify.addHook('preHandler', (request, reply, done) => {
    if (UNSAFE_METHODS.has(request.method) && isPagePath(request.url)) {
      fastify.csrfProtection(request, reply, done);
    } else {
      done();
    }
  });

  const statics = [
    { root: paths.publicDir, prefix: '/assets/app/' },
    { root: paths.scripts, prefix: '/assets/app/js/' },
    { root: paths.images, prefix: '/assets/app/images/' },
    { root: join(paths.govuk, 'govuk'), prefix: '/assets/govuk/', vendor: true },
    { root: join(paths.moj, 'moj'), prefix: '/assets/moj/', vendor: true },
  ];
  for (const { root: dir, prefix, vendor } of statics) {
    await app.register(fastifyStatic, {
      root: dir,
      prefix,
      decorateReply: false,
      index: false,
      maxAge: '1d',
      ...(vendor ? { allowedPath: (path: string) => VENDOR_FILES.test(path) } : {}),
    });
  }

  await app.register(fastifyView, {
    engine: { nunjucks },
    templates: [paths.views, paths.govuk, paths.moj],
    options: {
      autoescape: true,
      throwOnUndefined: false,
      trimBlocks: true,
      lstripBlocks: true,
      onConfigure: (env: nunjucks.Environment) =>
        configureNunjucks(env, {
          timeZone: config.env.UI_TIME_ZONE,
          assetVersion: assetVersion(root, paths.publicDir),
        }),
    },
  });

  app.useGlobalFilters(
    new UiExceptionFilter(app.get(UiSessionService), config.env.UI_DEFAULT_LOCALE),
  );
}

/** Changes with the compiled stylesheet or the installed vendor packages. */
function assetVersion(root: string, publicDir: string): string {
  const hash = createHash('sha256');
  const css = join(publicDir, 'app.css');
  if (existsSync(css)) hash.update(readFileSync(css));
  hash.update(readFileSync(join(root, 'package-lock.json')));
  return hash.digest('hex').slice(0, 12);
}
