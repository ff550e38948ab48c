/**
 * The instant a calendar day starts in a time zone (the pages' `UI_TIME_ZONE`, else the
 * server's), as an ISO string: what a supervisor means by "from 2 December".
 */
export function startOfDay(date: string, timeZone?: string): string {
  return zonedInstant(date, '00:00', timeZone);
}

/** The instant a wall-clock time (HH:MM) of a calendar day is in a time zone, as ISO. */
export function zonedInstant(date: string, time: string, timeZone?: string): string {
  const noonUtc = new Date(`${date}T12:00:00Z`);
  if (Number.isNaN(noonUtc.getTime()) || !/^\d{2}:\d{2}$/.test(time))
    throw new RangeError(`not a date and time: ${date} ${time}`);
  if (!timeZone) return new Date(`${date}T${time}:00`).toISOString();
  const guess = Date.parse(`${date}T${time}:00Z`);
  // The zone's offset at that moment, read back from how it writes the moment; twice, so a
  // day that starts just after a clock change is still right.
  let instant = guess - offsetAt(guess, timeZone);
  instant = guess - offsetAt(instant, timeZone);
  return new Date(instant).toISOString();
}

/** The day after a calendar day (YYYY-MM-DD). */
export function nextDay(date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

function offsetAt(instant: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(instant));
  const get = (type: string) => Number(parts.find((p) => p.type === type)!.value);
  const local = Date.UTC(
    get('year'),
    get('month') - 1,
    get('day'),
    get('hour'),
    get('minute'),
    get('second'),
  );
  return local - Math.floor(instant / 1000) * 1000;
}
