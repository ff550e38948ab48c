import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import {
  cohensKappa,
  intraclassCorrelation,
  itemAgreement,
  levelDistance,
  type RatingPair,
} from './agreement.js';

/** Expands a contingency table (rows: rater, columns: reference) into pairs. */
const pairsOf = (table: number[][]): RatingPair[] =>
  table.flatMap((row, i) =>
    row.flatMap((count, j) => Array.from({ length: count }, () => ({ rater: i, reference: j }))),
  );

describe('Cohen’s kappa', () => {
  it('two-category textbook example: 20/5/10/15 of 50 gives kappa 0.4', () => {
    // Po = 35/50 = 0.7; Pe = 0.5 * 0.6 + 0.5 * 0.4 = 0.5; kappa = 0.2 / 0.5 = 0.4.
    expect(
      cohensKappa(
        pairsOf([
          [20, 5],
          [10, 15],
        ]),
        2,
        'unweighted',
      ),
    ).toBeCloseTo(0.4, 10);
  });

  it('three ordinal categories: unweighted, linear and quadratic weights', () => {
    // 50 items; expected values computed independently (numpy, agreement- and
    // disagreement-weight formulations agree): 0.51160, 0.56226, 0.61964.
    const table = [
      [11, 3, 1],
      [4, 14, 4],
      [1, 3, 9],
    ];
    expect(cohensKappa(pairsOf(table), 3, 'unweighted')).toBeCloseTo(0.5116, 4);
    expect(cohensKappa(pairsOf(table), 3, 'linear')).toBeCloseTo(0.56226, 4);
    expect(cohensKappa(pairsOf(table), 3, 'quadratic')).toBeCloseTo(0.61964, 4);
  });

  it('is 1 for perfect agreement and undefined when chance agreement is already perfect', () => {
    expect(cohensKappa(pairsOf([[3, 0], [0, 4]]), 2, 'linear')).toBe(1); // prettier-ignore
    expect(cohensKappa([{ rater: 1, reference: 1 }], 3)).toBeNull();
    expect(cohensKappa([], 3)).toBeNull();
  });

  it('is negative for systematic disagreement', () => {
    expect(cohensKappa(pairsOf([[0, 5], [5, 0]]), 2, 'unweighted')).toBe(-1); // prettier-ignore
  });

  it('refuses scores outside the scale', () => {
    expect(() => cohensKappa([{ rater: 3, reference: 0 }], 3)).toThrow(RangeError);
  });
});

describe('intraclass correlation', () => {
  it('Shrout & Fleiss (1979) Table 2: ICC(1,1)=.17, ICC(2,1)=.29, ICC(3,1)=.71', () => {
    const ratings = [
      [9, 2, 5, 8],
      [6, 1, 3, 2],
      [8, 4, 6, 8],
      [7, 1, 2, 6],
      [10, 5, 6, 9],
      [6, 2, 4, 7],
    ];
    const icc = intraclassCorrelation(ratings)!;
    expect(icc.icc1).toBeCloseTo(0.17, 2);
    expect(icc.icc2).toBeCloseTo(0.29, 2);
    expect(icc.icc3).toBeCloseTo(0.71, 2);
  });

  it('is 1 when every rater gives the same score and null without variance', () => {
    expect(intraclassCorrelation([[0, 0], [1, 1], [2, 2]])?.icc2).toBeCloseTo(1, 10); // prettier-ignore
    expect(intraclassCorrelation([[1, 1], [1, 1]])).toBeNull(); // prettier-ignore
    expect(intraclassCorrelation([[1, 2]])).toBeNull();
  });
});

describe('exact and adjacent agreement', () => {
  it('counts exact and within-one-step pairs', () => {
    const result = itemAgreement([
      { rater: 0, reference: 0 },
      { rater: 1, reference: 2 },
      { rater: 0, reference: 2 },
      { rater: 2, reference: 2 },
    ]);
    expect(result).toEqual({ n: 4, exact: 2, adjacent: 3, exactRate: 0.5, adjacentRate: 0.75 });
    expect(itemAgreement([]).exactRate).toBeNull();
  });

  it('measures level distance by position', () => {
    expect(levelDistance(['low', 'moderate', 'high'], 'low', 'high')).toBe(2);
    expect(levelDistance(['low', 'moderate', 'high'], 'low', 'unknown')).toBeNull();
  });
});

describe('properties', () => {
  const scores = (k: number, n: number) =>
    fc.array(fc.integer({ min: 0, max: k - 1 }), { minLength: n, maxLength: n });

  it('a trainee who copies the reference agrees perfectly', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 5 }), fc.integer({ min: 2, max: 60 }), (k, n) =>
        fc.assert(
          fc.property(scores(k, n), (reference) => {
            const pairs = reference.map((r) => ({ rater: r, reference: r }));
            const agreement = itemAgreement(pairs);
            expect(agreement.exactRate).toBe(1);
            expect(agreement.adjacentRate).toBe(1);
            for (const weights of ['unweighted', 'linear', 'quadratic'] as const) {
              const kappa = cohensKappa(pairs, k, weights);
              // Undefined only when the reference uses a single category.
              if (new Set(reference).size > 1) expect(kappa).toBeCloseTo(1, 10);
              else expect(kappa).toBeNull();
            }
          }),
          { numRuns: 5 },
        ),
      ),
      { numRuns: 40 },
    );
  }, 30_000);

  it('a trainee who answers at random stays near chance (|kappa| small)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 4 }),
        fc.array(fc.integer({ min: 0, max: 2 ** 31 - 1 }), { minLength: 1, maxLength: 1 }),
        (k, [seed]) => {
          // A reference and an independent random rater over 2,000 items (mulberry32).
          let state = seed;
          const next = () => {
            state = (state + 0x6d2b79f5) | 0;
            let x = Math.imul(state ^ (state >>> 15), 1 | state);
            x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
            return (((x ^ (x >>> 14)) >>> 0) / 4294967296) * k;
          };
          const draw = () => Math.floor(next());
          const pairs = Array.from({ length: 2000 }, () => ({ reference: draw(), rater: draw() }));
          for (const weights of ['unweighted', 'linear', 'quadratic'] as const) {
            expect(Math.abs(cohensKappa(pairs, k, weights)!)).toBeLessThan(0.1);
          }
          expect(itemAgreement(pairs).exactRate!).toBeGreaterThan(1 / k - 0.06);
          expect(itemAgreement(pairs).exactRate!).toBeLessThan(1 / k + 0.06);
        },
      ),
      { numRuns: 40 },
    );
  }, 30_000);
});
