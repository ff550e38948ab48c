// `npm start` runs this first: it builds (tsc and the stylesheet, as `npm run build`) only when a
// source is newer than the last build, so a start on a built tree does not compile anything. A
// clean clone (`npm install && npm start`) has no build yet and gets one.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const stamp = join(root, 'dist', '.build-stamp');
const outputs = [join(root, 'dist', 'src', 'main.js'), join(root, 'ui', 'public', 'app.css')];
const inputs = [
  'src',
  'migrations',
  'bench',
  'ui/assets',
  'ui/build-css.mjs',
  'tsconfig.json',
  'tsconfig.build.json',
  'package.json',
  'package-lock.json',
];

/** The newest modification time under a file or directory (0 when it does not exist). */
function newest(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let latest = stat.mtimeMs;
  for (const entry of readdirSync(path)) latest = Math.max(latest, newest(join(path, entry)));
  return latest;
}

function stale() {
  if (!existsSync(stamp) || outputs.some((o) => !existsSync(o))) return 'no build yet';
  const built = statSync(stamp).mtimeMs;
  const changed = inputs.find((i) => newest(join(root, i)) > built);
  return changed ? `${changed} changed since the last build` : undefined;
}

const reason = stale();
if (reason) {
  console.error(`Building (${reason})...`);
  const started = Date.now();
  const result = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
  writeFileSync(stamp, `${new Date(started).toISOString()}\n`);
  // The stamp's time is when the build began: a file saved during the build makes the next start
  // build again.
  const seconds = started / 1000;
  (await import('node:fs')).utimesSync(stamp, seconds, seconds);
}
