import { describe, expect, it } from '@jest/globals';
import { riskTrajectorySvg, type RiskChartInput } from './risk-trajectory-svg.js';

const input = (overrides: Partial<RiskChartInput> = {}): RiskChartInput => ({
  id: 'risk-chart-1',
  caption: 'Final risk level over time: Instrument',
  description: '3 approved assessments from 10 January 2025 to 10 March 2026. Latest level: Low.',
  levels: [
    { code: 'low', label: 'Low' },
    { code: 'moderate', label: 'Moderate' },
    { code: 'high', label: 'High' },
  ],
  points: [
    {
      at: '2025-01-10T10:00:00Z',
      level: 'high',
      label: 'High · 10 January 2025',
      version: '1.0.0',
    },
    {
      at: '2025-07-10T10:00:00Z',
      level: 'moderate',
      label: 'Moderate · 10 July 2025',
      version: '1.0.0',
    },
    { at: '2026-03-10T10:00:00Z', level: 'low', label: 'Low · 10 March 2026', version: '1.1.0' },
  ],
  versionLabel: (version) => `Version ${version}`,
  ...overrides,
});

describe('riskTrajectorySvg', () => {
  it('is a figure whose SVG is an image named by the caption and described in words', () => {
    const svg = riskTrajectorySvg(input());
    expect(svg).toMatch(/^<figure class="app-chart" id="risk-chart-1">/);
    expect(svg).toContain(
      '<figcaption id="risk-chart-1-caption">Final risk level over time: Instrument</figcaption>',
    );
    expect(svg).toContain('role="img" aria-labelledby="risk-chart-1-caption risk-chart-1-desc"');
    expect(svg).toContain(
      '<desc id="risk-chart-1-desc">3 approved assessments from 10 January 2025 to 10 March 2026. Latest level: Low.</desc>',
    );
    expect(svg).toMatch(/<\/svg>\n<\/figure>$/);
  });

  it('draws a step line through the points, highest level at the top', () => {
    const svg = riskTrajectorySvg(input());
    // x from 190 to 680 by time; y: high 40, moderate 96, low 152.
    const line = /<polyline points="([^"]+)"/.exec(svg)![1];
    const pairs = line.split(' ').map((p) => p.split(',').map(Number));
    expect(pairs[0]).toEqual([190, 40]);
    expect(pairs.at(-1)).toEqual([680, 152]);
    // Each step is horizontal then vertical: the level holds until the next assessment.
    expect(pairs[1][1]).toBe(40);
    expect(pairs[2][1]).toBe(96);
    for (let i = 1; i < pairs.length; i += 2) expect(pairs[i][0]).toBe(pairs[i + 1][0]);
  });

  it('marks each point by a shape per level and by text, not by colour alone', () => {
    const svg = riskTrajectorySvg(input());
    expect(svg).toContain('<circle cx="680" cy="152"'); // low
    expect(svg).toMatch(/<rect x="[\d.]+" y="89"/); // moderate
    expect(svg).toMatch(/<polygon points="190,32 /); // high: a triangle
    for (const label of [
      'High · 10 January 2025',
      'Moderate · 10 July 2025',
      'Low · 10 March 2026',
    ]) {
      expect(svg).toContain(`>${label}</text>`);
    }
    for (const level of ['Low', 'Moderate', 'High']) expect(svg).toContain(`>${level}</text>`);
  });

  it('marks where the instrument version changes, once', () => {
    const svg = riskTrajectorySvg(input());
    expect(svg.match(/stroke-dasharray/g)).toHaveLength(1);
    expect(svg).toContain('>Version 1.1.0</text>');
    expect(svg).not.toContain('Version 1.0.0');
  });

  it('styles by presentation attributes only, so a strict CSP needs no inline style', () => {
    const svg = riskTrajectorySvg(input());
    expect(svg).not.toMatch(/style=/);
    expect(svg).not.toMatch(/<style/);
    expect(svg).toContain('stroke="#1d70b8"');
  });

  it('escapes every text it places', () => {
    const svg = riskTrajectorySvg(
      input({
        caption: '<script>alert(1)</script>',
        description: 'a & b "c"',
        levels: [{ code: 'low', label: "Low <'x'>" }],
        points: [{ at: '2025-01-01', level: 'low', label: '</text><script>', version: '1' }],
      }),
    );
    expect(svg).not.toContain('<script>');
    expect(svg).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(svg).toContain('a &amp; b &quot;c&quot;');
    expect(svg).toContain('Low &lt;&#39;x&#39;&gt;');
    expect(svg).toContain('&lt;/text&gt;&lt;script&gt;');
  });

  it('centres a single point and leaves out levels the scale does not know', () => {
    const svg = riskTrajectorySvg(
      input({
        points: [
          { at: '2025-01-01', level: 'moderate', label: 'M', version: '1' },
          { at: '2025-02-01', level: 'unknown', label: 'U', version: '1' },
        ],
      }),
    );
    expect(svg).toContain('<rect x="428" y="89"');
    expect(svg).not.toContain('<polyline');
    expect(svg).not.toContain('>U</text>');
  });

  it('gives the same markup for the same input', () => {
    expect(riskTrajectorySvg(input())).toBe(riskTrajectorySvg(input()));
  });
});
