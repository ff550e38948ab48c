import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { verifyArchiveFile } from '../audit/audit-archive-file.js';
import {
  pgSession,
  verifyAuditTrail,
  verifyWorkers,
  type VerifyProgress,
  type VerifyStatus,
} from '../audit/audit-verifier.js';
import { validateEnv } from '../config/env.js';
import { loadTrustedKeys } from '../crypto/trusted-keys.js';
import { resolveDatabase } from '../database/resolve-database.js';

/** Exit codes: what a script running the check can act on. */
export const EXIT = { intact: 0, error: 1, tampered: 2, unverifiable: 3 } as const;

const USAGE = `usage: npm run audit:verify [-- --incremental | --archive FILE.ndjson...]
  (default)       check every event of every chain (full)
  --incremental   check from the newest signed verification mark on
  --archive FILE  check archive files offline (no database), chained in the order given
Trusted public keys: AUDIT_TRUSTED_KEYS (PEM files, directories of .pem, or PEM text), else
DATA_DIR/keys/trusted. Exit: 0 intact, 2 tampering found, 3 signatures by keys not trusted
(could not be checked; nothing wrong found), 1 the check could not run.`;

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** Progress on stderr: rows checked, rate, estimated time left. */
function progressPrinter(io: CliOutput): (p: VerifyProgress) => void {
  let last = 0;
  let shown = -1;
  return (p) => {
    const now = Date.now();
    if (p.checked === shown || (now - last < 1000 && p.checked < p.total)) return;
    last = now;
    shown = p.checked;
    const rate = p.elapsedMs > 0 ? (p.checked / p.elapsedMs) * 1000 : 0;
    const left = rate > 0 && p.total > p.checked ? ((p.total - p.checked) / rate) * 1000 : 0;
    const percent = p.total > 0 ? ` (${((p.checked / p.total) * 100).toFixed(1)} %)` : '';
    io.err(
      `audit:verify ${p.checked.toLocaleString('en')} of ${p.total.toLocaleString('en')} events${percent}, ` +
        `${Math.round(rate).toLocaleString('en')} events/s, about ${seconds(left)} left\n`,
    );
  };
}

export interface CliOutput {
  out: (text: string) => void;
  err: (text: string) => void;
}

const STD: CliOutput = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

/**
 * `npm run audit:verify`: checks the audit trail straight from the database (or archive files
 * offline) with public keys only. Prints progress to stderr and the result as JSON on stdout;
 * returns the exit code.
 */
export async function auditVerifyCli(
  argv: string[],
  environment: NodeJS.ProcessEnv,
  io: CliOutput = STD,
): Promise<number> {
  if (argv.includes('--help')) {
    io.out(`${USAGE}\n`);
    return EXIT.intact;
  }
  const env = validateEnv(environment);
  const trustedKeys = loadTrustedKeys(env.AUDIT_TRUSTED_KEYS, env.DATA_DIR);
  if (trustedKeys.size === 0) {
    io.err(
      'audit:verify: no trusted public keys (AUDIT_TRUSTED_KEYS, DATA_DIR/keys/trusted): ' +
        'the hash chains are checked, signatures cannot be\n',
    );
  }
  const archiveAt = argv.indexOf('--archive');
  let status: VerifyStatus;
  if (archiveAt >= 0) {
    const files = argv.slice(archiveAt + 1).filter((a) => !a.startsWith('--'));
    if (files.length === 0) throw new Error(USAGE);
    const result = await verifyArchiveFile(files, trustedKeys);
    io.out(`${JSON.stringify(result, null, 2)}\n`);
    status = result.status;
  } else {
    const resolved = await resolveDatabase(env, { attach: true });
    const workers = verifyWorkers();
    const pool = new pg.Pool({ connectionString: resolved.database.url, max: workers + 1 });
    try {
      const result = await verifyAuditTrail(
        async () => {
          const client = await pool.connect();
          return pgSession(client, () => client.release());
        },
        {
          mode: argv.includes('--incremental') ? 'incremental' : 'full',
          trustedKeys,
          workers,
          onProgress: progressPrinter(io),
        },
      );
      const rate = result.durationMs > 0 ? (result.checked / result.durationMs) * 1000 : 0;
      io.err(
        `audit:verify ${result.status}: ${result.checked.toLocaleString('en')} events in ` +
          `${seconds(result.durationMs)} (${Math.round(rate).toLocaleString('en')} events/s)\n`,
      );
      io.out(`${JSON.stringify({ ...result, eventsPerSecond: Math.round(rate) }, null, 2)}\n`);
      status = result.status;
    } finally {
      await pool.end();
      await resolved.stop();
    }
  }
  if (status === 'unverifiable') {
    io.err(
      'audit:verify: could not check some signatures (keys not trusted); no tampering found\n',
    );
  }
  return EXIT[status];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (existsSync('.env')) process.loadEnvFile('.env');
  auditVerifyCli(process.argv.slice(2), process.env).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(EXIT.error);
    },
  );
}
