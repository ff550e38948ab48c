import { describe, expect, it } from '@jest/globals';
import {
  CATALOGUE_FILE,
  shippedCatalogue,
  shippedFile,
  shippedInstrument,
} from '../rule-sets/fixtures/shipped.js';
import { validateRuleSets } from '../rule-sets/validate-rule-sets.js';
import type { InstrumentDefinition } from '../rule-sets/rule-set.types.js';
import { evaluate, type Ratings } from './evaluate.js';

const RISK_1_1 = 'instruments/ve-risk-spj@1.1.0.yaml';
const RISK_1_0 = 'instruments/ve-risk-spj@1.0.0.yaml';

const evidence = {
  evidenceFor: 'seen',
  evidenceAgainst: 'none found',
  sources: ['interview'],
  reliability: 'medium' as const,
};

/** Every item at `risk` (risk and motivation items) and `protective` (protective items). */
function uniform(
  definition: InstrumentDefinition,
  risk: string,
  protective: string,
  overrides: Ratings = {},
): Ratings {
  const ratings: Ratings = {};
  for (const domain of definition.domains)
    for (const item of domain.items)
      ratings[item.code] = {
        value: item.kind === 'protective' ? protective : risk,
        ...evidence,
      };
  return { ...ratings, ...overrides };
}

async function validate(definition: InstrumentDefinition) {
  const file = {
    ...(await shippedFile(RISK_1_1)),
    file: `instruments/${definition.key}@${definition.version}.yaml`,
    doc: definition,
  };
  return validateRuleSets([file], { catalogues: [await shippedCatalogue()] });
}

describe('bands from current items only; historical items as context (issue 12, point 1)', () => {
  it('1.1.0: an old planned offence with every current item low and strong protective factors is low', async () => {
    const risk = await shippedInstrument(RISK_1_1);
    const old = await shippedInstrument(RISK_1_0);
    const history = { value: 'high', ...evidence };
    // 1.0.0 counted the old offence (HC01, HC03) in its bands: never lower than moderate.
    expect(
      evaluate(old, uniform(old, 'low', 'high', { HC01: history, HC03: history })).indicativeLevel,
    ).toBe('moderate');
    // 1.1.0: the old offence is history (HC01, HC07); nothing current is of concern.
    const result = evaluate(risk, uniform(risk, 'low', 'high', { HC01: history, HC07: history }));
    expect(result.canSubmit).toBe(true);
    expect(result.indicativeLevel).toBe('low');
    expect(result.judgements).toEqual([
      { code: 'custody_violence', indicativeLevel: 'low' },
      { code: 'influence', indicativeLevel: 'low' },
      { code: 'release_violence', indicativeLevel: null },
      { code: 'imminence', indicativeLevel: null },
      { code: 'severity', indicativeLevel: null },
    ]);
    // The same ratings on a current item do raise the band.
    expect(
      evaluate(risk, uniform(risk, 'low', 'high', { HC03: history, SC01: history }))
        .indicativeLevel,
    ).toBe('moderate');
  });

  it('1.1.0: intent_with_capability fires on high intent only; 1.0.0 still fires on moderate', async () => {
    const risk = await shippedInstrument(RISK_1_1);
    const old = await shippedInstrument(RISK_1_0);
    const moderate = { value: 'moderate', ...evidence };
    const high = { value: 'high', ...evidence };
    const flags = (definition: InstrumentDefinition, ratings: Ratings) =>
      evaluate(definition, ratings).flags.map((flag) => flag.code);
    expect(flags(old, { SC04: moderate, HC03: moderate })).toContain('intent_with_capability');
    expect(flags(risk, { SC04: moderate, HC03: moderate })).not.toContain('intent_with_capability');
    expect(flags(risk, { SC04: high, HC03: moderate })).toContain('intent_with_capability');
    expect(flags(risk, { SC04: high, HC04: moderate })).toContain('intent_with_capability');
    // Old preparation (HC07) is not capability now.
    expect(flags(risk, { SC04: high, HC07: high })).not.toContain('intent_with_capability');
    const hc03 = risk.domains.flatMap((d) => d.items).find((i) => i.code === 'HC03')!;
    expect(hc03.prompt).toMatch(/in custody or in the last 12\s+months/);
  });

  it('refuses a band that reads a historical item or an all-historical domain', async () => {
    const risk = await shippedInstrument(RISK_1_1);
    risk.version = '9.0.0';
    risk.bands![1].when = 'has(score.HC01) && score.HC01 >= 1';
    risk.judgements![0].bands![0].when = 'has(rating.HC07) && rating.HC07 == "high"';
    const { errors } = await validate(risk);
    expect(errors.map((e) => [e.path, e.code])).toEqual([
      ['bands[1].when', 'historical_in_band'],
      ['judgements[0].bands[0].when', 'historical_in_band'],
    ]);
    expect(errors[0].message).toMatch(/score\.HC01 is historical/);

    const allPast = await shippedInstrument(RISK_1_1);
    allPast.version = '9.0.1';
    allPast.domains[0].timeframe = 'historical';
    const found = await validate(allPast);
    // BA items are no longer in the band context; the bands that name none of them still pass.
    expect(found.errors).toEqual([]);
    allPast.bands![0].when = 'domains.BA.atLeast.high >= 1';
    expect((await validate(allPast)).errors.map((e) => e.code)).toEqual(['historical_in_band']);
  });

  it('flags may still read historical items (they are context, not a band)', async () => {
    const risk = await shippedInstrument(RISK_1_1);
    risk.version = '9.0.2';
    risk.flags!.push({
      code: 'past_preparation',
      label: 'Earlier preparation on record',
      severity: 'info',
      when: 'has(score.HC07) && score.HC07 >= 1',
    });
    expect((await validate(risk)).errors).toEqual([]);
    const ratings = { HC07: { value: 'high', ...evidence } };
    expect(evaluate(risk, ratings).flags.map((f) => f.code)).toContain('past_preparation');
  });

  it('an instrument may declare no bands at all: no indicative level, judgements still listed', async () => {
    const risk = await shippedInstrument(RISK_1_1);
    risk.version = '9.1.0';
    delete risk.bands;
    for (const judgement of risk.judgements!) delete judgement.bands;
    expect((await validate(risk)).errors).toEqual([]);
    const result = evaluate(risk, uniform(risk, 'high', 'low'));
    expect(result.indicativeLevel).toBeNull();
    expect(result.judgements!.every((j) => j.indicativeLevel === null)).toBe(true);
    expect(result.canSubmit).toBe(true);
  });

  it('judgement bands name their own levels, end in a catch-all, and codes are unique', async () => {
    const risk = await shippedInstrument(RISK_1_1);
    risk.version = '9.2.0';
    risk.judgements![1].bands![0].level = 'severe';
    risk.judgements![1].bands![2].when = 'has(score.SC05)';
    risk.judgements![4].code = 'imminence';
    const { errors } = await validate(risk);
    expect(errors.map((e) => [e.path, e.code])).toEqual([
      ['judgements[4].code', 'duplicate_code'],
      ['judgements[1].bands[0].level', 'unknown_level'],
      ['judgements[1].bands[2].when', 'catch_all_missing'],
    ]);
  });

  it('a risk instrument needs levels or judgements', async () => {
    const risk = await shippedInstrument(RISK_1_1);
    risk.version = '9.3.0';
    delete risk.judgements;
    delete risk.levels;
    delete risk.bands;
    risk.review = { interval: 'P6M', triggers: risk.review.triggers };
    const { errors } = await validate(risk);
    expect(errors.map((e) => [e.path, e.code])).toEqual([['levels', 'purpose_requirements']]);
  });

  it('both shipped versions of ve-risk-spj validate with the shipped catalogue', async () => {
    const files = await Promise.all([RISK_1_0, RISK_1_1, CATALOGUE_FILE].map(shippedFile));
    const { errors, sets } = validateRuleSets(files);
    expect(errors).toEqual([]);
    expect(sets.map((set) => `${set.key}@${set.version}`)).toEqual([
      've-risk-spj@1.0.0',
      've-risk-spj@1.1.0',
      'handbook-interventions@1.0.0',
    ]);
  });
});

