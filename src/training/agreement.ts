/**
 * Agreement statistics for calibration: how closely a rater's ordinal ratings match a reference
 * (or other raters). Pure functions over numbers; the training service feeds them scores
 * (an option's `score` in the instrument's scale).
 */

/** One item rated by both: the trainee's and the reference's score. */
export interface RatingPair {
  rater: number;
  reference: number;
}

export type KappaWeights = 'unweighted' | 'linear' | 'quadratic';

export interface ItemAgreement {
  /** Pairs where both rated the item. */
  n: number;
  exact: number;
  /** Within one scale step (includes exact). */
  adjacent: number;
  /** Proportions; null when n is 0. */
  exactRate: number | null;
  adjacentRate: number | null;
}

/** Exact and adjacent (within one step) agreement over pairs of scores. */
export function itemAgreement(pairs: readonly RatingPair[]): ItemAgreement {
  let exact = 0;
  let adjacent = 0;
  for (const { rater, reference } of pairs) {
    const gap = Math.abs(rater - reference);
    if (gap === 0) exact += 1;
    if (gap <= 1) adjacent += 1;
  }
  const n = pairs.length;
  return {
    n,
    exact,
    adjacent,
    exactRate: n === 0 ? null : exact / n,
    adjacentRate: n === 0 ? null : adjacent / n,
  };
}

/**
 * Cohen's kappa for two raters on an ordinal scale of `categories` ordered values 0..k-1,
 * unweighted or with linear or quadratic agreement weights (Cohen 1968):
 * kappa_w = (Po - Pe) / (1 - Pe), with Po and Pe the weighted observed and chance agreement.
 * Returns null when it is undefined: no pairs, or chance agreement is already perfect (both
 * raters used a single, identical category throughout).
 */
export function cohensKappa(
  pairs: readonly RatingPair[],
  categories: number,
  weights: KappaWeights = 'linear',
): number | null {
  if (pairs.length === 0 || categories < 2) return null;
  const k = categories;
  const table = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (const { rater, reference } of pairs) {
    if (!inRange(rater, k) || !inRange(reference, k))
      throw new RangeError(`scores must be integers from 0 to ${k - 1}`);
    table[rater][reference] += 1;
  }
  const n = pairs.length;
  const rows = table.map((row) => row.reduce((a, b) => a + b, 0) / n);
  const cols = table[0].map((_, j) => table.reduce((a, row) => a + row[j], 0) / n);
  const weight = (i: number, j: number): number => {
    if (weights === 'unweighted') return i === j ? 1 : 0;
    const d = Math.abs(i - j) / (k - 1);
    return weights === 'linear' ? 1 - d : 1 - d * d;
  };
  let observed = 0;
  let expected = 0;
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      observed += (weight(i, j) * table[i][j]) / n;
      expected += weight(i, j) * rows[i] * cols[j];
    }
  }
  if (1 - expected < 1e-12) return null;
  return (observed - expected) / (1 - expected);
}

const inRange = (value: number, k: number) => Number.isInteger(value) && value >= 0 && value < k;

export interface IccResult {
  /** ICC(1,1): one-way random effects, single rater. */
  icc1: number;
  /** ICC(2,1): two-way random effects, absolute agreement, single rater. */
  icc2: number;
  /** ICC(3,1): two-way mixed effects, consistency, single rater. */
  icc3: number;
}

/**
 * Intraclass correlations (Shrout & Fleiss 1979) of an n targets x k raters matrix, from the
 * two-way ANOVA mean squares. Null when there are fewer than two targets or raters, a row has
 * a missing rating, or the denominators vanish (no variance at all).
 */
export function intraclassCorrelation(matrix: readonly (readonly number[])[]): IccResult | null {
  const n = matrix.length;
  const k = matrix[0]?.length ?? 0;
  if (n < 2 || k < 2 || matrix.some((row) => row.length !== k)) return null;
  const grand = matrix.flat().reduce((a, b) => a + b, 0) / (n * k);
  const rowMeans = matrix.map((row) => row.reduce((a, b) => a + b, 0) / k);
  const colMeans = Array.from(
    { length: k },
    (_, j) => matrix.reduce((a, row) => a + row[j], 0) / n,
  );
  const total = matrix.flat().reduce((a, x) => a + (x - grand) ** 2, 0);
  const between = k * rowMeans.reduce((a, m) => a + (m - grand) ** 2, 0);
  const raters = n * colMeans.reduce((a, m) => a + (m - grand) ** 2, 0);
  const residual = total - between - raters;
  const bms = between / (n - 1);
  const wms = (total - between) / (n * (k - 1));
  const jms = raters / (k - 1);
  const ems = residual / ((n - 1) * (k - 1));
  const d1 = bms + (k - 1) * wms;
  const d2 = bms + (k - 1) * ems + (k * (jms - ems)) / n;
  const d3 = bms + (k - 1) * ems;
  if (Math.abs(d1) < 1e-12 || Math.abs(d2) < 1e-12 || Math.abs(d3) < 1e-12) return null;
  return {
    icc1: (bms - wms) / d1,
    icc2: (bms - ems) / d2,
    icc3: (bms - ems) / d3,
  };
}

/** Distance in levels between two final judgements, by their position in the level list. */
export function levelDistance(levels: readonly string[], a: string, b: string): number | null {
  const i = levels.indexOf(a);
  const j = levels.indexOf(b);
  return i < 0 || j < 0 ? null : Math.abs(i - j);
}
