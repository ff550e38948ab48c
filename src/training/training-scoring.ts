import { addIsoDuration } from '../instruments/rule-sets/iso-duration.js';
import type {
  InstrumentDefinition,
  InstrumentItem,
} from '../instruments/rule-sets/rule-set.types.js';
import type { EvaluationResult, ItemRating, Ratings } from '../instruments/engine/evaluate.js';
import {
  cohensKappa,
  intraclassCorrelation,
  itemAgreement,
  levelDistance,
  type KappaWeights,
  type RatingPair,
} from './agreement.js';
import type {
  AgreementStatistic,
  CertificationRuleDefinition,
  PracticeCaseDefinition,
} from './rule-sets/training-rule-set.types.js';

export const TRAINING_SOURCES = [
  'interview',
  'file_review',
  'observation',
  'intelligence',
  'third_party',
  'self_report',
] as const;
export const TRAINING_RELIABILITIES = ['high', 'medium', 'low'] as const;
const TEXT_LIMIT = 10_000;

export interface FieldProblem {
  path: string;
  message: string;
}

const itemsOf = (definition: InstrumentDefinition): InstrumentItem[] =>
  definition.domains.flatMap((d) => d.items);

/**
 * Checks ratings sent for an attempt (item code -> rating, or null to clear it) against the
 * pinned instrument version and merges them into the stored ones: unknown items, values outside
 * the item's scale and wrong types are problems naming the field. Completeness is the submit
 * check's job (the instrument engine's reasons).
 */
export function mergeTrainingRatings(
  definition: InstrumentDefinition,
  stored: Ratings,
  input: Record<string, unknown>,
): { ratings: Ratings; problems: FieldProblem[] } {
  const items = new Map(itemsOf(definition).map((i) => [i.code, i]));
  const scales = new Map(definition.scales.map((s) => [s.code, s]));
  const ratings: Ratings = { ...stored };
  const problems: FieldProblem[] = [];
  for (const [code, raw] of Object.entries(input)) {
    const path = `ratings.${code}`;
    const item = items.get(code);
    if (!item) {
      problems.push({ path, message: `${code} is not an item of ${definition.key}` });
      continue;
    }
    if (raw === null) {
      delete ratings[code];
      continue;
    }
    if (typeof raw !== 'object' || Array.isArray(raw)) {
      problems.push({ path, message: 'must be an object or null' });
      continue;
    }
    const entry = raw as Record<string, unknown>;
    const rating: ItemRating = {};
    const before = problems.length;
    for (const key of Object.keys(entry)) {
      if (
        ![
          'value',
          'notRated',
          'reason',
          'evidenceFor',
          'evidenceAgainst',
          'sources',
          'reliability',
        ].includes(key)
      )
        problems.push({ path: `${path}.${key}`, message: 'is not a field of a rating' });
    }
    const text = (key: 'reason' | 'evidenceFor' | 'evidenceAgainst') => {
      const value = entry[key];
      if (value === undefined || value === null || value === '') return;
      if (typeof value !== 'string' || value.length > TEXT_LIMIT)
        problems.push({
          path: `${path}.${key}`,
          message: `must be text of at most ${TEXT_LIMIT} characters`,
        });
      else rating[key] = value;
    };
    if (entry.value !== undefined && entry.value !== null && entry.value !== '') {
      const options = scales.get(item.scale)?.options.map((o) => o.code) ?? [];
      if (typeof entry.value !== 'string' || !options.includes(entry.value))
        problems.push({
          path: `${path}.value`,
          message: `must be one of: ${options.join(', ')}`,
        });
      else rating.value = entry.value;
    }
    if (entry.notRated !== undefined && entry.notRated !== null) {
      if (typeof entry.notRated !== 'boolean')
        problems.push({ path: `${path}.notRated`, message: 'must be true or false' });
      else if (entry.notRated) rating.notRated = true;
    }
    if (rating.notRated && rating.value !== undefined)
      problems.push({ path: `${path}.notRated`, message: 'a rated item cannot be not rated' });
    text('reason');
    text('evidenceFor');
    text('evidenceAgainst');
    if (entry.sources !== undefined && entry.sources !== null) {
      const sources = entry.sources;
      if (
        !Array.isArray(sources) ||
        sources.length > TRAINING_SOURCES.length ||
        sources.some((s) => !(TRAINING_SOURCES as readonly unknown[]).includes(s)) ||
        new Set(sources).size !== sources.length
      )
        problems.push({
          path: `${path}.sources`,
          message: `must be distinct values of: ${TRAINING_SOURCES.join(', ')}`,
        });
      else if (sources.length > 0) rating.sources = sources as string[];
    }
    if (entry.reliability !== undefined && entry.reliability !== null && entry.reliability !== '') {
      if (!(TRAINING_RELIABILITIES as readonly unknown[]).includes(entry.reliability))
        problems.push({
          path: `${path}.reliability`,
          message: `must be one of: ${TRAINING_RELIABILITIES.join(', ')}`,
        });
      else rating.reliability = entry.reliability as ItemRating['reliability'];
    }
    if (problems.length === before) {
      if (Object.keys(rating).length === 0) delete ratings[code];
      else ratings[code] = rating;
    }
  }
  return { ratings, problems };
}

