/**
 * The subject-access copy as plain data: every record about a prisoner as a list of fields,
 * redactions applied from the register, and the text each value is shown as. No Nest imports.
 */

export const COPY_RECORD_TYPES = [
  'particulars',
  'assessment',
  'plan',
  'session',
  'review',
  'event',
  'challenge',
  'complaint',
  'disclosure',
] as const;
export type CopyRecordType = (typeof COPY_RECORD_TYPES)[number];

/**
 * Fields of an assessment outside its programme view: clinical content (Mandela Rule 32), in the
 * prisoner's copy but never shown to the supervisor who prepares it.
 */
export const CLINICAL_ASSESSMENT_FIELDS: ReadonlySet<string> = new Set([
  'finalRationale',
  'formulation',
  'scenarios',
  'ratings',
  'indicative',
  'prisonerParticipation',
  'clinicalRecommendations',
]);

export const isClinical = (type: CopyRecordType, field: string) =>
  type === 'assessment' && CLINICAL_ASSESSMENT_FIELDS.has(field);

export interface CopyField {
  name: string;
  value: unknown;
  /** Clinical content (outside the assessment programme view): not shown to the preparer. */
  clinical: boolean;
}

export interface CopyRecord {
  type: CopyRecordType;
  id: string;
  /** The record's date (YYYY-MM-DD or ISO date-time), for ordering and headings. */
  date: string | null;
  fields: CopyField[];
}

export interface RegisterEntry {
  element: string;
  ground: string;
}

/** A record's element key (`assessment/<id>`) and one field's (`assessment/<id>/formulation`). */
export const recordKey = (r: Pick<CopyRecord, 'type' | 'id'>) => `${r.type}/${r.id}`;
export const fieldKey = (r: Pick<CopyRecord, 'type' | 'id'>, name: string) =>
  `${recordKey(r)}/${name}`;

/** Every element of the copy that can be withheld: each record and each of its fields. */
export function elementsOf(records: CopyRecord[]): Set<string> {
  const keys = new Set<string>();
  for (const r of records) {
    keys.add(recordKey(r));
    for (const f of r.fields) keys.add(fieldKey(r, f.name));
  }
  return keys;
}

/** How a value reads on paper and in the bundle: text, one line per list item. */
export function displayValue(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) {
    const items = value.map(displayValue).filter((v): v is string => v !== null && v !== '');
    return items.join('\n');
  }
  if (value instanceof Date) return value.toISOString();
  return Object.entries(value as Record<string, unknown>)
    .map(([k, v]) => [k, displayValue(v)] as const)
    .filter(([, v]) => v !== null && v !== '')
    .map(([k, v]) => `${k}: ${v!.replace(/\n/g, ', ')}`)
    .join('; ');
}

export interface CopyFieldOut {
  name: string;
  element: string;
  /** Null when redacted (or empty). */
  value: string | null;
  /** The ground it was redacted on. */
  redacted: string | null;
}

export interface CopyRecordOut {
  type: CopyRecordType;
  id: string;
  element: string;
  date: string | null;
  /** The ground the whole record was withheld on (its fields are then left out). */
  withheld: string | null;
  fields: CopyFieldOut[];
}

/** The records as the prisoner receives them: withheld records emptied, redacted fields blanked. */
export function applyRegister(records: CopyRecord[], register: RegisterEntry[]): CopyRecordOut[] {
  const grounds = new Map(register.map((e) => [e.element, e.ground]));
  return records.map((r) => {
    const withheld = grounds.get(recordKey(r)) ?? null;
    return {
      type: r.type,
      id: r.id,
      element: recordKey(r),
      date: r.date,
      withheld,
      fields: withheld
        ? []
        : r.fields.map((f) => {
            const element = fieldKey(r, f.name);
            const redacted = grounds.get(element) ?? null;
            return {
              name: f.name,
              element,
              value: redacted ? null : displayValue(f.value),
              redacted,
            };
          }),
    };
  });
}
