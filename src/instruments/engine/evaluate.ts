import type { FlagSeverity, InstrumentDefinition } from '../rule-sets/rule-set.types.js';
import { compileInstrument } from './compile-instrument.js';
import type { CompiledInstrument, CompiledOption } from './compile-instrument.js';

export const ENGINE_VERSION = '1.1.0';

export interface ItemRating {
  value?: string;
  notRated?: boolean;
  reason?: string;
  evidenceFor?: string;
  evidenceAgainst?: string;
  sources?: string[];
  reliability?: 'high' | 'medium' | 'low';
}

/** Keyed by item code. */
export type Ratings = Record<string, ItemRating>;

export type ReasonCode =
  | 'invalid_ratings'
  | 'unknown_item'
  | 'invalid_rating'
  | 'invalid_value'
  | 'conflicting_rating'
  | 'unanswered'
  | 'not_rated_reason_required'
  | 'evidence_required'
  | 'minimum_rated';

export interface EvaluationReason {
  code: ReasonCode;
  message: string;
  item?: string;
  domain?: string;
  field?: string;
}

/** A rule that failed at run time; it does not block submission but is reported. */
export interface EvaluationWarning {
  code: 'rule_error';
  rule: string;
  message: string;
}

export interface DomainSummary {
  /** Rated items per option code (options of the scales the domain's items use). */
  counts: Record<string, number>;
  /** Option code of the highest-scored rating in the domain; null when nothing is rated. */
  highest: string | null;
  meetsMinimum: boolean;
}

export interface DomainResult {
  code: string;
  total: number;
  rated: number;
  notRated: number;
  missing: number;
  summary: DomainSummary;
}

export interface NeedResult {
  code: string;
  items: string[];
  rated: number;
  /** From `needPriorities`; null when none of the need's items is rated. */
  indicatedPriority: string | null;
}

export interface JudgementIndication {
  code: string;
  /** Null when the judgement has no bands, the minimum-rated rule is not met, or a band failed. */
  indicativeLevel: string | null;
}

export interface EvaluationResult {
  engineVersion: string;
  /** Null when the instrument has no bands, the minimum-rated rule is not met, or a band rule failed. */
  indicativeLevel: string | null;
  /** One per declared judgement (absent in results stored by engine 1.0.0). */
  judgements?: JudgementIndication[];
  /** `rule` is the CEL condition that fired (shown with the flag); absent in engine 1.0.0 results. */
  flags: {
    code: string;
    label: string;
    severity?: FlagSeverity;
    rule?: string;
    description?: string;
  }[];
  domains: DomainResult[];
  contributions: { item: string; value: number }[];
  needs: NeedResult[];
  missing: string[];
  canSubmit: boolean;
  reasons: EvaluationReason[];
  warnings: EvaluationWarning[];
}

export interface EvaluateOptions {
  /** Cache compiled programs under this key (for example the version's content SHA-256). */
  cacheKey?: string;
}

const MISSING = 0;
const RATED = 1;
const NOT_RATED = 2;

const RELIABILITY = new Set(['high', 'medium', 'low']);
const SMALL = Array.from({ length: 1024 }, (_, index) => BigInt(index));
const big = (n: number): bigint => (n >= 0 && n < 1024 ? SMALL[n] : BigInt(n));

const isBlank = (value: unknown): boolean => typeof value !== 'string' || value.trim() === '';

export interface CelStats {
  total: bigint;
  rated: bigint;
  sum: bigint;
  count: Record<string, bigint>;
  atLeast: Record<string, bigint>;
}

export interface RatingState {
  status: Uint8Array;
  chosen: (CompiledOption | undefined)[];
  /** Per group: [rated, sum, count x options, atLeast x options]. */
  counters: Int32Array;
  stride: number;
  reasons: EvaluationReason[];
}

function ownEntry(ratings: object, code: string): unknown {
  return Object.hasOwn(ratings, code) ? (ratings as Record<string, unknown>)[code] : undefined;
}

