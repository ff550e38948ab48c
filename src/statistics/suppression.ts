/**
 * Small-cell suppression of a table of counts with row totals, column totals and a grand total
 * (Mandela Rule 10 asks for aggregate data; nobody may be singled out from it).
 *
 * Primary: every cell (margins too) below the threshold is suppressed. Secondary: a suppressed
 * cell could still be recovered by subtracting the visible cells of its row or column from the
 * total, or by combining rows and columns. Seen as a bipartite graph (a node per row and per
 * column of the table extended by its margins, an edge per suppressed cell), a suppressed cell
 * is fixed by the visible values exactly when its edge is a bridge: when it lies on a cycle,
 * adding and subtracting the same amount around that cycle keeps every row and column sum, so
 * its value cannot be told. Each bridge is closed into a four-cycle with the cheapest other
 * cells, until there is none.
 */

export interface SuppressedTable {
  /** Extended table: rows 0..R-1 interior, R the column totals; column C is the row totals. */
  values: number[][];
  suppressed: boolean[][];
}

/** Extends `cells` (R x C) by its margins and suppresses as described above. */
export function suppress(cells: number[][], threshold: number): SuppressedTable {
  const rows = cells.length;
  const cols = rows > 0 ? cells[0].length : 0;
  const values: number[][] = cells.map((row) => [...row, row.reduce((a, b) => a + b, 0)]);
  const totals: number[] = [];
  for (let c = 0; c <= cols; c++) totals.push(values.reduce((sum, row) => sum + row[c], 0));
  values.push(totals);
  const suppressed = values.map((row) => row.map((v) => v < threshold));
  if (rows === 0 || cols === 0) return { values, suppressed };
  const R = rows + 1;
  const C = cols + 1;
  for (;;) {
    const bridge = findBridge(suppressed, R, C);
    if (!bridge) break;
    const [r, c] = bridge;
    let best: [number, number] | undefined;
    let bestCost = Infinity;
    for (let r2 = 0; r2 < R; r2++) {
      if (r2 === r) continue;
      for (let c2 = 0; c2 < C; c2++) {
        if (c2 === c) continue;
        const cost = [
          [r2, c],
          [r, c2],
          [r2, c2],
        ].reduce((sum, [i, j]) => sum + (suppressed[i][j] ? 0 : values[i][j] + 1), 0);
        if (cost < bestCost) {
          bestCost = cost;
          best = [r2, c2];
        }
      }
    }
    const [r2, c2] = best!;
    suppressed[r2][c] = true;
    suppressed[r][c2] = true;
    suppressed[r2][c2] = true;
  }
  return { values, suppressed };
}

/** A suppressed cell whose edge is a bridge (no cycle through it), or undefined. */
function findBridge(suppressed: boolean[][], R: number, C: number): [number, number] | undefined {
  const edges: [number, number][] = [];
  for (let r = 0; r < R; r++) for (let c = 0; c < C; c++) if (suppressed[r][c]) edges.push([r, c]);
  for (const [r, c] of edges) {
    // Is column c reachable from row r without the edge (r, c)?
    const seenRows = new Set<number>([r]);
    const seenCols = new Set<number>();
    const queue: ['r' | 'c', number][] = [['r', r]];
    let reached = false;
    while (queue.length > 0 && !reached) {
      const [kind, n] = queue.pop()!;
      if (kind === 'r') {
        for (let j = 0; j < C; j++) {
          if (!suppressed[n][j] || (n === r && j === c) || seenCols.has(j)) continue;
          if (j === c) {
            reached = true;
            break;
          }
          seenCols.add(j);
          queue.push(['c', j]);
        }
      } else {
        for (let i = 0; i < R; i++) {
          if (!suppressed[i][n] || seenRows.has(i)) continue;
          seenRows.add(i);
          queue.push(['r', i]);
        }
      }
    }
    if (!reached) return [r, c];
  }
  return undefined;
}
