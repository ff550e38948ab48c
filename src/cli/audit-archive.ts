import { AuditArchiver } from '../audit/audit-archive.service.js';
import { CLI_ORIGIN, runCli } from './cli-context.js';

const USAGE = `usage: npm run audit:archive -- --month YYYY-MM [--out DIR] [--drop]
       npm run audit:archive -- --before YYYY-MM [--out DIR] [--drop]
  Writes each month's audit events and their checkpoints to DIR/audit-YYYY-MM.ndjson (default
  DATA_DIR/archive), detaches the month's partition and records the file's SHA-256 in the trail.
  --drop also drops the detached table (keep the file safe first).`;

/** `npm run audit:archive`: archives old months of the audit trail (see AuditArchiver). */
function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

void runCli(async (app, env) => {
  const args = process.argv.slice(2);
  const month = option(args, '--month');
  const before = option(args, '--before');
  if (!month === !before) throw new Error(USAGE);
  const archiver = app.get(AuditArchiver);
  const months = month
    ? [month]
    : (await archiver.partitions()).map((p) => p.month).filter((m) => m < before!);
  const out = option(args, '--out') ?? `${env.DATA_DIR}/archive`;
  for (const m of months) {
    const summary = await archiver.archive(CLI_ORIGIN, m, out, { drop: args.includes('--drop') });
    console.log(JSON.stringify(summary));
  }
  if (months.length === 0) console.error('nothing to archive');
});