/** Sorts every item into rated / not rated / missing and collects the item-level reasons. */
export function classifyRatings(compiled: CompiledInstrument, ratings: unknown): RatingState {
  const { items, optionCodes, groupCount } = compiled;
  const optionCount = optionCodes.length;
  const stride = 2 + 2 * optionCount;
  const state: RatingState = {
    status: new Uint8Array(items.length),
    chosen: new Array(items.length),
    counters: new Int32Array(groupCount * stride),
    stride,
    reasons: [],
  };
  const reasons = state.reasons;
  let source: object;
  if (typeof ratings === 'object' && ratings !== null && !Array.isArray(ratings)) {
    source = ratings;
  } else {
    source = {};
    reasons.push({
      code: 'invalid_ratings',
      message: 'ratings must be an object keyed by item code',
    });
  }
  const notRatedReasonRequired = compiled.definition.evidence.notRatedReasonRequired;
  const requireAllAnswered = compiled.definition.minimumRated.requireAllAnswered;

  for (const item of items) {
    const code = item.code;
    const entry = ownEntry(source, code);
    if (entry === undefined) {
      if (requireAllAnswered)
        reasons.push({
          code: 'unanswered',
          item: code,
          message: `${code} is neither rated nor marked not rated`,
        });
      continue;
    }
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      reasons.push({
        code: 'invalid_rating',
        item: code,
        message: `${code}: rating must be an object`,
      });
      continue;
    }
    const rating = entry as Record<string, unknown>;
    const { value, notRated } = rating;
    for (const field of ['reason', 'evidenceFor', 'evidenceAgainst'] as const) {
      const fieldValue = rating[field];
      if (fieldValue !== undefined && fieldValue !== null && typeof fieldValue !== 'string')
        reasons.push({
          code: 'invalid_rating',
          item: code,
          field,
          message: `${code}: ${field} must be text`,
        });
    }
    if (notRated !== undefined && typeof notRated !== 'boolean')
      reasons.push({
        code: 'invalid_rating',
        item: code,
        field: 'notRated',
        message: `${code}: notRated must be true or false`,
      });
    const sources = rating.sources;
    const sourcesValid =
      sources === undefined ||
      sources === null ||
      (Array.isArray(sources) && sources.every((s) => typeof s === 'string'));
    if (!sourcesValid)
      reasons.push({
        code: 'invalid_rating',
        item: code,
        field: 'sources',
        message: `${code}: sources must be a list of text`,
      });
    const reliability = rating.reliability;
    if (
      reliability !== undefined &&
      reliability !== null &&
      !RELIABILITY.has(reliability as string)
    )
      reasons.push({
        code: 'invalid_rating',
        item: code,
        field: 'reliability',
        message: `${code}: reliability must be high, medium or low`,
      });

    const hasValue = value !== undefined && value !== null;
    if (hasValue && notRated === true) {
      reasons.push({
        code: 'conflicting_rating',
        item: code,
        message: `${code} has a rating and is also marked not rated`,
      });
      continue;
    }
    if (hasValue) {
      const option = typeof value === 'string' ? item.options.get(value) : undefined;
      if (!option) {
        reasons.push({
          code: 'invalid_value',
          item: code,
          field: 'value',
          message: `${code}: ${JSON.stringify(value) ?? String(value)} is not an option of its scale`,
        });
        continue;
      }
      state.status[item.index] = RATED;
      state.chosen[item.index] = option;
      for (const group of item.groups) {
        const base = group * stride;
        state.counters[base] += 1;
        state.counters[base + 1] += option.score;
        state.counters[base + 2 + option.codeIndex] += 1;
        for (const index of option.atLeast) state.counters[base + 2 + optionCount + index] += 1;
      }
      const need = option.evidence;
      if (need.evidenceFor && isBlank(rating.evidenceFor))
        reasons.push({
          code: 'evidence_required',
          item: code,
          field: 'evidenceFor',
          message: `${code} rated ${option.code} needs evidence for the rating`,
        });
      if (need.evidenceAgainst && isBlank(rating.evidenceAgainst))
        reasons.push({
          code: 'evidence_required',
          item: code,
          field: 'evidenceAgainst',
          message: `${code} rated ${option.code} needs the evidence against it (or a statement that none was found)`,
        });
      if (need.minSources > 0) {
        const given = Array.isArray(sources) ? sources.filter((s) => !isBlank(s)).length : 0;
        if (given < need.minSources)
          reasons.push({
            code: 'evidence_required',
            item: code,
            field: 'sources',
            message: `${code} rated ${option.code} needs at least ${need.minSources} source${
              need.minSources === 1 ? '' : 's'
            }`,
          });
      }
      if (need.reliability && !RELIABILITY.has(reliability as string))
        reasons.push({
          code: 'evidence_required',
          item: code,
          field: 'reliability',
          message: `${code} rated ${option.code} needs the reliability of its information`,
        });
      continue;
    }
    if (notRated === true) {
      state.status[item.index] = NOT_RATED;
      if (notRatedReasonRequired && isBlank(rating.reason))
        reasons.push({
          code: 'not_rated_reason_required',
          item: code,
          field: 'reason',
          message: `${code} is marked not rated without a reason`,
        });
      continue;
    }
    if (requireAllAnswered)
      reasons.push({
        code: 'unanswered',
        item: code,
        message: `${code} is neither rated nor marked not rated`,
      });
  }

  const unknown = Object.keys(source)
    .filter((key) => !compiled.itemByCode.has(key))
    .sort();
  for (const key of unknown)
    reasons.push({
      code: 'unknown_item',
      item: key,
      message: `${JSON.stringify(key)} is not an item of ${compiled.definition.key}@${compiled.definition.version}`,
    });
  return state;
}

