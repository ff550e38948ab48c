import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { derivableCells as determined } from '../../test/support/derivable-cells.js';
import { suppress } from './suppression.js';

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