/** What a trainee records as the final judgement. */
export interface TraineeJudgement {
  level: string | null;
  needs: { code: string; priority: string }[];
  rationale: string | null;
}

/** Why the final judgement keeps an attempt from being submitted, with a stable code. */
export interface JudgementProblem extends FieldProblem {
  code:
    | 'final_level_required'
    | 'invalid_level'
    | 'rationale_required'
    | 'needs_required'
    | 'invalid_need';
}

/**
 * What the final judgement still lacks: a level when the instrument has levels, a rationale
 * when it departs from the indicative band, the needs of a needs instrument (the submit check
 * and the workspace's check page read the same list).
 */
export function judgementProblems(
  definition: InstrumentDefinition,
  indicativeLevel: string | null,
  judgement: TraineeJudgement,
): JudgementProblem[] {
  const reasons: JudgementProblem[] = [];
  const levels = (definition.levels ?? []).map((l) => l.code);
  if (levels.length > 0 && !judgement.level)
    reasons.push({
      code: 'final_level_required',
      path: 'finalLevel',
      message: 'Record the final judgement (finalLevel)',
    });
  if (judgement.level && !levels.includes(judgement.level))
    reasons.push({
      code: 'invalid_level',
      path: 'finalLevel',
      message: `must be one of: ${levels.join(', ')}`,
    });
  if (
    judgement.level &&
    indicativeLevel &&
    judgement.level !== indicativeLevel &&
    !judgement.rationale?.trim()
  )
    reasons.push({
      code: 'rationale_required',
      path: 'finalRationale',
      message: `The final level differs from the indicative band (${indicativeLevel}): explain why`,
    });
  if (definition.purpose === 'needs') {
    if (judgement.needs.length === 0)
      reasons.push({
        code: 'needs_required',
        path: 'finalNeeds',
        message: 'Record the needs and their priorities',
      });
    const needs = new Set(itemsOf(definition).map((i) => i.need));
    const priorities = new Set(definition.needPriorities?.priorities.map((p) => p.code) ?? []);
    judgement.needs.forEach((need, i) => {
      if (!needs.has(need.code))
        reasons.push({
          code: 'invalid_need',
          path: `finalNeeds[${i}].code`,
          message: 'is not a need of the instrument',
        });
      if (!priorities.has(need.priority))
        reasons.push({
          code: 'invalid_need',
          path: `finalNeeds[${i}].priority`,
          message: `must be one of: ${[...priorities].join(', ')}`,
        });
    });
  }
  return reasons;
}

/**
 * Why the attempt cannot be submitted yet: the instrument's own rules on the ratings (from the
 * engine), then the final judgement.
 */
export function trainingSubmitReasons(
  definition: InstrumentDefinition,
  evaluation: EvaluationResult,
  judgement: TraineeJudgement,
): FieldProblem[] {
  const reasons: FieldProblem[] = evaluation.reasons.map((r) => ({
    path: r.item ? `ratings.${r.item}${r.field ? `.${r.field}` : ''}` : (r.field ?? 'ratings'),
    message: r.message,
  }));
  for (const { path, message } of judgementProblems(
    definition,
    evaluation.indicativeLevel,
    judgement,
  ))
    reasons.push({ path, message });
  return reasons;
}

// ---------------------------------------------------------------- comparison with the reference