export function statsOf(compiled: CompiledInstrument, state: RatingState, group: number): CelStats {
  const { optionCodes } = compiled;
  const { counters, stride } = state;
  const base = group * stride;
  const optionCount = optionCodes.length;
  const count: Record<string, bigint> = {};
  const atLeast: Record<string, bigint> = {};
  for (let i = 0; i < optionCount; i++) {
    count[optionCodes[i]] = big(counters[base + 2 + i]);
    atLeast[optionCodes[i]] = big(counters[base + 2 + optionCount + i]);
  }
  return {
    total: big(compiled.groupTotals[group]),
    rated: big(counters[base]),
    sum: big(counters[base + 1]),
    count,
    atLeast,
  };
}

/** The CEL activation for band, flag and need rules (see cel-environment.ts). */
export function buildRuleContext(
  compiled: CompiledInstrument,
  state: RatingState,
): Record<string, unknown> {
  const score: Record<string, bigint> = {};
  const rating: Record<string, string> = {};
  for (const item of compiled.items) {
    const option = state.chosen[item.index];
    if (option !== undefined) {
      score[item.code] = option.bigScore;
      rating[item.code] = option.code;
    }
  }
  const domains: Record<string, CelStats> = {};
  compiled.domainCodes.forEach((code, index) => {
    domains[code] = statsOf(compiled, state, index);
  });
  return {
    score,
    rating,
    domains,
    all: statsOf(compiled, state, compiled.allGroup),
    risk: statsOf(compiled, state, compiled.kindGroup.risk),
    protective: statsOf(compiled, state, compiled.kindGroup.protective),
    motivation: statsOf(compiled, state, compiled.kindGroup.motivation),
  };
}

function failure(rule: string, error: unknown): EvaluationWarning {
  const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
  return { code: 'rule_error', rule, message };
}

export function runBands(
  compiled: CompiledInstrument,
  context: Record<string, unknown>,
  warnings: EvaluationWarning[],
  bands: CompiledInstrument['bands'] = compiled.bands,
): string | null {
  for (const band of bands) {
    try {
      if (band.program(context) === true) return band.rule.level;
    } catch (error) {
      // A later band would understate the level: report no band rather than a wrong one.
      warnings.push(failure(band.path, error));
      return null;
    }
  }
  return null;
}

export function runFlags(
  compiled: CompiledInstrument,
  context: Record<string, unknown>,
  warnings: EvaluationWarning[],
): EvaluationResult['flags'] {
  const flags: EvaluationResult['flags'] = [];
  for (const flag of compiled.flags) {
    try {
      if (flag.program(context) === true)
        flags.push({
          code: flag.rule.code,
          label: flag.rule.label,
          severity: flag.rule.severity,
          rule: flag.rule.when.replace(/\s+/g, ' ').trim(),
          ...(flag.rule.description ? { description: flag.rule.description } : {}),
        });
    } catch (error) {
      warnings.push(failure(flag.path, error));
    }
  }
  return flags;
}

export function runNeeds(
  compiled: CompiledInstrument,
  state: RatingState,
  context: Record<string, unknown>,
  warnings: EvaluationWarning[],
): NeedResult[] {
  return compiled.needCodes.map((code, index) => {
    const group = compiled.needGroupBase + index;
    const rated = state.counters[group * state.stride];
    let indicatedPriority: string | null = null;
    if (rated > 0 && compiled.needRules.length > 0) {
      context.need = statsOf(compiled, state, group);
      for (const rule of compiled.needRules) {
        try {
          if (rule.program(context) === true) {
            indicatedPriority = rule.rule.priority;
            break;
          }
        } catch (error) {
          warnings.push(failure(`${rule.path} (need ${code})`, error));
          break;
        }
      }
    }
    return { code, items: compiled.needItems[index], rated, indicatedPriority };
  });
}

