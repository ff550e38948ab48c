import { dictionary } from '@zxcvbn-ts/language-common';

export const PASSWORD_MIN_LENGTH = 12;

/** Whose password it is: a password may not contain their names. */
export interface PasswordOwner {
  username: string;
  displayName?: string;
}

/**
 * Passwords seen most often in breaches (about 49,000, lower case, Latin letters typed on
 * Russian layouts included), from the zxcvbn-ts common dictionary package.
 */
let common: Set<string> | undefined;
const commonPasswords = () => (common ??= new Set(dictionary['passwords-common']));

// Rows as typed, so runs like qwerty, asdf or 7890 count as sequences (Latin and Russian layouts).
const KEYBOARD_ROWS = [
  '`1234567890-=',
  'qwertyuiop[]',
  "asdfghjkl;'",
  'zxcvbnm,./',
  'йцукенгшщзхъ',
  'фывапролджэ',
  'ячсмитьбю',
];
const KEYBOARD_NEIGHBOURS = new Set(
  KEYBOARD_ROWS.flatMap((row) => {
    const keys = [...row];
    return keys.slice(1).flatMap((key, i) => [keys[i] + key, key + keys[i]]);
  }),
);

const LEET: Record<string, string> = {
  '4': 'a',
  '@': 'a',
  '8': 'b',
  '3': 'e',
  '6': 'g',
  '!': 'i',
  '0': 'o',
  '5': 's',
  $: 's',
  '7': 't',
  '+': 't',
};

/**
 * How many characters follow from the ones before them: a repeat (aa), a step of one in either
 * direction (ab, 21), keyboard neighbours (qw, 90), or the continuation of a run of at least
 * three characters seen earlier (abcabc, pass1pass1). A year (19xx, 20xx) counts as one.
 */
export function predictableCharacters(text: string): number {
  const chars = [...text.replace(/(19|20)\d\d/g, (year) => year[0])];
  let predictable = [...text].length - chars.length;
  for (let i = 1; i < chars.length; i++) {
    const [before, char] = [chars[i - 1], chars[i]];
    const step = char.codePointAt(0)! - before.codePointAt(0)!;
    if (step >= -1 && step <= 1) predictable++;
    else if (KEYBOARD_NEIGHBOURS.has(before + char)) predictable++;
    else if (continuesEarlierRun(chars, i)) predictable++;
  }
  return predictable;
}

function continuesEarlierRun(chars: string[], i: number): boolean {
  for (let period = 2; period <= i - 2; period++) {
    if (
      chars[i] === chars[i - period] &&
      chars[i - 1] === chars[i - 1 - period] &&
      chars[i - 2] === chars[i - 2 - period]
    ) {
      return true;
    }
  }
  return false;
}

/** More than half of it follows from what comes before: aaaaaaaaaaaa, abcdefghijkl, qwertyuiop12. */
const mostlyPredictable = (text: string) => predictableCharacters(text) * 2 > [...text].length;

/** What is left once repeats, sequences and years are discounted. */
const effectiveLength = (text: string) => [...text].length - predictableCharacters(text);

function deleet(text: string): string[] {
  const base = [...text].map((c) => LEET[c] ?? c).join('');
  return base.includes('1') ? [base.replaceAll('1', 'i'), base.replaceAll('1', 'l')] : [base];
}

/**
 * A common password as it is, with letters swapped for look-alike digits or symbols
 * (p@ssw0rd), or wrapped in a little decoration: digits or symbols before and after that add
 * next to nothing (password1234, !Summer2024!!).
 */
function isCommon(lower: string): boolean {
  const list = commonPasswords();
  if ([lower, ...deleet(lower)].some((c) => list.has(c))) return true;
  const match = /^([^\p{L}]*)(.*?)([^\p{L}]*)$/u.exec(lower);
  if (!match) return false;
  const [, prefix, core, suffix] = match;
  if (core.length < 3 || (prefix === '' && suffix === '')) return false;
  if (effectiveLength(prefix + suffix) > 4) return false;
  return [core, ...deleet(core)].some((c) => list.has(c));
}

/** The name, or any part of it of four characters or more, appears in the password. */
function containsName(lower: string, name: string | undefined): boolean {
  if (!name) return false;
  const whole = name.toLowerCase().replace(/\s+/g, '');
  if (whole.length >= 3 && lower.replace(/\s+/g, '').includes(whole)) return true;
  return name
    .toLowerCase()
    .split(/[\s._\-,'’]+/u)
    .some((part) => [...part].length >= 4 && lower.includes(part));
}

/**
 * Why a password is refused, or undefined when it is acceptable (ASVS 2.1: at least 12
 * characters, no composition rules, not a breached or predictable password, not the user's
 * names). One policy for administrators, the command line and self-service changes.
 */
export function passwordProblem(password: string, owner: PasswordOwner): string | undefined {
  if ([...password].length < PASSWORD_MIN_LENGTH) {
    return `must be at least ${PASSWORD_MIN_LENGTH} characters long`;
  }
  const lower = password.toLowerCase();
  if (containsName(lower, owner.username)) return 'must not contain the username';
  if (containsName(lower, owner.displayName)) return 'must not contain the user’s name';
  if (mostlyPredictable(lower)) {
    return 'must not be made mostly of repeated or sequential characters (such as aaaa, abcd, 1234 or qwerty)';
  }
  if (isCommon(lower)) return 'is one of the passwords most often used and breached';
  return undefined;
}