describe('RNR intensity keys are levels of the judgement the catalogue names (points 2 and 8)', () => {
  it('checks a catalogue’s intensity keys against the named judgement, or the overall levels', async () => {
    const risk = await shippedInstrument(RISK_1_1);
    const catalogue = await shippedCatalogue();
    // The shipped catalogue's keys (high, moderate, low) are ve-risk-spj's overall levels.
    const file = { ...(await shippedFile(RISK_1_1)), doc: risk };
    expect(validateRuleSets([file], { catalogues: [catalogue] }).errors).toEqual([]);

    const named = structuredClone(catalogue);
    named.intensityFrom = { instrument: 've-risk-spj', judgement: 'release_violence' };
    expect(validateRuleSets([file], { catalogues: [named] }).errors).toEqual([]);
    named.intensityFrom = { instrument: 've-risk-spj', judgement: 'imminence' };
    const wrong = validateRuleSets([file], { catalogues: [named] }).errors;
    expect(wrong.map((e) => e.code)).toEqual([
      'unknown_intensity_level',
      'unknown_intensity_level',
      'unknown_intensity_level',
    ]);
    expect(wrong[0].message).toMatch(/"high", which is not a level of judgement imminence/);
    named.intensityFrom = { instrument: 've-risk-spj', judgement: 'nope' };
    expect(
      validateRuleSets([file], { catalogues: [named] }).errors.map((e) => [e.path, e.code]),
    ).toEqual([['judgements', 'unknown_intensity_level']]);

    const typo = structuredClone(catalogue);
    typo.interventions[0].intensity = { hgih: 'Weekly' };
    expect(validateRuleSets([file], { catalogues: [typo] }).errors.map((e) => e.message)).toEqual([
      expect.stringMatching(/"hgih", which is not a level of this instrument/),
    ]);
  });
});
