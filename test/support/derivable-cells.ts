/**
 * Which suppressed cells the visible ones determine, by linear algebra (independent of the
 * graph reasoning in suppression.ts): every row and column of the extended table is an
 * equation (its cells sum to its total); a suppressed cell is determined when every solution
 * of the system gives it the same value.
 */
export function derivableCells(t: {
  values: number[][];
  suppressed: boolean[][];
}): [number, number][] {
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