export interface ItemComparison {
  item: string;
  domain: string;
  prompt: string;
  trainee: { value: string | null; notRated: boolean };
  reference: { value: string | null; notRated: boolean; reasoning: string };
  /** Both rated: how many scale steps apart (0 = exact); null otherwise. */
  gap: number | null;
  /** exact, adjacent (one step), differs (two or more), or not_comparable (either not rated). */
  outcome: 'exact' | 'adjacent' | 'differs' | 'not_comparable';
}

export interface AttemptAgreement {
  items: ItemComparison[];
  /** Items both rated. */
  compared: number;
  exactRate: number | null;
  adjacentRate: number | null;
  kappaLinear: number | null;
  kappaQuadratic: number | null;
  finalJudgement: {
    trainee: string | null;
    reference: string | null;
    /** Levels apart (risk instruments); null without levels. */
    distance: number | null;
    /** Needs instruments: share of the reference needs given the same priority. */
    needsMatchRate: number | null;
    reasoning: string;
  };
  /** Score pairs (trainee, reference) of the compared items, offset to start at 0. */
  pairs: RatingPair[];
  categories: number;
}

/** Score of an option, offset so that the instrument's lowest score is 0. */
export function scoreIndex(definition: InstrumentDefinition): {
  score: (item: InstrumentItem, option: string) => number | undefined;
  categories: number;
} {
  const all = definition.scales.flatMap((s) => s.options.map((o) => o.score));
  const min = Math.min(...all);
  const max = Math.max(...all);
  const scales = new Map(definition.scales.map((s) => [s.code, s]));
  return {
    categories: max - min + 1,
    score: (item, option) => {
      const found = scales.get(item.scale)?.options.find((o) => o.code === option);
      return found === undefined ? undefined : found.score - min;
    },
  };
}

/** The trainee's ratings and judgement compared with the practice case's reference, item by item. */
export function compareWithReference(
  definition: InstrumentDefinition,
  practiceCase: PracticeCaseDefinition,
  ratings: Ratings,
  judgement: TraineeJudgement,
): AttemptAgreement {
  const { score, categories } = scoreIndex(definition);
  const items: ItemComparison[] = [];
  const pairs: RatingPair[] = [];
  for (const domain of definition.domains) {
    for (const item of domain.items) {
      const mine = ratings[item.code] ?? {};
      const ref = practiceCase.reference.ratings[item.code];
      const traineeScore = mine.value ? score(item, mine.value) : undefined;
      const referenceScore = ref?.value ? score(item, ref.value) : undefined;
      let gap: number | null = null;
      if (traineeScore !== undefined && referenceScore !== undefined) {
        gap = Math.abs(traineeScore - referenceScore);
        pairs.push({ rater: traineeScore, reference: referenceScore });
      }
      items.push({
        item: item.code,
        domain: domain.code,
        prompt: item.prompt,
        trainee: { value: mine.value ?? null, notRated: mine.notRated === true },
        reference: {
          value: ref?.value ?? null,
          notRated: ref?.notRated === true,
          reasoning: ref?.reasoning ?? '',
        },
        gap,
        outcome:
          gap === null
            ? 'not_comparable'
            : gap === 0
              ? 'exact'
              : gap === 1
                ? 'adjacent'
                : 'differs',
      });
    }
  }
  const agreement = itemAgreement(pairs);
  const reference = practiceCase.reference.finalJudgement;
  const levels = (definition.levels ?? []).map((l) => l.code);
  let needsMatchRate: number | null = null;
  if (definition.purpose === 'needs' && reference.needs && reference.needs.length > 0) {
    const mine = new Map(judgement.needs.map((n) => [n.code, n.priority]));
    const same = reference.needs.filter((n) => mine.get(n.code) === n.priority).length;
    needsMatchRate = same / reference.needs.length;
  }
  return {
    items,
    compared: agreement.n,
    exactRate: agreement.exactRate,
    adjacentRate: agreement.adjacentRate,
    kappaLinear: cohensKappa(pairs, categories, 'linear'),
    kappaQuadratic: cohensKappa(pairs, categories, 'quadratic'),
    finalJudgement: {
      trainee: judgement.level,
      reference: reference.level ?? null,
      distance:
        judgement.level && reference.level
          ? levelDistance(levels, judgement.level, reference.level)
          : null,
      needsMatchRate,
      reasoning: reference.rationale,
    },
    pairs,
    categories,
  };
}

