import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import {
  isWellFormedText,
  jsonNestingExceeds,
  malformedText,
  toWellFormed,
  truncateCodePoints,
} from './well-formed-text.js';

/** Any UTF-16 code unit sequence: code points, lone surrogates and NUL. */
const utf16 = fc.string({
  unit: fc.oneof(
    fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
    fc.integer({ min: 0xd800, max: 0xdfff }).map((unit) => String.fromCharCode(unit)),
    fc.constant('\0'),
  ),
  maxLength: 20,
});

/** What PostgreSQL stores for a JavaScript string sent as UTF-8 text (NUL aside: it refuses it). */
const asPostgresStores = (text: string) => Buffer.from(text, 'utf8').toString('utf8');

const depthOf = (value: unknown): number =>
  Array.isArray(value)
    ? 1 + Math.max(0, ...value.map(depthOf))
    : value !== null && typeof value === 'object'
      ? 1 + Math.max(0, ...Object.values(value).map(depthOf))
      : 0;

describe('well-formed text', () => {
  it('tells well-formed text from lone surrogates and NUL', () => {
    expect(isWellFormedText('plain, ünïcödé, 😀 and 𝄞')).toBe(true);
    for (const bad of ['\ud800', 'a\udc00', '\udc00\ud800', 'x\ud83d', 'a\u0000b']) {
      expect(isWellFormedText(bad)).toBe(false);
    }
  });

  it('makes text what PostgreSQL would store, NUL as U+FFFD too, keeping its length', () => {
    fc.assert(
      fc.property(utf16, (text) => {
        const stored = toWellFormed(text);
        expect(isWellFormedText(stored)).toBe(true);
        expect(stored.length).toBe(text.length);
        expect(stored).toBe(asPostgresStores(text).replace(/\0/g, '\ufffd'));
      }),
    );
  });

  it('cuts by characters, never inside one', () => {
    expect(truncateCodePoints('a'.repeat(63) + '😀', 64)).toBe('a'.repeat(63) + '😀');
    expect(truncateCodePoints('a'.repeat(64) + '😀', 64)).toBe('a'.repeat(64));
    expect(truncateCodePoints('😀😀😀', 2)).toBe('😀😀');
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.nat(30), (text, max) => {
        const cut = truncateCodePoints(text, max);
        expect(isWellFormedText(cut) || !isWellFormedText(text)).toBe(true);
        expect([...cut]).toEqual([...text].slice(0, max));
      }),
    );
  });

  it('names every malformed string and key by its path', () => {
    expect(
      malformedText({
        ok: 'fine 😀',
        name: 'a\u0000',
        ratings: { BA01: { sources: ['interview', 'x\udc00'] }, ['k\ud800']: 1 },
        list: [[{ deep: '\ud800' }]],
      }),
    ).toEqual([
      { path: 'name', message: 'name must not contain NUL characters' },
      {
        path: 'ratings.BA01.sources[1]',
        message:
          'ratings.BA01.sources[1] must be well-formed Unicode text (it has an unpaired surrogate)',
      },
      {
        path: 'ratings.k\ufffd',
        message: 'key must be well-formed Unicode text (it has an unpaired surrogate)',
      },
      {
        path: 'list[0][0].deep',
        message: 'list[0][0].deep must be well-formed Unicode text (it has an unpaired surrogate)',
      },
    ]);
    expect(malformedText(['fine', 1, null, true, { a: 'b' }])).toEqual([]);
    expect(malformedText(undefined)).toEqual([]);
  });
});

describe('JSON nesting', () => {
  const exceeds = (json: string, max: number) => jsonNestingExceeds(Buffer.from(json), max);

  it('counts arrays and objects, not brackets inside strings or escaped quotes', () => {
    expect(exceeds('[[1]]', 2)).toBe(false);
    expect(exceeds('[[[1]]]', 2)).toBe(true);
    expect(exceeds('{"a":{"b":[1]}}', 3)).toBe(false);
    expect(exceeds('{"a":{"b":[1]}}', 2)).toBe(true);
    expect(exceeds('{"a":"[[[[[{{{{"}', 1)).toBe(false);
    expect(exceeds('{"a":"\\"[[[[[", "b":"\\\\"}', 1)).toBe(false);
    expect(exceeds('["\\\\", [[1]]]', 2)).toBe(true);
    expect(exceeds('"just a string"', 0)).toBe(false);
  });

  it('agrees with the depth of any JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 8 }), fc.nat(9), (value, max) => {
        const json = JSON.stringify(value);
        expect(jsonNestingExceeds(Buffer.from(json), max)).toBe(depthOf(value) > max);
      }),
    );
  });
});
