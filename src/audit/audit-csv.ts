import type { AuditEventResponse } from './dto/audit-query.dto.js';

/** The columns of the CSV export, in order. */
const CSV_COLUMNS: (keyof AuditEventResponse | 'actorId' | 'actorUsername' | 'actorRoles')[] = [
  'seq',
  'occurredAt',
  'actorId',
  'actorUsername',
  'actorRoles',
  'action',
  'entityType',
  'entityId',
  'prisonerId',
  'facilityId',
  'outcome',
  'purpose',
  'requestId',
  'ip',
  'userAgent',
  'changedFields',
  'details',
  'chainId',
  'chainSeq',
  'prevHash',
  'hash',
];

/** Characters that make a spreadsheet read a cell as a formula. */
const FORMULA = /[=+\-@\t\r]/;
/** What a spreadsheet may split a cell on when the file is imported or pasted. */
const SEPARATOR = /[,;\t\r\n]/;

/**
 * A single quote before every formula character that opens the text or follows a separator:
 * a spreadsheet may start a cell there, not only at the cell's first character. CSV is for
 * people opening it in a spreadsheet; NDJSON, exported unchanged, is for programs.
 */
function neutraliseFormulas(text: string): string {
  if (!FORMULA.test(text)) return text;
  let out = '';
  let opening = true;
  for (const character of text) {
    if (opening && FORMULA.test(character)) out += "'";
    out += character;
    opening = SEPARATOR.test(character);
  }
  return out;
}

/** A CSV cell: always quoted, with spreadsheet formulas neutralised (see neutraliseFormulas). */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '""';
  const text = Array.isArray(value)
    ? value.join(';')
    : typeof value === 'object'
      ? JSON.stringify(value)
      : String(value);
  return `"${neutraliseFormulas(text).replace(/"/g, '""')}"`;
}

/** One exported event as a CSV line. */
export function csvLine(e: AuditEventResponse): string {
  const flat: Record<string, unknown> = {
    ...e,
    actorId: e.actor.id,
    actorUsername: e.actor.username,
    actorRoles: e.actor.roles,
  };
  return CSV_COLUMNS.map((c) => csvCell(flat[c])).join(',') + '\r\n';
}

/** The header line, quoted like every other line. */
export function csvHeader(): string {
  return CSV_COLUMNS.map(csvCell).join(',') + '\r\n';
}
