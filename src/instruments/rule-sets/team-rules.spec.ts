import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mutatedFile, NEEDS_FILE, shippedFiles } from './fixtures/shipped.js';
import { loadRuleSetFiles } from './load-rule-set-files.js';
import { teamOf, type InstrumentDefinition, type RuleSetFile } from './rule-set.types.js';
import { validateRuleSets } from './validate-rule-sets.js';

/* eslint-disable @typescript-eslint/no-explicit-any */

/** Team working in the rule-set format: `team` (assessors, countersigners, double rating). */
describe('instrument team', () => {
  let dir: string;
  let files: RuleSetFile[];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vep-team-rule-sets-'));
    for (const sub of ['instruments', 'catalogues'])
      cpSync(join(process.cwd(), 'rule-sets', sub), join(dir, sub), { recursive: true });
    cpSync(
      join(process.cwd(), 'test/fixtures/rule-sets/instruments/team-needs@1.0.0.yaml'),
      join(dir, 'instruments/team-needs@1.0.0.yaml'),
    );
    files = (await loadRuleSetFiles(dir)).files;
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('accepts the team fixture and keeps its roles and double rating', () => {
    const { sets, errors } = validateRuleSets(files);
    expect(errors).toEqual([]);
    const team = sets.find((s) => s.key === 'team-needs')!.definition as InstrumentDefinition;
    expect(teamOf(team)).toEqual({
      assessors: ['pve_inspector', 'psychologist'],
      countersigners: ['supervisor'],
      doubleRating: 'optional',
    });
  });

  it('defaults to psychologists and one assessor when an instrument has no team', async () => {
    const { sets } = validateRuleSets(await shippedFiles());
    for (const set of sets.filter((s) => s.kind === 'instrument'))
      expect(teamOf(set.definition as InstrumentDefinition)).toEqual({
        assessors: ['psychologist'],
        countersigners: ['psychologist'],
        doubleRating: 'off',
      });
  });

  it('refuses roles outside psychology on an instrument with clinical or restricted items', async () => {
    const shipped = await shippedFiles();
    const changed = await mutatedFile(NEEDS_FILE, (doc: any) => {
      doc.team = { assessors: ['pve_inspector'], countersigners: ['psychologist'] };
    });
    const { errors } = validateRuleSets(shipped.map((f) => (f.file === NEEDS_FILE ? changed : f)));
    const team = errors.filter((e) => e.code === 'team_roles');
    expect(team.length).toBeGreaterThan(0);
    expect(team.every((e) => e.file === NEEDS_FILE)).toBe(true);
    expect(team.map((e) => e.path)).toContain('domains[7].items[0].confidentiality');
    expect(team[0].message).toContain('team.assessors names pve_inspector');
  });

  it('refuses unknown roles and modes in the schema', async () => {
    const shipped = await shippedFiles();
    const changed = await mutatedFile(NEEDS_FILE, (doc: any) => {
      doc.team = { assessors: ['administrator'], doubleRating: 'sometimes' };
    });
    const { errors } = validateRuleSets(shipped.map((f) => (f.file === NEEDS_FILE ? changed : f)));
    const paths = errors.filter((e) => e.code === 'schema').map((e) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['team.assessors[0]', 'team.doubleRating']));
  });
});
