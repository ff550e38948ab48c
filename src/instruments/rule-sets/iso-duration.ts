/** ISO-8601 durations as rule-sets use them: PnYnMnWnDTnHnMnS, integers only. */
export interface IsoDuration {
  years: number;
  months: number;
  weeks: number;
  days: number;
  hours: number;
  minutes: number;
  seconds: number;
}

const DURATION =
  /^P(?=\d|T\d)(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?=\d)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/;

export function parseIsoDuration(text: string): IsoDuration | null {
  const match = DURATION.exec(text);
  if (!match) return null;
  const [years, months, weeks, days, hours, minutes, seconds] = match
    .slice(1)
    .map((part) => (part === undefined ? 0 : Number(part)));
  return { years, months, weeks, days, hours, minutes, seconds };
}

export function isPositiveDuration(duration: IsoDuration): boolean {
  return Object.values(duration).some((part) => part > 0);
}

/**
 * Adds a duration to a date in UTC calendar arithmetic (P1M from 31 January is the last
 * day of February), for review due dates.
 */
export function addIsoDuration(date: Date, text: string): Date {
  const duration = parseIsoDuration(text);
  if (!duration) throw new RangeError(`not an ISO-8601 duration: ${text}`);
  const result = new Date(date.getTime());
  const day = result.getUTCDate();
  result.setUTCDate(1);
  result.setUTCFullYear(result.getUTCFullYear() + duration.years);
  result.setUTCMonth(result.getUTCMonth() + duration.months);
  const lastDay = new Date(
    Date.UTC(result.getUTCFullYear(), result.getUTCMonth() + 1, 0),
  ).getUTCDate();
  result.setUTCDate(Math.min(day, lastDay));
  result.setUTCDate(result.getUTCDate() + duration.weeks * 7 + duration.days);
  result.setTime(
    result.getTime() + ((duration.hours * 60 + duration.minutes) * 60 + duration.seconds) * 1000,
  );
  return result;
}
