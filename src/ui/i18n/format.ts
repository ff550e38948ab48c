import type { Locale, Translate } from './catalogue.js';

/** The formats users expect: 02.12.2026 in Russian, 2 December 2026 in English. */
const DATE_OPTIONS: Record<Locale, Intl.DateTimeFormatOptions> = {
  en: { day: 'numeric', month: 'long', year: 'numeric' },
  ru: { day: '2-digit', month: '2-digit', year: 'numeric' },
};
const INTL_LOCALE: Record<Locale, string> = { en: 'en-GB', ru: 'ru-RU' };

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * A calendar date (`YYYY-MM-DD`, shown as it is) or an instant (ISO date-time or Date, shown in
 * `timeZone`). Empty input gives an empty string.
 */
export function formatDate(
  value: string | Date | null | undefined,
  locale: Locale,
  timeZone?: string,
): string {
  if (value === null || value === undefined || value === '') return '';
  const dateOnly = typeof value === 'string' && DATE_ONLY.test(value);
  const date = dateOnly ? new Date(`${value}T00:00:00Z`) : new Date(value);
  if (Number.isNaN(date.getTime())) return String(value);
  return new Intl.DateTimeFormat(INTL_LOCALE[locale], {
    ...DATE_OPTIONS[locale],
    timeZone: dateOnly ? 'UTC' : timeZone,
  }).format(date);
}

/** An instant with its time of day: `2 December 2026, 14:02` / `02.12.2026, 14:02`. */
export function formatDateTime(
  value: string | Date | null | undefined,
  locale: Locale,
  timeZone?: string,
): string {
  if (value === null || value === undefined || value === '') return '';
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return String(value);
  const time = new Intl.DateTimeFormat(INTL_LOCALE[locale], {
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZone,
  }).format(date);
  return `${formatDate(date, locale, timeZone)}, ${time}`;
}

/** A time of day only: `14:02`. */
export function formatTime(value: string | Date, locale: Locale, timeZone?: string): string {
  return new Intl.DateTimeFormat(INTL_LOCALE[locale], {
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZone,
  }).format(new Date(value));
}

/** A length of time in words: whole hours as hours, anything else in minutes (rounded up). */
export function formatDuration(seconds: number, t: Translate): string {
  if (seconds >= 3600 && seconds % 3600 === 0) {
    return t('duration.hours', { count: seconds / 3600 });
  }
  return t('duration.minutes', { count: Math.max(1, Math.ceil(seconds / 60)) });
}
