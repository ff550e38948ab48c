import { beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { NEEDS_FILE, RISK_FILE, shippedInstrument } from '../rule-sets/fixtures/shipped.js';
import type { InstrumentDefinition, InstrumentItem } from '../rule-sets/rule-set.types.js';
import { compileInstrument } from './compile-instrument.js';
import { buildRuleContext, classifyRatings, evaluate, runBands } from './evaluate.js';
import type { ItemRating, Ratings } from './evaluate.js';

let risk: InstrumentDefinition;
let needs: InstrumentDefinition;

beforeAll(async () => {
  risk = await shippedInstrument(RISK_FILE);
  needs = await shippedInstrument(NEEDS_FILE);
});

const items = (definition: InstrumentDefinition): InstrumentItem[] =>
  definition.domains.flatMap((domain) => domain.items);

const optionsOf = (definition: InstrumentDefinition, item: InstrumentItem): string[] =>
  definition.scales.find((scale) => scale.code === item.scale)?.options.map((o) => o.code) ?? [];

const text = fc.oneof(
  fc.constant(''),
  fc.constant('  '),
  fc.string({ minLength: 1, maxLength: 12 }),
);

/** One item's entry: absent, not rated (with or without reason), or rated with any evidence. */
function itemRating(options: string[]): fc.Arbitrary<ItemRating | undefined> {
  const notRated = fc.record(
    { notRated: fc.constant(true as const), reason: text },
    { requiredKeys: ['notRated'] },
  );
  const rated = fc.record(
    {
      value: fc.constantFrom(...options),
      evidenceFor: text,
      evidenceAgainst: text,
      sources: fc.array(text, { maxLength: 3 }),
      reliability: fc.constantFrom('high' as const, 'medium' as const, 'low' as const),
    },
    { requiredKeys: ['value'] },
  );
  return fc.oneof(
    { arbitrary: fc.constant(undefined), weight: 1 },
    { arbitrary: notRated, weight: 1 },
    { arbitrary: rated, weight: 4 },
  );
}

/** Valid ratings for an instrument: every entry well-formed, some items left out. */
function validRatings(definition: InstrumentDefinition): fc.Arbitrary<Ratings> {
  const shape: Record<string, fc.Arbitrary<ItemRating | undefined>> = {};
  for (const item of items(definition)) shape[item.code] = itemRating(optionsOf(definition, item));
  return fc.record(shape).map((record) => {
    const ratings: Ratings = {};
    for (const [code, rating] of Object.entries(record)) if (rating) ratings[code] = rating;
    return ratings;
  });
}

/** Anything at all in the places where ratings go, plus unknown and prototype-ish keys. */
function garbageRatings(definition: InstrumentDefinition): fc.Arbitrary<unknown> {
  const codes = items(definition).map((item) => item.code);
  const key = fc.oneof(
    fc.constantFrom(...codes),
    fc.constantFrom('__proto__', 'constructor', 'toString', 'ZZ99', ''),
    fc.string(),
  );
  const entry = fc.oneof(
    fc.anything(),
    fc.record(
      {
        value: fc.oneof(fc.anything(), fc.constantFrom('low', 'moderate', 'high', 'some')),
        notRated: fc.anything(),
        reason: fc.anything(),
        evidenceFor: fc.anything(),
        evidenceAgainst: fc.anything(),
        sources: fc.anything(),
        reliability: fc.anything(),
      },
      { requiredKeys: [] },
    ),
  );
  return fc.oneof(fc.anything(), fc.dictionary(key, entry, { maxKeys: 40 }));
}

function shuffled<T>(list: T[], seed: number): T[] {
  const copy = [...list];
  let state = seed >>> 0 || 1;
  for (let i = copy.length - 1; i > 0; i--) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    const j = state % (i + 1);
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy;
}

/** The band the rules give, ignoring the minimum-rated rule, so the property is never vacuous. */
function rawBand(definition: InstrumentDefinition, ratings: Ratings): string | null {
  const compiled = compileInstrument(definition);
  const state = classifyRatings(compiled, ratings);
  return runBands(compiled, buildRuleContext(compiled, state), []);
}

const rank = (definition: InstrumentDefinition, level: string | null): number =>
  (definition.levels ?? []).findIndex((entry) => entry.code === level);

const both = () =>
  [
    ['ve-risk-spj', risk],
    ['ve-needs', needs],
  ] as const;

describe('evaluate: properties', () => {
  it('is total on garbage input for both shipped instruments', () => {
    for (const [, definition] of both()) {
      const codes = new Set(items(definition).map((item) => item.code));
      fc.assert(
        fc.property(garbageRatings(definition), (ratings) => {
          const result = evaluate(definition, ratings as Ratings);
          expect(typeof result.canSubmit).toBe('boolean');
          expect(result.canSubmit).toBe(result.reasons.length === 0);
          expect(result.missing.every((code) => codes.has(code))).toBe(true);
          expect(result.warnings).toEqual([]);
        }),
        { numRuns: 300 },
      );
    }
  });

  it('is total and rule-error free on valid input', () => {
    for (const [, definition] of both()) {
      fc.assert(
        fc.property(validRatings(definition), (ratings) => {
          const result = evaluate(definition, ratings);
          expect(result.warnings).toEqual([]);
          const levels = (definition.levels ?? []).map((level) => level.code);
          if (result.indicativeLevel !== null) expect(levels).toContain(result.indicativeLevel);
          const rated = result.domains.reduce((sum, domain) => sum + domain.rated, 0);
          const notRated = result.domains.reduce((sum, domain) => sum + domain.notRated, 0);
          expect(rated + notRated + result.missing.length).toBe(items(definition).length);
        }),
        { numRuns: 300 },
      );
    }
  });

  it('is deterministic', () => {
    for (const [, definition] of both()) {
      fc.assert(
        fc.property(validRatings(definition), (ratings) => {
          const first = evaluate(definition, ratings);
          expect(evaluate(definition, structuredClone(ratings))).toEqual(first);
          expect(evaluate(structuredClone(definition), ratings)).toEqual(first);
        }),
        { numRuns: 100 },
      );
    }
  });

  it('does not depend on the key order of the ratings object', () => {
    for (const [, definition] of both()) {
      fc.assert(
        fc.property(garbageRatings(definition), fc.integer(), (ratings, seed) => {
          fc.pre(typeof ratings === 'object' && ratings !== null && !Array.isArray(ratings));
          const entries = Object.entries(ratings as object);
          const reordered = Object.fromEntries(shuffled(entries, seed));
          expect(evaluate(definition, reordered as Ratings)).toEqual(
            evaluate(definition, Object.fromEntries(entries) as Ratings),
          );
        }),
        { numRuns: 300 },
      );
    }
  });

  it('gives the same band, flags and needs with an item marked not rated as with it absent', () => {
    for (const [, definition] of both()) {
      const codes = items(definition).map((item) => item.code);
      fc.assert(
        fc.property(
          validRatings(definition),
          fc.constantFrom(...codes),
          text,
          (ratings, code, reason) => {
            const absent = { ...ratings };
            delete absent[code];
            const notRated = { ...ratings, [code]: { notRated: true, reason } };
            const a = evaluate(definition, absent);
            const b = evaluate(definition, notRated);
            expect(b.indicativeLevel).toBe(a.indicativeLevel);
            expect(b.flags).toEqual(a.flags);
            expect(b.needs).toEqual(a.needs);
            expect(b.contributions).toEqual(a.contributions);
            expect(rawBand(definition, notRated)).toBe(rawBand(definition, absent));
          },
        ),
        { numRuns: 500 },
      );
    }
  });

  it('never lowers the band when one risk or motivation item is rated higher', () => {
    const concernItems = items(risk).filter((item) => item.kind !== 'protective');
    fc.assert(
      fc.property(
        validRatings(risk),
        fc.constantFrom(...concernItems),
        fc.nat(),
        fc.nat(),
        (ratings, item, x, y) => {
          const options = optionsOf(risk, item);
          const [low, high] = [x % options.length, y % options.length].sort((a, b) => a - b);
          const lower = { ...ratings, [item.code]: { value: options[low] } };
          const higher = { ...ratings, [item.code]: { value: options[high] } };
          expect(rank(risk, rawBand(risk, higher))).toBeGreaterThanOrEqual(
            rank(risk, rawBand(risk, lower)),
          );
          const before = evaluate(risk, lower).indicativeLevel;
          const after = evaluate(risk, higher).indicativeLevel;
          if (before !== null) expect(rank(risk, after)).toBeGreaterThanOrEqual(rank(risk, before));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('never raises the band when a protective factor is rated higher', () => {
    const protective = items(risk).filter((item) => item.kind === 'protective');
    fc.assert(
      fc.property(
        validRatings(risk),
        fc.constantFrom(...protective),
        fc.nat(),
        fc.nat(),
        (ratings, item, x, y) => {
          const options = optionsOf(risk, item);
          const [low, high] = [x % options.length, y % options.length].sort((a, b) => a - b);
          const lower = { ...ratings, [item.code]: { value: options[low] } };
          const higher = { ...ratings, [item.code]: { value: options[high] } };
          expect(rank(risk, rawBand(risk, higher))).toBeLessThanOrEqual(
            rank(risk, rawBand(risk, lower)),
          );
        },
      ),
      { numRuns: 300 },
    );
  });
});
