/** One approved assessment on the chart; every text is already in the reader's language. */
export interface RiskChartPoint {
  /** ISO date or date-time: the point's position in time. */
  at: string;
  /** Level code, one of `levels`. */
  level: string;
  /** Shown beside the marker, e.g. "High, 02.12.2026". */
  label: string;
  /** The instrument version the assessment used; a change is marked on the chart. */
  version: string;
}

export interface RiskChartInput {
  /** Unique on the page: prefixes the ids that tie the caption and description to the chart. */
  id: string;
  caption: string;
  /** A summary in words for screen readers (`<desc>`). */
  description: string;
  /** Ordered lowest to highest, with their labels for the axis. */
  levels: { code: string; label: string }[];
  points: RiskChartPoint[];
  /** Label of a version change marker, e.g. "Version 1.1.0". */
  versionLabel: (version: string) => string;
}

const WIDTH = 720;
const LEFT = 190;
const RIGHT = 40;
const TOP = 40;
const ROW = 56;
const BOTTOM = 24;
const INK = '#0b0c0c';
const GRID = '#b1b4b6';
const LINE = '#1d70b8';

/** Marker shapes by level rank, so levels differ by shape as well as by position and text. */
const SHAPES = ['circle', 'square', 'triangle', 'diamond', 'star'] as const;

const escapeXml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

const round = (n: number) => Math.round(n * 10) / 10;

function marker(shape: (typeof SHAPES)[number], x: number, y: number): string {
  const r = 7;
  switch (shape) {
    case 'circle':
      return `<circle cx="${x}" cy="${y}" r="${r}" fill="${INK}"/>`;
    case 'square':
      return `<rect x="${round(x - r)}" y="${round(y - r)}" width="${2 * r}" height="${2 * r}" fill="${INK}"/>`;
    case 'triangle':
      return `<polygon points="${x},${round(y - r - 1)} ${round(x + r + 1)},${round(y + r)} ${round(x - r - 1)},${round(y + r)}" fill="${INK}"/>`;
    case 'diamond':
      return `<polygon points="${x},${round(y - r - 2)} ${round(x + r + 2)},${y} ${x},${round(y + r + 2)} ${round(x - r - 2)},${y}" fill="${INK}"/>`;
    default:
      return `<polygon points="${x},${y - 9} ${x + 3},${y - 3} ${x + 9},${y - 3} ${x + 4},${y + 2} ${x + 6},${y + 9} ${x},${y + 5} ${x - 6},${y + 9} ${x - 4},${y + 2} ${x - 9},${y - 3} ${x - 3},${y - 3}" fill="${INK}"/>`;
  }
}

/**
 * Risk levels over time as an accessible inline SVG step chart: a figure with a caption, an SVG
 * with role="img" labelled by the caption and a description, a marker shape and a text label per
 * point (never colour alone), and a dashed line where the instrument version changes. Styling is
 * by presentation attributes only, so a strict CSP needs no inline style. The page shows the
 * same data as a table beneath. Pure: the same input gives the same markup.
 */
export function riskTrajectorySvg(input: RiskChartInput): string {
  const rank = new Map(input.levels.map((l, i) => [l.code, i]));
  const points = input.points.filter((p) => rank.has(p.level));
  const height = TOP + ROW * Math.max(input.levels.length - 1, 1) + BOTTOM + 24;
  const yOf = (level: string) => TOP + ROW * (input.levels.length - 1 - rank.get(level)!);
  const times = points.map((p) => new Date(p.at).getTime());
  const first = Math.min(...times);
  const span = Math.max(...times) - first;
  const plotWidth = WIDTH - LEFT - RIGHT;
  const xOf = (i: number) =>
    round(
      points.length === 1 || span === 0
        ? LEFT + plotWidth / 2
        : LEFT + ((times[i] - first) / span) * plotWidth,
    );

  const parts: string[] = [];
  input.levels.forEach((level) => {
    const y = yOf(level.code);
    parts.push(
      `<line x1="${LEFT - 10}" y1="${y}" x2="${WIDTH - RIGHT + 10}" y2="${y}" stroke="${GRID}" stroke-width="1"/>`,
      `<text x="${LEFT - 20}" y="${y + 5}" text-anchor="end" fill="${INK}" class="app-chart__label">${escapeXml(level.label)}</text>`,
    );
  });
  if (points.length > 1) {
    const steps = points.map((p, i) => {
      const x = xOf(i);
      const y = yOf(p.level);
      return i === 0 ? `${x},${y}` : `${x},${yOf(points[i - 1].level)} ${x},${y}`;
    });
    parts.push(
      `<polyline points="${steps.join(' ')}" fill="none" stroke="${LINE}" stroke-width="3"/>`,
    );
  }
  points.forEach((p, i) => {
    if (i > 0 && p.version !== points[i - 1].version) {
      const x = round((xOf(i - 1) + xOf(i)) / 2);
      parts.push(
        `<line x1="${x}" y1="${TOP - 24}" x2="${x}" y2="${height - BOTTOM}" stroke="${INK}" stroke-width="2" stroke-dasharray="6 4"/>`,
        `<text x="${x + 4}" y="${TOP - 28}" fill="${INK}" class="app-chart__label">${escapeXml(input.versionLabel(p.version))}</text>`,
      );
    }
  });
  points.forEach((p, i) => {
    const x = xOf(i);
    const y = yOf(p.level);
    const shape = SHAPES[Math.min(rank.get(p.level)!, SHAPES.length - 1)];
    // Labels at the ends run inwards, so they stay inside the drawing.
    const anchor =
      points.length === 1
        ? 'middle'
        : i === 0
          ? 'start'
          : i === points.length - 1
            ? 'end'
            : 'middle';
    const dx = anchor === 'start' ? -8 : anchor === 'end' ? 8 : 0;
    parts.push(
      marker(shape, x, y),
      `<text x="${round(x + dx)}" y="${y + 26}" text-anchor="${anchor}" fill="${INK}" class="app-chart__label">${escapeXml(p.label)}</text>`,
    );
  });

  const caption = `${input.id}-caption`;
  const desc = `${input.id}-desc`;
  return [
    `<figure class="app-chart" id="${escapeXml(input.id)}">`,
    `<figcaption id="${escapeXml(caption)}">${escapeXml(input.caption)}</figcaption>`,
    `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="${escapeXml(caption)} ${escapeXml(desc)}" viewBox="0 0 ${WIDTH} ${height}" width="${WIDTH}" height="${height}" focusable="false">`,
    `<desc id="${escapeXml(desc)}">${escapeXml(input.description)}</desc>`,
    ...parts,
    `</svg>`,
    `</figure>`,
  ].join('\n');
}
