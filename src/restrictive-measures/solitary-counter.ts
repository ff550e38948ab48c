/**
 * Counting solitary confinement (Mandela Rules 43-45). Solitary confinement is confinement for
 * 22 hours or more a day without meaningful human contact (Rule 44), whatever the measure is
 * called: a day of any restrictive measure counts when its daily record shows two hours or less
 * of meaningful contact; a day of a measure recorded as solitary confinement counts also when
 * nobody recorded it (no record of contact is no evidence of contact). More than 15
 * consecutive days is prolonged solitary confinement, which Rule 43(1)(b) prohibits: the
 * service alerts from the 13th day so that it can be ended or independently reviewed in time.
 */

export const SOLITARY_HOURS = 22;
export const ALERT_FROM_DAY = 13;
export const PROLONGED_AFTER_DAYS = 15;

export type SolitaryLevel = 'none' | 'alert' | 'breach';

export interface CountedMeasure {
  type: string;
  startsOn: string;
  endedOn: string | null;
  /** Daily records by day (YYYY-MM-DD). */
  days: Map<string, { meaningfulContactHours: number }>;
}

export interface SolitaryCount {
  /** Consecutive solitary days ending on `asOf` (0 when `asOf` was not one). */
  consecutiveDays: number;
  /** The first day of that run, or null. */
  since: string | null;
  level: SolitaryLevel;
}

export const addDays = (day: string, n: number): string => {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
};

export const daysBetween = (from: string, to: string): number =>
  Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);

/** Whether the prisoner spent `day` in solitary confinement, as far as the records go. */
export function solitaryOn(measures: CountedMeasure[], day: string): boolean {
  const covering = measures.filter(
    (m) => m.startsOn <= day && (m.endedOn === null || day <= m.endedOn),
  );
  if (covering.length === 0) return false;
  const records = covering.flatMap((m) => {
    const r = m.days.get(day);
    return r ? [r] : [];
  });
  if (records.length > 0)
    return records.every((r) => 24 - r.meaningfulContactHours >= SOLITARY_HOURS);
  return covering.some((m) => m.type === 'solitary_confinement');
}

export const levelOf = (consecutiveDays: number): SolitaryLevel =>
  consecutiveDays > PROLONGED_AFTER_DAYS
    ? 'breach'
    : consecutiveDays >= ALERT_FROM_DAY
      ? 'alert'
      : 'none';

/** The run of solitary days of one prisoner that ends on `asOf`, over all their measures. */
export function countSolitary(measures: CountedMeasure[], asOf: string): SolitaryCount {
  const earliest = measures.reduce<string | null>(
    (min, m) => (min === null || m.startsOn < min ? m.startsOn : min),
    null,
  );
  let consecutiveDays = 0;
  let day = asOf;
  while (earliest !== null && day >= earliest && solitaryOn(measures, day)) {
    consecutiveDays += 1;
    day = addDays(day, -1);
  }
  return {
    consecutiveDays,
    since: consecutiveDays > 0 ? addDays(asOf, 1 - consecutiveDays) : null,
    level: levelOf(consecutiveDays),
  };
}
