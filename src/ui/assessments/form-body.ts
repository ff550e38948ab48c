import { createHash } from 'node:crypto';

/**
 * A posted form as the pages read it: each field a string, or a list for repeated fields
 * (checkboxes). It is also how a page describes what is saved now, so that a conflict can be
 * worked out field by field (see `mergeEdits`).
 */
export type FormBody = Record<string, string | string[]>;

/** A field's text; a repeated field gives its first value. */
export function textOf(body: FormBody, key: string): string {
  const value = body[key];
  if (Array.isArray(value)) return value[0] ?? '';
  return typeof value === 'string' ? value : '';
}

/** A field's values: one, several, or none. */
export function listOf(body: FormBody, key: string): string[] {
  const value = body[key];
  if (Array.isArray(value)) return value.filter((v) => typeof v === 'string' && v !== '');
  return typeof value === 'string' && value !== '' ? [value] : [];
}

/** Only the string fields of whatever was posted (a body parser may give anything). */
export function formBody(body: unknown): FormBody {
  const result: FormBody = {};
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return result;
  for (const [key, value] of Object.entries(body)) {
    if (typeof value === 'string') result[key] = value;
    else if (Array.isArray(value)) result[key] = value.filter((v) => typeof v === 'string');
  }
  return result;
}

/** One field's value as text, so two values compare equal exactly when they mean the same. */
function canonical(value: string | string[] | undefined): string {
  if (Array.isArray(value))
    return [...value]
      .filter((v) => v !== '')
      .sort()
      .join('\n');
  return (value ?? '').replace(/\r\n/g, '\n');
}

const fingerprint = (field: string, value: string | string[] | undefined) =>
  createHash('sha256')
    .update(`${field}\0${canonical(value)}`)
    .digest('base64url')
    .slice(0, 16);

/**
 * The fingerprints of a form's fields as the page was opened, carried in a hidden field
 * (`field:fingerprint;...`): a later save can tell which fields the user edited and which
 * someone else changed meanwhile, without sending the old text back and forth.
 */
export function openedFingerprints(fields: string[], values: FormBody): string {
  return fields.map((field) => `${field}:${fingerprint(field, values[field])}`).join(';');
}

function parseOpened(text: string): Map<string, string> {
  const opened = new Map<string, string>();
  for (const part of text.split(';')) {
    const at = part.lastIndexOf(':');
    if (at > 0) opened.set(part.slice(0, at), part.slice(at + 1));
  }
  return opened;
}

export interface FieldChange {
  field: string;
  /** Someone saved another value since the page was opened. */
  changedSinceOpened: boolean;
  /** The user changed it on the page. */
  editedByYou: boolean;
  now: string | string[];
  yours: string | string[];
}

/**
 * Three-way merge of one form after its save was refused because the record moved on: fields
 * the user edited keep the user's value, all others take what is saved now. Without the
 * fingerprints of the opened page every field counts as edited and as changed.
 */
export function mergeEdits(
  fields: string[],
  yours: FormBody,
  now: FormBody,
  openedText: string,
): { merged: FormBody; changes: FieldChange[] } {
  const opened = parseOpened(openedText);
  const merged: FormBody = {};
  const changes: FieldChange[] = [];
  for (const field of fields) {
    const before = opened.get(field);
    const editedByYou = before === undefined || fingerprint(field, yours[field]) !== before;
    const changedSinceOpened = before === undefined || fingerprint(field, now[field]) !== before;
    merged[field] = (editedByYou ? yours[field] : now[field]) ?? '';
    const differs = canonical(yours[field]) !== canonical(now[field]);
    if (differs && (editedByYou || changedSinceOpened)) {
      changes.push({
        field,
        changedSinceOpened,
        editedByYou,
        now: now[field] ?? '',
        yours: yours[field] ?? '',
      });
    }
  }
  return { merged, changes };
}

/** Hidden inputs that post `body` again (repeated fields as one input per value). */
export function hiddenInputs(body: FormBody): { name: string; value: string }[] {
  return Object.entries(body).flatMap(([name, value]) =>
    Array.isArray(value) ? value.map((v) => ({ name, value: v })) : [{ name, value }],
  );
}