/**
 * What bands read: the same variables over current items only (historical items are context,
 * never a reason for a band), or the rule context itself when every item is current.
 */
export function bandContextOf(
  compiled: CompiledInstrument,
  ratings: unknown,
  context: Record<string, unknown>,
): Record<string, unknown> {
  if (!compiled.bandBase) return context;
  return buildRuleContext(compiled.bandBase, classifyRatings(compiled.bandBase, ratings));
}

/** Evaluation with an already compiled instrument (see compileInstrument). */
export function evaluateCompiled(compiled: CompiledInstrument, ratings: unknown): EvaluationResult {
  const definition = compiled.definition;
  const state = classifyRatings(compiled, ratings);
  const reasons = state.reasons;
  const warnings: EvaluationWarning[] = [];
  const { status, counters, stride, chosen } = state;

  const domainRated = new Array<number>(compiled.domainCodes.length).fill(0);
  const domainNotRated = new Array<number>(compiled.domainCodes.length).fill(0);
  const domainHighest: (CompiledOption | undefined)[] = new Array(compiled.domainCodes.length);
  const missing: string[] = [];
  const contributions: EvaluationResult['contributions'] = [];
  for (const item of compiled.items) {
    const itemStatus = status[item.index];
    if (itemStatus === RATED) {
      domainRated[item.domainIndex] += 1;
      const option = chosen[item.index] as CompiledOption;
      const highest = domainHighest[item.domainIndex];
      if (highest === undefined || option.score > highest.score)
        domainHighest[item.domainIndex] = option;
      if (option.contribution !== null)
        contributions.push({ item: item.code, value: option.contribution });
    } else if (itemStatus === NOT_RATED) {
      domainNotRated[item.domainIndex] += 1;
    } else if (itemStatus === MISSING) {
      missing.push(item.code);
    }
  }

  const allRated = counters[compiled.allGroup * stride];
  const allTotal = compiled.groupTotals[compiled.allGroup];
  let minimumMet = true;
  if (allRated * 100 < definition.minimumRated.overallPercent * allTotal) {
    minimumMet = false;
    reasons.push({
      code: 'minimum_rated',
      message: `${allRated} of ${allTotal} items rated; at least ${definition.minimumRated.overallPercent}% must be rated`,
    });
  }
  const domains: DomainResult[] = compiled.domainCodes.map((code, index) => {
    const total = compiled.groupTotals[index];
    const rated = domainRated[index];
    const percent = compiled.domainMinPercent[index];
    const meetsMinimum = rated * 100 >= percent * total;
    if (!meetsMinimum) {
      minimumMet = false;
      reasons.push({
        code: 'minimum_rated',
        domain: code,
        message: `domain ${code}: ${rated} of ${total} items rated; at least ${percent}% must be rated`,
      });
    }
    const counts: Record<string, number> = {};
    for (const optionIndex of compiled.domainOptions[index])
      counts[compiled.optionCodes[optionIndex]] = counters[index * stride + 2 + optionIndex];
    return {
      code,
      total,
      rated,
      notRated: domainNotRated[index],
      missing: total - rated - domainNotRated[index],
      summary: { counts, highest: domainHighest[index]?.code ?? null, meetsMinimum },
    };
  });

  const context = buildRuleContext(compiled, state);
  const bandContext = bandContextOf(compiled, ratings, context);
  const indicativeLevel = minimumMet ? runBands(compiled, bandContext, warnings) : null;
  const judgements = compiled.judgementBands.map(({ code, bands }) => ({
    code,
    indicativeLevel:
      minimumMet && bands.length > 0 ? runBands(compiled, bandContext, warnings, bands) : null,
  }));
  const flags = runFlags(compiled, context, warnings);
  const needs = runNeeds(compiled, state, context, warnings);

  return {
    engineVersion: ENGINE_VERSION,
    indicativeLevel,
    judgements,
    flags,
    domains,
    contributions,
    needs,
    missing,
    canSubmit: reasons.length === 0,
    reasons,
    warnings,
  };
}

/**
 * Pure and total over `ratings`: unknown items, values outside the scale and malformed
 * entries become reasons, never exceptions. Throws InstrumentCompileError only for a
 * definition that would not have passed validation.
 */
export function evaluate(
  definition: InstrumentDefinition,
  ratings: Ratings,
  options: EvaluateOptions = {},
): EvaluationResult {
  return evaluateCompiled(compileInstrument(definition, options.cacheKey), ratings);
}
