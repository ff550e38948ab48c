import { resolve } from 'node:path';
import { InstrumentsService, type RuleSetReportEntry } from '../instruments/instruments.service.js';
import { RuleSetImportError } from '../instruments/rule-set-import.error.js';
import { TrainingService } from '../training/training.service.js';
import { CLI_ORIGIN, runCli } from './cli-context.js';

const line = (verb: string, entry: RuleSetReportEntry) =>
  `  ${verb.padEnd(9)} ${entry.key}@${entry.version} (${entry.kind}, ${entry.status}) ` +
  `sha256 ${entry.sha256}  ${entry.file}`;

/**
 * `npm run rule-sets:import`: imports RULE_SETS_DIR (default rule-sets/) as start-up does, and
 * prints what it did. Any error (each printed as `<file>: <path>: <message>`) writes nothing
 * and exits non-zero.
 */
void runCli(async (app, env) => {
  const dir = resolve(env.RULE_SETS_DIR);
  const report = await app.get(InstrumentsService).importDirectory(CLI_ORIGIN, dir);
  if (report.errors.length > 0) throw new RuleSetImportError(dir, report.errors);
  console.log(`Rule-sets in ${dir}:`);
  for (const entry of report.imported) console.log(line('imported', entry));
  for (const entry of report.retired) console.log(line('retired', entry));
  for (const entry of report.unchanged) console.log(line('unchanged', entry));
  console.log(
    `${report.imported.length} imported, ${report.retired.length} retired, ` +
      `${report.unchanged.length} unchanged`,
  );
  const training = await app.get(TrainingService).importDirectory(CLI_ORIGIN, dir);
  if (training.errors.length > 0) throw new RuleSetImportError(dir, training.errors);
  for (const entry of training.imported)
    console.log(`  imported  ${entry.key}@${entry.version} (${entry.kind})  ${entry.file}`);
  console.log(`Training: ${training.imported.length} imported, ${training.unchanged} unchanged`);
});