/**
 * The intraclass correlation of a trainee's scores with the reference's over compared items:
 * ICC(2,1), absolute agreement, because a trainee who rates every item one step high ranks the
 * items well but does not agree with the reference. Null when undefined.
 */
export function referenceIcc(pairs: readonly RatingPair[]): number | null {
  return intraclassCorrelation(pairs.map((p) => [p.rater, p.reference]))?.icc2 ?? null;
}

// ---------------------------------------------------------------- certification

export interface SubmittedAttempt {
  id: string;
  caseKey: string;
  caseVersion: string;
  submittedAt: Date;
  agreement: AttemptAgreement;
}

export interface CertificationCheck {
  met: boolean;
  /** The newest submitted attempt of each distinct case, the evidence considered. */
  attempts: { id: string; caseKey: string; caseVersion: string; finalDistance: number | null }[];
  statistic: AgreementStatistic;
  value: number | null;
  minimum: number;
  minimumCases: number;
  finalJudgementWithin: number;
  /** Why the rule is not met yet (empty when met). */
  shortfalls: string[];
}

const WEIGHTS: Record<AgreementStatistic, KappaWeights> = {
  weighted_kappa_linear: 'linear',
  weighted_kappa_quadratic: 'quadratic',
  kappa: 'unweighted',
};

/**
 * Whether a trainee's submitted attempts meet an instrument's certification rule: the newest
 * attempt of each distinct case counts; kappa is pooled over the compared items of those
 * attempts; every counted case's final level must be within the rule's distance.
 */
export function checkCertification(
  rule: CertificationRuleDefinition,
  attempts: SubmittedAttempt[],
): CertificationCheck {
  const newest = new Map<string, SubmittedAttempt>();
  for (const attempt of attempts) {
    const known = newest.get(attempt.caseKey);
    if (!known || known.submittedAt < attempt.submittedAt) newest.set(attempt.caseKey, attempt);
  }
  const counted = [...newest.values()].sort((a, b) => a.caseKey.localeCompare(b.caseKey));
  const pairs = counted.flatMap((a) => a.agreement.pairs);
  const categories = Math.max(2, ...counted.map((a) => a.agreement.categories));
  const value =
    counted.length === 0 ? null : cohensKappa(pairs, categories, WEIGHTS[rule.agreement.statistic]);
  const shortfalls: string[] = [];
  if (counted.length < rule.minimumCases)
    shortfalls.push(`${counted.length} of ${rule.minimumCases} practice cases rated`);
  if (value === null || value < rule.agreement.minimum)
    shortfalls.push(
      `agreement ${value === null ? 'not yet measurable' : value.toFixed(2)} is below ${rule.agreement.minimum}`,
    );
  const far = counted.filter(
    (a) =>
      a.agreement.finalJudgement.distance !== null &&
      a.agreement.finalJudgement.distance > rule.finalJudgementWithin,
  );
  if (far.length > 0)
    shortfalls.push(
      `final judgement more than ${rule.finalJudgementWithin} level(s) from the reference on ${far.map((a) => a.caseKey).join(', ')}`,
    );
  return {
    met: shortfalls.length === 0,
    attempts: counted.map((a) => ({
      id: a.id,
      caseKey: a.caseKey,
      caseVersion: a.caseVersion,
      finalDistance: a.agreement.finalJudgement.distance,
    })),
    statistic: rule.agreement.statistic,
    value,
    minimum: rule.agreement.minimum,
    minimumCases: rule.minimumCases,
    finalJudgementWithin: rule.finalJudgementWithin,
    shortfalls,
  };
}

/** The certification's end date and the date from which recalibration is due (YYYY-MM-DD). */
export function certificationDates(
  rule: CertificationRuleDefinition,
  earnedOn: Date,
): { validUntil: string; recalibrateFrom: string } {
  const until = addIsoDuration(earnedOn, rule.validFor);
  return {
    validUntil: until.toISOString().slice(0, 10),
    recalibrateFrom: recalibrateFrom(rule, until.toISOString().slice(0, 10)),
  };
}

/** The first day a certification ending on `validUntil` shows as due for recalibration. */
export function recalibrateFrom(rule: CertificationRuleDefinition, validUntil: string): string {
  const until = new Date(`${validUntil}T00:00:00Z`);
  const notice = addIsoDuration(new Date(0), rule.recalibrationNotice).getTime();
  return new Date(until.getTime() - notice).toISOString().slice(0, 10);
}
