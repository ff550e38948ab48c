import { describe, expect, it } from '@jest/globals';
import { resolve } from 'node:path';
import { loadRuleSetFiles } from '../../instruments/rule-sets/load-rule-set-files.js';
import type {
  InstrumentDefinition,
  RuleSetFile,
} from '../../instruments/rule-sets/rule-set.types.js';
import { isTrainingRuleSet, type PracticeCaseDefinition } from './training-rule-set.types.js';
import { validateTrainingRuleSets } from './validate-training-rule-sets.js';

async function shipped(): Promise<{ instruments: InstrumentDefinition[]; files: RuleSetFile[] }> {
  const { files, errors } = await loadRuleSetFiles(resolve('rule-sets'));
  expect(errors).toEqual([]);
  return {
    instruments: files
      .map((f) => f.doc as InstrumentDefinition)
      .filter((doc) => doc.kind === 'instrument'),
    files: files.filter(isTrainingRuleSet),
  };
}

const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

describe('training rule-sets', () => {
  it('the shipped practice cases and certification rule are valid and marked fictional', async () => {
    const { instruments, files } = await shipped();
    const { sets, errors } = validateTrainingRuleSets(files, { instruments });
    expect(errors).toEqual([]);
    expect(sets.map((s) => `${s.kind} ${s.key}@${s.version}`).sort()).toEqual([
      'certification-rule ve-risk-spj@1.0.0',
      'practice-case ve-needs-practice-01@1.0.0',
      'practice-case ve-risk-spj-practice-01@1.0.0',
      'practice-case ve-risk-spj-practice-02@1.0.0',
    ]);
    for (const set of sets.filter((s) => s.kind === 'practice-case')) {
      const doc = set.definition as PracticeCaseDefinition;
      expect(doc.fictional).toBe(true);
      expect(doc.notice).toMatch(/Fictional training case/);
      expect(doc.author.name).not.toBe(doc.reviewer.name);
      expect(set.sha256).toMatch(/^[0-9a-f]{64}$/);
    }
  });

  it('reports unknown items and options, a missing item, the same author and reviewer, and real cases', async () => {
    const { instruments, files } = await shipped();
    const original = files.find((f) => f.file.endsWith('ve-risk-spj-practice-01@1.0.0.yaml'))!;
    const doc = clone(original.doc) as PracticeCaseDefinition & { fictional: boolean };
    doc.reference.ratings.ZZ99 = { value: 'low', reasoning: 'no such item' };
    doc.reference.ratings.BA01 = { value: 'extreme', reasoning: 'no such option' };
    delete (doc.reference.ratings as Record<string, unknown>).BA02;
    doc.reviewer.name = doc.author.name;
    doc.reference.finalJudgement.level = 'severe';
    const bad = { ...original, doc };
    const { errors } = validateTrainingRuleSets([bad], { instruments });
    const paths = errors.map((e) => e.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'reference.ratings.ZZ99',
        'reference.ratings.BA01.value',
        'reference.ratings',
        'reviewer.name',
        'reference.finalJudgement.level',
      ]),
    );
    expect(errors.find((e) => e.path === 'reference.ratings')!.message).toMatch(/BA02/);

    const real = clone(original.doc) as { fictional: boolean };
    real.fictional = false;
    const schema = validateTrainingRuleSets([{ ...original, doc: real }], { instruments });
    expect(schema.errors.map((e) => e.path)).toEqual(['fictional']);
  });

  it('refuses a case for an instrument version that is not imported, and an unmeetable rule', async () => {
    const { instruments, files } = await shipped();
    const caseFile = files.find((f) => f.file.endsWith('ve-risk-spj-practice-02@1.0.0.yaml'))!;
    const doc = clone(caseFile.doc) as PracticeCaseDefinition;
    doc.instrument.version = '9.0.0';
    const rule = files.find((f) => f.file.startsWith('certification/'))!;
    const { errors } = validateTrainingRuleSets([{ ...caseFile, doc }, rule], { instruments });
    expect(errors.map((e) => [e.file, e.path])).toEqual([
      [caseFile.file, 'instrument'],
      [rule.file, 'minimumCases'],
    ]);
  });
});
