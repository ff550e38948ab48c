import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The rule-sets the service ships, and the test fixtures beside them. */
export const SHIPPED_RULE_SETS = join(process.cwd(), 'rule-sets');
export const FIXTURE_RULE_SETS = join(process.cwd(), 'test', 'fixtures', 'rule-sets');

/**
 * A fresh directory for RULE_SETS_DIR: the shipped rule-sets (without their schemas) and,
 * unless `fixtures` is false, the test fixtures. The caller removes it (rmSync) when done.
 */
export function ruleSetsDir(prefix: string, { fixtures = true } = {}): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  cpSync(SHIPPED_RULE_SETS, dir, { recursive: true, filter: (src) => !src.includes('schema') });
  if (fixtures) cpSync(FIXTURE_RULE_SETS, dir, { recursive: true });
  return dir;
}
