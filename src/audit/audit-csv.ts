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

/** What a cell's text needs work for: a formula character or a double quote. */
const NEEDS_WORK = /[=+\-@\t\r"]/;

/** A CSV cell: always quoted, with spreadsheet formulas neutralised (see neutraliseFormulas). */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '""';
  const text = Array.isArray(value)
    ? value.join(';')
    : typeof value === 'object'
      ? JSON.stringify(value)
      : String(value);
  // Most cells (identifiers, hashes, times, numbers) need neither: no regular expression work.
  if (!NEEDS_WORK.test(text)) return `"${text}"`;
  return `"${neutraliseFormulas(text).replace(/"/g, '""')}"`;
}

/** How each column's value is read from an event. */
const CELL_VALUES = CSV_COLUMNS.map((column): ((e: AuditEventResponse) => unknown) =>
  column === 'actorId'
    ? (e) => e.actor.id
    : column === 'actorUsername'
      ? (e) => e.actor.username
      : column === 'actorRoles'
        ? (e) => e.actor.roles
        : (e) => e[column],
);

/** One exported event as a CSV line. */
export function csvLine(e: AuditEventResponse): string {
  let line = csvCell(CELL_VALUES[0](e));
  for (let i = 1; i < CELL_VALUES.length; i++) line += ',' + csvCell(CELL_VALUES[i](e));
  return line + '\r\n';
}

/**
 * CSV lines for NDJSON lines (each ended by a newline, as the export renders them in SQL):
 * each line is parsed as JSON, which gives exactly the event /audit/events returns.
 */
export function csvLines(ndjson: string): string {
  let out = '';
  let start = 0;
  for (let end = ndjson.indexOf('\n'); end >= 0; end = ndjson.indexOf('\n', start)) {
    out += csvLine(JSON.parse(ndjson.slice(start, end)) as AuditEventResponse);
    start = end + 1;
  }
  return out;
}

/** The header line, quoted like every other line. */
export function csvHeader(): string {
  return CSV_COLUMNS.map(csvCell).join(',') + '\r\n';
}
