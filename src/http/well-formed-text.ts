import type { FieldError } from '../errors/problem.exception.js';

/**
 * Text the service accepts is well-formed Unicode without NUL. PostgreSQL refuses NUL in text
 * and jsonb, and stores an unpaired UTF-16 surrogate (which JSON can carry as `"\ud800"`) as
 * U+FFFD: what was checked, hashed or compared would differ from what is stored.
 */
const MALFORMED = /\0|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const MALFORMED_ALL = new RegExp(MALFORMED.source, 'g');

export const isWellFormedText = (text: string): boolean => !MALFORMED.test(text);

/** What PostgreSQL would make of `text`, with NUL (which it refuses) as U+FFFD too. */
export const toWellFormed = (text: string): string =>
  MALFORMED.test(text) ? text.replace(MALFORMED_ALL, '\ufffd') : text;

const problem = (text: string) =>
  text.includes('\0')
    ? 'must not contain NUL characters'
    : 'must be well-formed Unicode text (it has an unpaired surrogate)';

const joinPath = (parent: string, key: string | number) =>
  typeof key === 'number' ? `${parent}[${key}]` : parent ? `${parent}.${key}` : key;

/**
 * Every string (and object key) in `value` that is not well-formed text, named by its path as
 * validation errors name fields (`ratings.BA01.sources[1]`). A bad key is named with its bad
 * characters shown as U+FFFD. `value` is a parsed body or query, never deeper than the parser
 * allows, so recursion is bounded.
 */
export function malformedText(value: unknown, path = ''): FieldError[] {
  if (typeof value === 'string') {
    return isWellFormedText(value)
      ? []
      : [{ path, message: `${path || 'value'} ${problem(value)}` }];
  }
  if (Array.isArray(value))
    return value.flatMap((item, i) => malformedText(item, joinPath(path, i)));
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, item]) => {
    const at = joinPath(path, isWellFormedText(key) ? key : toWellFormed(key));
    const own = isWellFormedText(key) ? [] : [{ path: at, message: `key ${problem(key)}` }];
    return [...own, ...malformedText(item, at)];
  });
}

/**
 * Whether a JSON text nests arrays and objects deeper than `max`: one pass over the bytes,
 * before parsing, so a hostile body costs no more than reading it. Brackets inside strings do
 * not count. The structural bytes are ASCII and never occur inside a UTF-8 multi-byte sequence.
 */
export function jsonNestingExceeds(json: Uint8Array, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < json.length; i++) {
    const byte = json[i];
    if (inString) {
      if (byte === 0x5c)
        i++; // backslash: skip the escaped character
      else if (byte === 0x22) inString = false;
    } else if (byte === 0x22) {
      inString = true;
    } else if (byte === 0x5b || byte === 0x7b) {
      if (++depth > max) return true;
    } else if (byte === 0x5d || byte === 0x7d) {
      depth--;
    }
  }
  return false;
}

/** The first `max` characters (code points) of `text`: never cuts a character in two. */
export function truncateCodePoints(text: string, max: number): string {
  if (text.length <= max) return text;
  let units = 0;
  let points = 0;
  for (const character of text) {
    if (points === max) break;
    units += character.length;
    points++;
  }
  return text.slice(0, units);
}
