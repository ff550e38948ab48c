import { describe, expect, it } from '@jest/globals';
import { addIsoDuration, isPositiveDuration, parseIsoDuration } from './iso-duration.js';

describe('ISO-8601 durations', () => {
  it('parses the forms rule-sets use', () => {
    expect(parseIsoDuration('P3M')).toEqual({
      years: 0,
      months: 3,
      weeks: 0,
      days: 0,
      hours: 0,
      minutes: 0,
      seconds: 0,
    });
    expect(parseIsoDuration('P1Y2M3DT4H5M6S')).toEqual({
      years: 1,
      months: 2,
      weeks: 0,
      days: 3,
      hours: 4,
      minutes: 5,
      seconds: 6,
    });
    expect(parseIsoDuration('PT1H30M')?.minutes).toBe(30);
    expect(parseIsoDuration('P2W')?.weeks).toBe(2);
  });

  it('refuses malformed durations', () => {
    for (const bad of ['P', 'PT', '3M', 'P1.5M', 'P1MT', 'p3m', 'P-1D', 'P1H', ''])
      expect(parseIsoDuration(bad)).toBeNull();
  });

  it('tells zero durations apart', () => {
    expect(isPositiveDuration(parseIsoDuration('P0D')!)).toBe(false);
    expect(isPositiveDuration(parseIsoDuration('PT0S')!)).toBe(false);
    expect(isPositiveDuration(parseIsoDuration('P0Y1D')!)).toBe(true);
  });

  it('adds calendar durations in UTC, clamping to the end of the month', () => {
    const at = (iso: string) => new Date(iso);
    expect(addIsoDuration(at('2025-01-31T10:00:00Z'), 'P1M').toISOString()).toBe(
      '2025-02-28T10:00:00.000Z',
    );
    expect(addIsoDuration(at('2024-01-31T10:00:00Z'), 'P1M').toISOString()).toBe(
      '2024-02-29T10:00:00.000Z',
    );
    expect(addIsoDuration(at('2025-05-15T00:00:00Z'), 'P12M').toISOString()).toBe(
      '2026-05-15T00:00:00.000Z',
    );
    expect(addIsoDuration(at('2025-12-20T00:00:00Z'), 'P2W').toISOString()).toBe(
      '2026-01-03T00:00:00.000Z',
    );
    expect(addIsoDuration(at('2025-03-01T23:00:00Z'), 'PT1H30M').toISOString()).toBe(
      '2025-03-02T00:30:00.000Z',
    );
    expect(() => addIsoDuration(at('2025-01-01T00:00:00Z'), 'three months')).toThrow(RangeError);
  });
});
