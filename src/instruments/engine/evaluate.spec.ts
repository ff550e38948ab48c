import { describe, expect, it } from '@jest/globals';
import { NEEDS_FILE, RISK_FILE, shippedInstrument } from '../rule-sets/fixtures/shipped.js';
import type { InstrumentDefinition } from '../rule-sets/rule-set.types.js';
import { InstrumentCompileError, compileInstrument } from './compile-instrument.js';
import { ENGINE_VERSION, evaluate } from './evaluate.js';
import type { ItemRating, Ratings } from './evaluate.js';

const evidenced = (value: string): ItemRating => ({
  value,
  evidenceFor: 'Observed repeatedly on the wing',
  evidenceAgainst: 'None identified',
  sources: ['wing log'],
  reliability: 'high',
});

function itemCodes(definition: InstrumentDefinition): string[] {
  return definition.domains.flatMap((domain) => domain.items.map((item) => item.code));
}

/** Every item rated `base` with full evidence, then the overrides. */
function complete(
  definition: InstrumentDefinition,
  base: string,
  overrides: Ratings = {},
): Ratings {
  const ratings: Ratings = {};
  for (const code of itemCodes(definition)) ratings[code] = evidenced(base);
  return { ...ratings, ...overrides };
}

describe('evaluate: the shipped risk instrument', () => {
  it('reports an empty assessment as unanswered and below the minimum, with no band', async () => {
    const risk = await shippedInstrument(RISK_FILE);
    const result = evaluate(risk, {});
    expect(result.engineVersion).toBe(ENGINE_VERSION);
    expect(result.indicativeLevel).toBeNull();
    expect(result.missing).toEqual(itemCodes(risk));
    expect(result.canSubmit).toBe(false);
    expect(result.reasons.filter((r) => r.code === 'unanswered')).toHaveLength(31);
    expect(result.reasons.filter((r) => r.code === 'minimum_rated').map((r) => r.domain)).toEqual([
      undefined,
      'BA',
      'SC',
      'HC',
      'CM',
      'PF',
    ]);
    expect(result.flags.map((flag) => flag.code)).toEqual(['indicators_not_rated']);
    expect(result.contributions).toEqual([]);
    expect(result.warnings).toEqual([]);
  });

  it('indicates low for a complete, all-low assessment that can be submitted', async () => {
    const risk = await shippedInstrument(RISK_FILE);
    const result = evaluate(risk, complete(risk, 'low'));
    expect(result).toEqual(
      expect.objectContaining({
        indicativeLevel: 'low',
        flags: [],
        missing: [],
        canSubmit: true,
        reasons: [],
      }),
    );
    expect(result.contributions).toHaveLength(31);
    expect(result.contributions.every((c) => c.value === 0)).toBe(true);
    expect(result.domains[0]).toEqual({
      code: 'BA',
      total: 6,
      rated: 6,
      notRated: 0,
      missing: 0,
      summary: { counts: { low: 6, moderate: 0, high: 0 }, highest: 'low', meetsMinimum: true },
    });
  });

  it('moves through the bands as indicators are rated higher', async () => {
    const risk = await shippedInstrument(RISK_FILE);
    const level = (overrides: Ratings) => evaluate(risk, complete(risk, 'low', overrides));
    expect(level({ BA01: evidenced('moderate') }).indicativeLevel).toBe('low');
    expect(level({ SC04: evidenced('moderate') }).indicativeLevel).toBe('moderate');
    expect(level({ BA01: evidenced('high'), CM05: evidenced('high') }).indicativeLevel).toBe(
      'moderate',
    );
    const sixHigh = Object.fromEntries(
      ['BA01', 'BA02', 'BA03', 'CM01', 'CM02', 'CM04'].map((code) => [code, evidenced('high')]),
    );
    expect(level(sixHigh).indicativeLevel).toBe('high');
    const intentAndPreparation = level({ SC04: evidenced('high'), HC03: evidenced('high') });
    expect(intentAndPreparation.indicativeLevel).toBe('high');
    expect(intentAndPreparation.flags.map((flag) => [flag.code, flag.severity])).toEqual([
      ['intent_with_capability', 'critical'],
    ]);
  });

  it('never lets protective factors lower the indicative band, but flags them', async () => {
    const risk = await shippedInstrument(RISK_FILE);
    const strong = Object.fromEntries(
      ['PF01', 'PF02', 'PF03', 'PF04'].map((code) => [code, evidenced('high')]),
    );
    const base = { SC04: evidenced('moderate') };
    const withStrengths = evaluate(risk, complete(risk, 'low', { ...base, ...strong }));
    expect(withStrengths.indicativeLevel).toBe('moderate');
    expect(withStrengths.flags.map((flag) => flag.code)).toContain('strong_protective_factors');
    expect(withStrengths.contributions.find((c) => c.item === 'PF01')?.value).toBe(-2);
    expect(withStrengths.contributions.find((c) => c.item === 'SC04')?.value).toBe(1);
  });

  it('requires a reason for not rated and does not count not-rated items', async () => {
    const risk = await shippedInstrument(RISK_FILE);
    const result = evaluate(
      risk,
      complete(risk, 'low', {
        HC04: { notRated: true },
        HC05: { notRated: true, reason: 'No access to the intelligence file' },
      }),
    );
    expect(result.reasons).toEqual([
      {
        code: 'not_rated_reason_required',
        item: 'HC04',
        field: 'reason',
        message: 'HC04 is marked not rated without a reason',
      },
    ]);
    expect(result.domains[2]).toEqual(
      expect.objectContaining({ code: 'HC', rated: 4, notRated: 2, missing: 0 }),
    );
    expect(result.missing).toEqual([]);
    expect(result.contributions.map((c) => c.item)).not.toContain('HC04');
    expect(result.flags.map((flag) => flag.code)).toEqual(['indicators_not_rated']);
  });

  it('requires evidence for and against, a source and reliability for moderate and high', async () => {
    const risk = await shippedInstrument(RISK_FILE);
    const result = evaluate(
      risk,
      complete(risk, 'low', {
        BA02: { value: 'moderate' },
        BA03: { value: 'high', evidenceFor: 'Letters', sources: ['  '], reliability: 'medium' },
        BA04: { value: 'low' },
      }),
    );
    expect(result.reasons.map((r) => [r.code, r.item, r.field])).toEqual([
      ['evidence_required', 'BA02', 'evidenceFor'],
      ['evidence_required', 'BA02', 'evidenceAgainst'],
      ['evidence_required', 'BA02', 'sources'],
      ['evidence_required', 'BA02', 'reliability'],
      ['evidence_required', 'BA03', 'evidenceAgainst'],
      ['evidence_required', 'BA03', 'sources'],
    ]);
    expect(result.canSubmit).toBe(false);
    // Missing evidence blocks submission but does not change the indicative band.
    expect(result.indicativeLevel).toBe('low');
  });

  it('turns unknown items, values outside the scale and contradictions into reasons', async () => {
    const risk = await shippedInstrument(RISK_FILE);
    const ratings = complete(risk, 'low', {
      BA01: { value: 'severe' },
      BA02: { value: 'high', notRated: true, reason: 'x' },
      ZZ99: evidenced('high'),
      constructor: evidenced('high'),
    });
    const result = evaluate(risk, ratings);
    expect(result.reasons.map((r) => [r.code, r.item])).toEqual([
      ['invalid_value', 'BA01'],
      ['conflicting_rating', 'BA02'],
      ['unknown_item', 'ZZ99'],
      ['unknown_item', 'constructor'],
    ]);
    expect(result.missing).toEqual(['BA01', 'BA02']);
    expect(result.domains[0].rated).toBe(4);
  });

  it('is total on garbage: never throws, always explains', async () => {
    const risk = await shippedInstrument(RISK_FILE);
    for (const garbage of [null, undefined, 42, 'x', [], [1, 2], new Date(0)]) {
      const result = evaluate(risk, garbage as unknown as Ratings);
      expect(result.canSubmit).toBe(false);
      expect(result.indicativeLevel).toBeNull();
    }
    expect(evaluate(risk, null as unknown as Ratings).reasons[0].code).toBe('invalid_ratings');
    const odd = evaluate(risk, {
      BA01: 'high',
      BA02: null,
      BA03: { value: 2 },
      BA04: { value: 'high', sources: 'wing log', reliability: 'certain', evidenceFor: 7 },
      BA05: { notRated: 'yes' },
      BA06: { value: '__proto__' },
    } as unknown as Ratings);
    expect(odd.reasons.slice(0, 8).map((r) => [r.code, r.item, r.field])).toEqual([
      ['invalid_rating', 'BA01', undefined],
      ['invalid_rating', 'BA02', undefined],
      ['invalid_value', 'BA03', 'value'],
      ['invalid_rating', 'BA04', 'evidenceFor'],
      ['invalid_rating', 'BA04', 'sources'],
      ['invalid_rating', 'BA04', 'reliability'],
      ['evidence_required', 'BA04', 'evidenceFor'],
      ['evidence_required', 'BA04', 'evidenceAgainst'],
    ]);
    expect(odd.missing.slice(0, 3)).toEqual(['BA01', 'BA02', 'BA03']);
  });

  it('never counts a not-rated item as zero (a rule over rated items only)', async () => {
    const risk = await shippedInstrument(RISK_FILE);
    // "Every rated concern item is high": true when the others are not rated, false if they
    // were counted as zero (low).
    risk.bands![0].when = 'risk.rated >= 1 && risk.atLeast.high == risk.rated';
    risk.minimumRated = { requireAllAnswered: false, overallPercent: 0, perDomainPercent: 0 };
    const ratings: Ratings = { BA01: evidenced('high') };
    for (const code of itemCodes(risk).filter((code) => code !== 'BA01'))
      ratings[code] = { notRated: true, reason: 'No information' };
    expect(evaluate(risk, ratings).indicativeLevel).toBe('high');
    expect(evaluate(risk, { ...ratings, BA02: evidenced('low') }).indicativeLevel).not.toBe('high');
  });

  it('reports a rule failing at run time as a warning and gives no band', async () => {
    const risk = await shippedInstrument(RISK_FILE);
    risk.bands![0].when = 'score.BA01 >= 2';
    const result = evaluate(
      risk,
      complete(risk, 'low', { BA01: { notRated: true, reason: 'n/a' } }),
    );
    expect(result.indicativeLevel).toBeNull();
    expect(result.warnings).toEqual([
      expect.objectContaining({ code: 'rule_error', rule: 'bands[0].when' }),
    ]);
    expect(result.canSubmit).toBe(true);
  });
});

