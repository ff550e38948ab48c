import { describe, expect, it } from '@jest/globals';
import type { CertificationRuleDefinition } from './rule-sets/training-rule-set.types.js';
import {
  certificationDates,
  checkCertification,
  judgementProblems,
  recalibrateFrom,
  referenceIcc,
  type AttemptAgreement,
  type SubmittedAttempt,
} from './training-scoring.js';

const RULE: CertificationRuleDefinition = {
  kind: 'certification-rule',
  key: 've-risk-spj',
  version: '1.0.0',
  title: 'Rule',
  status: 'active',
  minimumCases: 2,
  agreement: { statistic: 'weighted_kappa_linear', minimum: 0.6 },
  finalJudgementWithin: 1,
  validFor: 'P2Y',
  recalibrationNotice: 'P3M',
};

/** An attempt whose pairs are the reference scores, with `wrong` of them moved by `by`. */
function attempt(
  caseKey: string,
  options: { wrong?: number; by?: number; distance?: number; at?: string } = {},
): SubmittedAttempt {
  const reference = [0, 1, 2, 0, 1, 2, 0, 1, 2, 1, 0, 2];
  const pairs = reference.map((r, i) => ({
    reference: r,
    rater: i < (options.wrong ?? 0) ? Math.min(2, Math.max(0, r + (options.by ?? 1))) : r,
  }));
  return {
    id: `${caseKey}-${options.at ?? 'a'}`,
    caseKey,
    caseVersion: '1.0.0',
    submittedAt: new Date(options.at ?? '2026-01-01T00:00:00Z'),
    agreement: {
      pairs,
      categories: 3,
      finalJudgement: { distance: options.distance ?? 0 },
    } as unknown as AttemptAgreement,
  };
}

describe('certification rule', () => {
  it('needs the minimum number of distinct cases', () => {
    const check = checkCertification(RULE, [
      attempt('a'),
      attempt('a', { at: '2026-02-01T00:00:00Z' }),
    ]);
    expect(check.met).toBe(false);
    expect(check.attempts).toHaveLength(1);
    expect(check.shortfalls).toEqual(['1 of 2 practice cases rated']);
  });

  it('is met with enough agreement on enough cases, counting the newest attempt of each', () => {
    const check = checkCertification(RULE, [
      attempt('a', { wrong: 12, by: 2, at: '2026-01-01T00:00:00Z' }),
      attempt('a', { wrong: 1, at: '2026-03-01T00:00:00Z' }),
      attempt('b', { wrong: 2 }),
    ]);
    expect(check.met).toBe(true);
    expect(check.attempts.map((a) => a.id)).toEqual(['a-2026-03-01T00:00:00Z', 'b-a']);
    expect(check.value).toBeGreaterThan(0.6);
  });

  it('fails on low agreement or a final level too far from the reference', () => {
    const low = checkCertification(RULE, [
      attempt('a', { wrong: 12, by: 2 }),
      attempt('b', { wrong: 12, by: -2 }),
    ]);
    expect(low.met).toBe(false);
    expect(low.shortfalls[0]).toMatch(/below 0.6/);
    const far = checkCertification(RULE, [attempt('a'), attempt('b', { distance: 2 })]);
    expect(far.met).toBe(false);
    expect(far.shortfalls).toEqual([
      'final judgement more than 1 level(s) from the reference on b',
    ]);
  });

  it('dates the certification by the rule', () => {
    expect(certificationDates(RULE, new Date('2026-12-03T10:00:00Z'))).toEqual({
      validUntil: '2028-12-03',
      recalibrateFrom: '2028-09-04',
    });
    expect(recalibrateFrom(RULE, '2028-12-03')).toBe('2028-09-04');
  });
});

describe('referenceIcc', () => {
  const reference = [0, 1, 2, 0, 1, 2, 2, 1];

  it('is 1 for a trainee who copies the reference', () => {
    expect(referenceIcc(reference.map((r) => ({ rater: r, reference: r })))).toBeCloseTo(1, 10);
  });

  it('falls for a trainee one step high throughout, though the ranking is perfect', () => {
    const shifted = reference.map((r) => ({ rater: r + 1, reference: r }));
    const icc = referenceIcc(shifted)!;
    expect(icc).toBeLessThan(0.9);
    expect(icc).toBeGreaterThan(0);
  });

  it('is undefined with fewer than two compared items', () => {
    expect(referenceIcc([])).toBeNull();
    expect(referenceIcc([{ rater: 1, reference: 1 }])).toBeNull();
  });
});

describe('judgementProblems', () => {
  const definition = {
    purpose: 'risk',
    levels: [{ code: 'low' }, { code: 'moderate' }, { code: 'high' }],
    domains: [],
  } as unknown as Parameters<typeof judgementProblems>[0];
  const judgement = { level: null, needs: [], rationale: null };

  it('asks for the final level, then for a rationale when it departs from the band', () => {
    expect(judgementProblems(definition, 'low', judgement).map((p) => p.code)).toEqual([
      'final_level_required',
    ]);
    expect(
      judgementProblems(definition, 'low', { ...judgement, level: 'high' }).map((p) => p.code),
    ).toEqual(['rationale_required']);
    expect(
      judgementProblems(definition, 'low', { ...judgement, level: 'high', rationale: 'Why' }),
    ).toEqual([]);
  });
});
