import { describe, expect, it } from '@jest/globals';
import { shippedCatalogue } from '../instruments/rule-sets/fixtures/shipped.js';
import { phaseStarts, proposePlan } from './plan-content.js';

/** Issue 12 point 10: a proposed plan is sequenced by the phases its catalogue declares. */
describe('proposePlan with phases', () => {
  const needs = [
    { code: 'ideology', priority: 'high' as const },
    { code: 'identity_belonging', priority: 'medium' as const },
    { code: 'education', priority: 'low' as const },
    { code: 'practical_reintegration', priority: 'medium' as const },
  ];

  it('starts each phase when the one before it is planned to end, in phase order', async () => {
    const catalogue = await shippedCatalogue();
    const phase = (code: string) => catalogue.interventions.find((e) => e.code === code)!;
    phase('psychological_support').phase = 'motivation'; // P3M
    phase('cognitive_behavioural').phase = 'core_work'; // P5M
    phase('education').phase = 'core_work';
    phase('release_preparation').phase = 'release';
    const { interventions } = proposePlan(needs, catalogue, '2026-01-10', () => 'id');
    const shown = interventions.map((i) => [i.catalogueCode, i.plannedStart]);
    const motivationEnd = '2026-04-10';
    const longestCore = [phase('cognitive_behavioural'), phase('education')]
      .map((e) => e.dosage.duration)
      .sort()
      .at(-1);
    expect(longestCore).toBeDefined();
    // Without a phase: at once, first; then motivation, core work and release in that order.
    const unphased = shown.filter(([code]) =>
      catalogue.interventions.some((e) => e.code === code && !e.phase),
    );
    expect(unphased.every(([, start]) => start === '2026-01-10')).toBe(true);
    const order = shown.map(([code]) => code);
    expect(order.indexOf('psychological_support')).toBeGreaterThan(
      Math.max(...unphased.map(([code]) => order.indexOf(code))),
    );
    expect(order.indexOf('cognitive_behavioural')).toBeGreaterThan(
      order.indexOf('psychological_support'),
    );
    expect(order.indexOf('release_preparation')).toBeGreaterThan(order.indexOf('education'));
    const start = Object.fromEntries(shown);
    expect(start.psychological_support).toBe('2026-01-10');
    expect(start.cognitive_behavioural).toBe(motivationEnd);
    expect(start.education).toBe(motivationEnd);
    const starts = phaseStarts(
      catalogue.interventions.filter((e) =>
        [
          'psychological_support',
          'cognitive_behavioural',
          'education',
          'release_preparation',
        ].includes(e.code),
      ),
      '2026-01-10',
    );
    expect(start.release_preparation).toBe(starts.get('release'));
    expect(starts.get('release')! > motivationEnd).toBe(true);
    // Aftercare has no entries here: it starts when release work ends.
    expect(starts.get('aftercare')! > starts.get('release')!).toBe(true);
  });

  it('keeps every start at once for a catalogue without phases', async () => {
    const catalogue = await shippedCatalogue();
    const { interventions } = proposePlan(needs, catalogue, '2026-01-10', () => 'id');
    expect(interventions.length).toBeGreaterThan(2);
    expect(new Set(interventions.map((i) => i.plannedStart))).toEqual(new Set(['2026-01-10']));
  });
});