describe('evaluate: the shipped needs instrument', () => {
  it('indicates a priority per need and none for needs with nothing rated', async () => {
    const needs = await shippedInstrument(NEEDS_FILE);
    const result = evaluate(needs, {
      ID01: evidenced('significant'),
      ID02: { value: 'none' },
      GR01: evidenced('some'),
      GR02: evidenced('some'),
      IG01: evidenced('some'),
      IG02: { value: 'none' },
      SN01: { value: 'none' },
      FA01: { notRated: true, reason: 'Prisoner declined to discuss family' },
      MH01: evidenced('significant'),
    });
    expect(result.indicativeLevel).toBeNull();
    expect(result.needs.map((need) => [need.code, need.rated, need.indicatedPriority])).toEqual([
      ['identity_belonging', 2, 'high'],
      ['grievance', 2, 'medium'],
      ['ideology', 2, 'low'],
      ['social_network', 1, 'not_indicated'],
      ['family', 0, null],
      ['education', 0, null],
      ['employment', 0, null],
      ['mental_health', 1, 'high'],
      ['practical_reintegration', 0, null],
    ]);
    expect(result.needs[0].items).toEqual(['ID01', 'ID02', 'ID03']);
    expect(result.flags.map((flag) => flag.code)).toEqual(['health_referral']);
  });
});

describe('compileInstrument', () => {
  it('compiles once per definition object, and once per cache key', async () => {
    const risk = await shippedInstrument(RISK_FILE);
    expect(compileInstrument(risk)).toBe(compileInstrument(risk));
    const copyA = structuredClone(risk);
    const copyB = structuredClone(risk);
    expect(compileInstrument(copyA, 'sha-a')).toBe(compileInstrument(copyB, 'sha-a'));
    expect(compileInstrument(copyA)).toBe(compileInstrument(copyB, 'sha-a'));
    expect(compileInstrument(structuredClone(risk))).not.toBe(compileInstrument(risk));
  });

  it('refuses a definition whose rules do not compile, naming every failing path', async () => {
    const risk = await shippedInstrument(RISK_FILE);
    risk.bands![0].when = 'score.NOPE > 1';
    risk.flags![1].when = 'has(score.SC03) &&';
    let error: unknown;
    try {
      compileInstrument(risk);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(InstrumentCompileError);
    expect(
      (error as InstrumentCompileError).issues.map((issue) => [issue.path, issue.code]),
    ).toEqual([
      ['bands[0].when', 'cel_unknown_reference'],
      ['flags[1].when', 'cel_syntax'],
    ]);
  });
});
