import { describe, expect, it } from '@jest/globals';
import { translator } from './catalogue.js';
import { formatDate, formatDateTime, formatDuration } from './format.js';

describe('date formats', () => {
  it('shows calendar dates as DD.MM.YYYY in Russian and "2 December 2026" in English', () => {
    expect(formatDate('2026-12-02', 'ru')).toBe('02.12.2026');
    expect(formatDate('2026-12-02', 'en')).toBe('2 December 2026');
  });

  it('never moves a calendar date across a time zone', () => {
    expect(formatDate('2026-01-01', 'ru', 'America/Los_Angeles')).toBe('01.01.2026');
    expect(formatDate('2026-01-01', 'en', 'Asia/Almaty')).toBe('1 January 2026');
  });

  it('shows instants in the configured zone, with the time where asked', () => {
    expect(formatDate('2026-12-01T20:30:00Z', 'ru', 'Asia/Almaty')).toBe('02.12.2026');
    expect(formatDateTime('2026-12-01T20:30:00Z', 'ru', 'Asia/Almaty')).toBe('02.12.2026, 01:30');
    expect(formatDateTime('2026-12-02T14:02:00Z', 'en', 'UTC')).toBe('2 December 2026, 14:02');
  });

  it('leaves empty values empty', () => {
    expect(formatDate(null, 'en')).toBe('');
    expect(formatDate(undefined, 'ru')).toBe('');
    expect(formatDateTime('', 'en')).toBe('');
  });

  it('says how long in hours when whole, else in minutes, in each language', () => {
    expect(formatDuration(4 * 3600, translator('en'))).toBe('4 hours');
    expect(formatDuration(4 * 3600, translator('ru'))).toBe('4 часа');
    expect(formatDuration(3600, translator('ru'))).toBe('1 час');
    expect(formatDuration(1800, translator('en'))).toBe('30 minutes');
    expect(formatDuration(1800, translator('ru'))).toBe('30 минут');
    expect(formatDuration(60, translator('ru'))).toBe('1 минуту');
    expect(formatDuration(90, translator('en'))).toBe('2 minutes');
  });
});
