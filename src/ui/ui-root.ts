import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The project root: templates, styles and vendor assets are read from there at run time, so the
 * same lookup works from `src/` (tests) and `dist/src/` (built) with no copy step.
 */
export function uiRoot(from: string = dirname(fileURLToPath(import.meta.url))): string {
  let dir = from;
  for (;;) {
    if (existsSync(join(dir, 'ui', 'views')) && existsSync(join(dir, 'package.json'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`ui/views not found above ${from}`);
    dir = parent;
  }
}

export const uiPaths = (root = uiRoot()) => ({
  views: join(root, 'ui', 'views'),
  publicDir: join(root, 'ui', 'public'),
  scripts: join(root, 'ui', 'assets', 'js'),
  images: join(root, 'ui', 'assets', 'images'),
  govuk: join(root, 'node_modules', 'govuk-frontend', 'dist'),
  moj: join(root, 'node_modules', '@ministryofjustice', 'frontend'),
});

/**
 * Paths the interface owns: everything except the API, its documentation, health checks and
 * static assets. Errors on these paths are pages, not problem documents.
 */
export function isPagePath(url: string): boolean {
  const path = url.split('?')[0];
  return !/^\/(api|docs|docs-json|health|assets)(\/|$)/.test(path);
}
