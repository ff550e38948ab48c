import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { suppress, type SuppressedTable } from './suppression.js';

/**
 * Which suppressed cells the visible ones determine, by linear algebra (independent of the
 * graph reasoning in suppression.ts): every row and column of the extended table is an
 * equation (its cells sum to its total); a suppressed cell is determined when every solution
 * of the system gives it the same value.
 */
function determined(t: SuppressedTable): [number, number][] {
  const R = t.values.length;
  const C = t.values[0].length;
  const unknowns: [number, number][] = [];
  const index = new Map<string, number>();
  for (let r = 0; r < R; r++)
    for (let c = 0; c < C; c++)
      if (t.suppressed[r][c]) {
        index.set(`${r},${c}`, unknowns.length);
        unknowns.push([r, c]);
      }
  const rows: number[][] = [];
  const equation = (cells: [number, number, number][]) => {
    const row = new Array(unknowns.length).fill(0);
    let rhs = 0;
    for (const [r, c, sign] of cells) {
      const k = index.get(`${r},${c}`);
      if (k === undefined) rhs -= sign * t.values[r][c];
      else row[k] += sign;
    }
    rows.push([...row, rhs]);
  };
  for (let r = 0; r < R; r++)
    equation([...Array(C).keys()].map((c) => [r, c, c === C - 1 ? -1 : 1]));
  for (let c = 0; c < C; c++)
    equation([...Array(R).keys()].map((r) => [r, c, r === R - 1 ? -1 : 1]));
  // Reduced row echelon form.
  const n = unknowns.length;
  const pivots: number[] = [];
  let lead = 0;
  for (let col = 0; col < n && lead < rows.length; col++) {
    const p = rows.findIndex((row, i) => i >= lead && Math.abs(row[col]) > 1e-9);
    if (p < 0) continue;
    [rows[lead], rows[p]] = [rows[p], rows[lead]];
    const pv = rows[lead][col];
    rows[lead] = rows[lead].map((v) => v / pv);
    for (let i = 0; i < rows.length; i++) {
      if (i === lead || Math.abs(rows[i][col]) < 1e-9) continue;
      const f = rows[i][col];
      rows[i] = rows[i].map((v, j) => v - f * rows[lead][j]);
    }
    pivots.push(col);
    lead++;
  }
  const free = new Set([...Array(n).keys()].filter((k) => !pivots.includes(k)));
  return pivots
    .filter((col, i) => [...free].every((f) => Math.abs(rows[i][f]) < 1e-9))
    .map((col) => unknowns[col]);
}

const tables = fc
  .record({ rows: fc.integer({ min: 1, max: 7 }), cols: fc.integer({ min: 1, max: 6 }) })
  .chain(({ rows, cols }) =>
    fc.array(
      fc.array(fc.oneof(fc.integer({ min: 0, max: 6 }), fc.integer({ min: 0, max: 60 })), {
        minLength: cols,
        maxLength: cols,
      }),
      { minLength: rows, maxLength: rows },
    ),
  );

describe('suppress', () => {
  it('shows no cell below the threshold and leaves no suppressed cell derivable', () => {
    fc.assert(
      fc.property(tables, fc.integer({ min: 1, max: 10 }), (cells, threshold) => {
        const t = suppress(cells, threshold);
        for (let r = 0; r < t.values.length; r++)
          for (let c = 0; c < t.values[r].length; c++)
            if (!t.suppressed[r][c]) expect(t.values[r][c]).toBeGreaterThanOrEqual(threshold);
        expect(determined(t)).toEqual([]);
      }),
      { numRuns: 400 },
    );
  });

  it('keeps the margins right and suppresses nothing that needs no protection', () => {
    const t = suppress(
      [
        [10, 20],
        [30, 40],
      ],
      5,
    );
    expect(t.values).toEqual([
      [10, 20, 30],
      [30, 40, 70],
      [40, 60, 100],
    ]);
    expect(t.suppressed.flat().some(Boolean)).toBe(false);
  });

  it('suppresses a second cell of the row and column of a small one', () => {
    const t = suppress(
      [
        [3, 20, 9],
        [30, 40, 12],
      ],
      5,
    );
    expect(t.suppressed[0][0]).toBe(true);
    expect(t.suppressed[0].filter(Boolean).length).toBeGreaterThanOrEqual(2);
    expect(t.suppressed.map((row) => row[0]).filter(Boolean).length).toBeGreaterThanOrEqual(2);
    expect(determined(t)).toEqual([]);
  });

  it('the checker itself finds a cell left derivable from its row total', () => {
    const values = [
      [3, 20, 23],
      [30, 40, 70],
      [33, 60, 93],
    ];
    const suppressed = values.map((row) => row.map(() => false));
    suppressed[0][0] = true;
    expect(determined({ values, suppressed })).toEqual([[0, 0]]);
  });
});
