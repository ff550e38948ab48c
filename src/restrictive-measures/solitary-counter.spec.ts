import { describe, expect, it } from '@jest/globals';
import { addDays, countSolitary, type CountedMeasure } from './solitary-counter.js';

const measure = (over: Partial<CountedMeasure> = {}): CountedMeasure => ({
  type: 'solitary_confinement',
  startsOn: '2026-01-01',
  endedOn: null,
  days: new Map(),
  ...over,
});

describe('countSolitary', () => {
  it('counts unrecorded days of solitary confinement from the first day', () => {
    expect(countSolitary([measure()], '2026-01-01')).toEqual({
      consecutiveDays: 1,
      since: '2026-01-01',
      level: 'none',
    });
    expect(countSolitary([measure()], addDays('2026-01-01', 11)).level).toBe('none');
    expect(countSolitary([measure()], addDays('2026-01-01', 12))).toMatchObject({
      consecutiveDays: 13,
      level: 'alert',
    });
    expect(countSolitary([measure()], addDays('2026-01-01', 14)).level).toBe('alert');
    expect(countSolitary([measure()], addDays('2026-01-01', 15))).toMatchObject({
      consecutiveDays: 16,
      level: 'breach',
    });
  });

  it('restarts after a day with more than two hours of meaningful contact', () => {
    const m = measure({ days: new Map([['2026-01-10', { meaningfulContactHours: 2.5 }]]) });
    expect(countSolitary([m], '2026-01-14')).toMatchObject({
      consecutiveDays: 4,
      since: '2026-01-11',
    });
    const short = measure({ days: new Map([['2026-01-10', { meaningfulContactHours: 2 }]]) });
    expect(countSolitary([short], '2026-01-14').consecutiveDays).toBe(14);
  });

  it('counts a separation only on recorded days without meaningful contact', () => {
    const days = new Map<string, { meaningfulContactHours: number }>();
    for (let i = 0; i < 16; i++) days.set(addDays('2026-01-01', i), { meaningfulContactHours: 0 });
    const separated = measure({ type: 'separation', days });
    expect(countSolitary([separated], '2026-01-16').level).toBe('breach');
    expect(countSolitary([measure({ type: 'separation' })], '2026-01-16').consecutiveDays).toBe(0);
  });

  it('joins back-to-back measures: re-issuing a measure does not reset the count', () => {
    const first = measure({ endedOn: '2026-01-08' });
    const second = measure({ startsOn: '2026-01-09' });
    expect(countSolitary([first, second], '2026-01-16').consecutiveDays).toBe(16);
  });

  it('stops at the end of a measure', () => {
    expect(countSolitary([measure({ endedOn: '2026-01-05' })], '2026-01-06').consecutiveDays).toBe(
      0,
    );
  });
});
