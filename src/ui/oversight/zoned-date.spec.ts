import { describe, expect, it } from '@jest/globals';
import { nextDay, startOfDay, zonedInstant } from './zoned-date.js';

describe('startOfDay', () => {
  it('is midnight in the zone, as an instant', () => {
    expect(startOfDay('2026-12-02', 'Asia/Almaty')).toBe('2026-12-01T19:00:00.000Z');
    expect(startOfDay('2026-12-02', 'UTC')).toBe('2026-12-02T00:00:00.000Z');
    expect(startOfDay('2026-07-01', 'Europe/London')).toBe('2026-06-30T23:00:00.000Z');
  });

  it('is right on a day whose clocks change', () => {
    expect(startOfDay('2026-03-29', 'Europe/London')).toBe('2026-03-29T00:00:00.000Z');
    expect(startOfDay('2026-03-30', 'Europe/London')).toBe('2026-03-29T23:00:00.000Z');
  });

  it('places a time of day in the zone', () => {
    expect(zonedInstant('2026-12-02', '14:30', 'Asia/Almaty')).toBe('2026-12-02T09:30:00.000Z');
  });

  it('knows the next day across months and years', () => {
    expect(nextDay('2026-12-31')).toBe('2027-01-01');
    expect(nextDay('2028-02-28')).toBe('2028-02-29');
  });
});
