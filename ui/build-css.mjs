// Compiles ui/assets/app.scss to ui/public/app.css (npm run build; the tests' global set-up runs
// it when the file is missing). Plain JavaScript so that both can run it before any TypeScript.
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

export async function buildCss() {
  const sass = await import('sass');
  const result = await sass.compileAsync(join(root, 'ui', 'assets', 'app.scss'), {
    loadPaths: [root, join(root, 'node_modules')],
    style: 'compressed',
    quietDeps: true,
    silenceDeprecations: ['import'],
    // Deprecation notices raised inside the vendor packages are theirs to fix, not ours.
    logger: {
      warn(message, options) {
        if (!/node_modules\//.test(options.stack ?? '')) console.warn(message);
      },
    },
  });
  const out = join(root, 'ui', 'public', 'app.css');
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, result.css);
  return out;
}

/** True when app.css is newer than every stylesheet source and the installed packages. */
export function cssIsFresh() {
  const out = join(root, 'ui', 'public', 'app.css');
  if (!existsSync(out)) return false;
  const assets = join(root, 'ui', 'assets');
  const sources = [
    join(root, 'package-lock.json'),
    ...readdirSync(assets, { recursive: true })
      .filter((name) => String(name).endsWith('.scss'))
      .map((name) => join(assets, String(name))),
  ];
  const built = statSync(out).mtimeMs;
  return sources.every((source) => statSync(source).mtimeMs < built);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  if (!process.argv.includes('--force') && cssIsFresh()) {
    console.log('ui/public/app.css is up to date');
  } else {
    const started = Date.now();
    const out = await buildCss();
    console.log(`${out} built in ${Date.now() - started} ms`);
  }
}
