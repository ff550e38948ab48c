import type { FieldError } from '../errors/problem.exception.js';
import type { EvaluationResult, ItemRating, Ratings } from '../instruments/engine/evaluate.js';
import { addIsoDuration } from '../instruments/rule-sets/iso-duration.js';
import type {
  InstrumentDefinition,
  InstrumentItem,
} from '../instruments/rule-sets/rule-set.types.js';
import type { Appraisal, FinalJudgement, Provisional, Scenario } from './assessments.repository.js';

export const ASSESSMENT_STATUSES = [
  'draft',
  'submitted',
  'returned',
  'approved',
  'cancelled',
  'superseded',
] as const;
export type AssessmentStatus = (typeof ASSESSMENT_STATUSES)[number];
/** In progress: at most one per prisoner and instrument key (create and amend alike). */
export const OPEN_STATUSES: readonly AssessmentStatus[] = ['draft', 'submitted', 'returned'];
/** What its assessor may still edit and submit. */
export const EDITABLE_STATUSES: readonly AssessmentStatus[] = ['draft', 'returned'];
export const isOpen = (status: string) => (OPEN_STATUSES as readonly string[]).includes(status);
export const isEditable = (status: string) =>
  (EDITABLE_STATUSES as readonly string[]).includes(status);

export const SOURCES = [
  'interview',
  'file_review',
  'observation',
  'intelligence',
  'third_party',
  'self_report',
] as const;
export const RELIABILITIES = ['high', 'medium', 'low'] as const;
/** How much an item matters to this person's pathway, separate from whether it is present. */
export const RELEVANCE = ['low', 'moderate', 'high'] as const;
export const SCENARIO_TYPES = ['repeat', 'twist', 'escalation', 'improvement'] as const;
export const SCENARIO_SEVERITIES = ['limited', 'serious', 'grave'] as const;
export const SCENARIO_IMMINENCE = ['not_imminent', 'months', 'weeks'] as const;
export const CONFIDENCE = ['low', 'medium', 'high'] as const;
export const INDEX_FACTS = ['admits', 'partly_admits', 'denies', 'not_applicable'] as const;
/** The fields that make a scenario structured (all required where the instrument asks). */
export const SCENARIO_FIELDS = [
  'type',
  'likelyTargets',
  'severity',
  'imminence',
  'warningSigns',
  'triggers',
  'managementActions',
] as const;
export const APPRAISAL_FIELDS = [
  'confidence',
  'informationQuality',
  'limitations',
  'indexFacts',
] as const;
/** What a rating may carry; `label` is read-only (a GET shows it) and ignored on input. */
const RATING_FIELDS = [
  'value',
  'label',
  'notRated',
  'reason',
  'evidenceFor',
  'evidenceAgainst',
  'sources',
  'reliability',
  'relevance',
];
const TEXT_LIMIT = 10_000;

/** A rating as stored: what the assessor entered plus the option label at the time. */
export interface StoredRating extends ItemRating {
  /** The option's label in the pinned version, kept so the assessment reads alone. */
  label?: string;
  /** How much the item matters to this person's pathway (not whether it is present). */
  relevance?: (typeof RELEVANCE)[number];
}

export type StoredRatings = Record<string, StoredRating>;

function itemsByCode(definition: InstrumentDefinition): Map<string, InstrumentItem> {
  return new Map(definition.domains.flatMap((d) => d.items.map((i) => [i.code, i] as const)));
}

/**
 * Checks a PATCH's `ratings` (item code -> rating, or null to clear it) against the pinned
 * instrument and merges it into the stored ratings. Structure is checked now (unknown items,
 * values outside the item's scale, wrong types); completeness is the submit check's job.
 */
export function mergeRatings(
  definition: InstrumentDefinition,
  stored: StoredRatings,
  patch: Record<string, unknown>,
): { ratings: StoredRatings; errors: FieldError[] } {
  const items = itemsByCode(definition);
  const errors: FieldError[] = [];
  const ratings: StoredRatings = { ...stored };
  for (const [code, input] of Object.entries(patch)) {
    const path = `ratings.${code}`;
    const item = items.get(code);
    if (!item) {
      errors.push({
        path,
        message: `${code} is not an item of ${definition.key} ${definition.version}`,
      });
      continue;
    }
    if (input === null) {
      delete ratings[code];
      continue;
    }
    if (typeof input !== 'object' || Array.isArray(input)) {
      errors.push({ path, message: 'a rating must be an object (or null to clear it)' });
      continue;
    }
    const rating = input as Record<string, unknown>;
    const before = errors.length;
    for (const key of Object.keys(rating)) {
      if (!RATING_FIELDS.includes(key))
        errors.push({ path: `${path}.${key}`, message: `property ${key} should not exist` });
    }
    const scale = definition.scales.find((s) => s.code === item.scale)!;
    const option =
      typeof rating.value === 'string'
        ? scale.options.find((o) => o.code === rating.value)
        : undefined;
    if (rating.value !== undefined && rating.value !== null && !option) {
      errors.push({
        path: `${path}.value`,
        message: `value must be one of ${scale.options.map((o) => o.code).join(', ')}`,
      });
    }
    if (rating.notRated !== undefined && typeof rating.notRated !== 'boolean') {
      errors.push({ path: `${path}.notRated`, message: 'notRated must be a boolean' });
    }
    if (rating.notRated === true && rating.value != null) {
      errors.push({
        path: `${path}.value`,
        message: 'an item is either rated or marked not rated, not both',
      });
    }
    for (const field of ['reason', 'evidenceFor', 'evidenceAgainst']) {
      const text = rating[field];
      if (
        text !== undefined &&
        text !== null &&
        (typeof text !== 'string' || text.length > TEXT_LIMIT)
      ) {
        errors.push({
          path: `${path}.${field}`,
          message: `${field} must be text of at most ${TEXT_LIMIT} characters`,
        });
      }
    }
    if (rating.sources !== undefined) {
      const sources = rating.sources;
      if (
        !Array.isArray(sources) ||
        sources.some((s) => !SOURCES.includes(s as never)) ||
        new Set(sources).size !== sources.length
      ) {
        errors.push({
          path: `${path}.sources`,
          message: `sources must be distinct values of ${SOURCES.join(', ')}`,
        });
      }
    }
    if (
      rating.reliability !== undefined &&
      rating.reliability !== null &&
      !RELIABILITIES.includes(rating.reliability as never)
    ) {
      errors.push({
        path: `${path}.reliability`,
        message: `reliability must be one of ${RELIABILITIES.join(', ')}`,
      });
    }
    if (
      rating.relevance !== undefined &&
      rating.relevance !== null &&
      !RELEVANCE.includes(rating.relevance as never)
    ) {
      errors.push({
        path: `${path}.relevance`,
        message: `relevance must be one of ${RELEVANCE.join(', ')}`,
      });
    }
    if (errors.length > before) continue;
    const next: StoredRating = {};
    if (option) {
      next.value = option.code;
      next.label = option.label;
    }
    if (rating.notRated === true) next.notRated = true;
    for (const field of ['reason', 'evidenceFor', 'evidenceAgainst'] as const) {
      const text = rating[field];
      if (typeof text === 'string' && text.trim()) next[field] = text;
    }
    if (Array.isArray(rating.sources) && rating.sources.length > 0)
      next.sources = rating.sources as string[];
    if (typeof rating.reliability === 'string')
      next.reliability = rating.reliability as StoredRating['reliability'];
    if (typeof rating.relevance === 'string')
      next.relevance = rating.relevance as StoredRating['relevance'];
    ratings[code] = next;
  }
  return { ratings, errors };
}

/**
 * The items of a PATCH (`codes`) whose rating, its value or its being marked not rated, would
 * differ from the `agreed` one: each named as an error with `message`. Evidence, sources and
 * the other fields of an agreed rating may still be completed.
 */
export function changedAgreedRatings(
  agreed: StoredRatings,
  merged: StoredRatings,
  codes: string[],
  message: string,
): FieldError[] {
  return codes
    .filter((code) => {
      const before = agreed[code];
      const after = merged[code];
      return (
        (before?.value ?? null) !== (after?.value ?? null) ||
        (before?.notRated === true) !== (after?.notRated === true)
      );
    })
    .map((code) => ({ path: `ratings.${code}.value`, message }));
}

/** The ratings as the engine reads them (without the label snapshots). */
export function engineRatings(stored: StoredRatings): Ratings {
  return Object.fromEntries(
    Object.entries(stored).map(([code, { label: _label, relevance: _relevance, ...rating }]) => [
      code,
      rating,
    ]),
  );
}

export interface SubmitReason {
  code: string;
  message: string;
  item?: string;
  domain?: string;
  field?: string;
}

/** What the submit check reads of an assessment. */
export interface SubmitState {
  status: string;
  finalRiskLevel: string | null;
  finalRationale: string | null;
  formulation: string | null;
  needs: { code: string }[];
  prisonerParticipation: unknown;
  provisional?: Provisional | null;
  judgements?: FinalJudgement[];
  scenarios?: Scenario[];
  appraisal?: Appraisal | null;
}

const blank = (text: string | null | undefined) => !text?.trim();

/** Whether a scenario has every structured field. */
export const isStructuredScenario = (scenario: Scenario): boolean =>
  SCENARIO_FIELDS.every((field) => !blank(scenario[field]));

/**
 * Whether the indicative bands are withheld from the assessor: the instrument asks for a
 * provisional judgement first and none is recorded yet.
 */
export const bandsWithheld = (
  definition: InstrumentDefinition,
  provisional: Provisional | null | undefined,
): boolean => definition.reporting?.provisionalJudgementFirst === true && !provisional;

/** The judgements whose indicative band a provisional judgement must precede. */
export function provisionalCodes(definition: InstrumentDefinition): {
  level: boolean;
  judgements: string[];
} {
  return {
    level: (definition.levels?.length ?? 0) > 0,
    judgements: (definition.judgements ?? []).map((j) => j.code),
  };
}

/**
 * Checks a provisional judgement against the instrument: a level of the overall levels (when
 * declared) and one per declared judgement, all at once, recorded once.
 */
export function checkProvisional(
  definition: InstrumentDefinition,
  recorded: Provisional | null,
  input: unknown,
): FieldError[] {
  if (recorded) {
    const same =
      input === null ||
      (typeof input === 'object' &&
        JSON.stringify(sortedProvisional(input as Provisional)) ===
          JSON.stringify(sortedProvisional(recorded)));
    if (input !== null && same) return [];
    return [
      {
        path: 'provisional',
        message:
          'the provisional judgement is already recorded and stays as first recorded; record the final judgement instead',
      },
    ];
  }
  if (input === null) return [];
  if (typeof input !== 'object' || Array.isArray(input))
    return [{ path: 'provisional', message: 'provisional must be an object' }];
  const errors: FieldError[] = [];
  const { level, judgements, recordedAt: _recordedAt, ...rest } = input as Record<string, unknown>;
  for (const key of Object.keys(rest))
    errors.push({ path: `provisional.${key}`, message: `property ${key} should not exist` });
  const wanted = provisionalCodes(definition);
  const levels = (definition.levels ?? []).map((l) => l.code);
  if (wanted.level && !levels.includes(level as string))
    errors.push({
      path: 'provisional.level',
      message: `level must be one of ${levels.join(', ')}`,
    });
  if (!wanted.level && level !== undefined)
    errors.push({ path: 'provisional.level', message: `${definition.key} has no overall level` });
  const given =
    typeof judgements === 'object' && judgements !== null && !Array.isArray(judgements)
      ? (judgements as Record<string, unknown>)
      : judgements === undefined
        ? {}
        : null;
  if (given === null) {
    errors.push({ path: 'provisional.judgements', message: 'judgements maps codes to levels' });
    return errors;
  }
  for (const code of Object.keys(given))
    if (!wanted.judgements.includes(code))
      errors.push({
        path: `provisional.judgements.${code}`,
        message: `${code} is not a judgement of ${definition.key} ${definition.version}`,
      });
  for (const judgement of definition.judgements ?? []) {
    const codes = judgement.levels.map((l) => l.code);
    if (!codes.includes(given[judgement.code] as string))
      errors.push({
        path: `provisional.judgements.${judgement.code}`,
        message: `${judgement.code} must be one of ${codes.join(', ')}`,
      });
  }
  return errors;
}

function sortedProvisional(p: Provisional): unknown {
  const judgements = p.judgements ?? {};
  return [
    p.level ?? null,
    Object.keys(judgements)
      .sort()
      .map((code) => [code, judgements[code]]),
  ];
}

/** Checks the final judgements (level and rationale per declared judgement). */
export function checkJudgements(
  definition: InstrumentDefinition,
  judgements: { code: string; level?: string | null }[],
): FieldError[] {
  const errors: FieldError[] = [];
  const declared = new Map((definition.judgements ?? []).map((j) => [j.code, j]));
  judgements.forEach((entry, index) => {
    const judgement = declared.get(entry.code);
    if (!judgement) {
      errors.push({
        path: `judgements[${index}].code`,
        message: declared.size
          ? `code must be one of ${[...declared.keys()].join(', ')}`
          : `${definition.key} ${definition.version} declares no judgements`,
      });
      return;
    }
    if (judgements.findIndex((other) => other.code === entry.code) !== index)
      errors.push({ path: `judgements[${index}].code`, message: `${entry.code} is listed twice` });
    const levels = judgement.levels.map((l) => l.code);
    if (entry.level != null && !levels.includes(entry.level))
      errors.push({
        path: `judgements[${index}].level`,
        message: `level must be one of ${levels.join(', ')}`,
      });
  });
  return errors;
}

/**
 * Every reason the caller cannot submit the assessment now: the one check that submit runs and
 * that `indicative.canSubmit` reports (true exactly when this is empty). In order: the status,
 * the caller (only the assessor submits), the instrument's rules on the ratings in
 * `evaluation` (minimum rated, evidence, not-rated reasons), and the judgement the assessor
 * owes (final level, a rationale when it departs from the indicative band, a formulation,
 * the needs a needs assessment indicates, the prisoner's participation).
 */
export function submitReasons(
  definition: InstrumentDefinition,
  evaluation: EvaluationResult,
  fields: SubmitState,
  caller: { mayEdit: boolean },
): SubmitReason[] {
  const reasons: SubmitReason[] = [];
  if (!isEditable(fields.status)) {
    reasons.push({
      code: 'invalid_status',
      field: 'status',
      message: `An assessment that is ${fields.status} cannot be submitted`,
    });
  }
  if (!caller.mayEdit) {
    reasons.push({ code: 'not_assessor', message: 'Only the assessor may submit this assessment' });
  }
  reasons.push(...evaluation.reasons.map((r) => ({ ...r })));
  const hasLevels = (definition.levels?.length ?? 0) > 0;
  if (hasLevels && !fields.finalRiskLevel) {
    reasons.push({
      code: 'final_level_required',
      field: 'finalRiskLevel',
      message: 'Record the final judgement (finalRiskLevel)',
    });
  }
  if (definition.reporting?.provisionalJudgementFirst && !fields.provisional) {
    reasons.push({
      code: 'provisional_required',
      field: 'provisional',
      message: 'Record a provisional judgement before the indicative band is shown',
    });
  }
  const departs =
    fields.finalRiskLevel &&
    evaluation.indicativeLevel &&
    fields.finalRiskLevel !== evaluation.indicativeLevel;
  if (hasLevels && fields.finalRiskLevel && blank(fields.finalRationale)) {
    reasons.push(
      departs
        ? {
            code: 'rationale_required',
            field: 'finalRationale',
            message: `The final level (${fields.finalRiskLevel}) differs from the indicative band (${evaluation.indicativeLevel}): explain why in finalRationale`,
          }
        : {
            code: 'final_rationale_required',
            field: 'finalRationale',
            message: 'Explain the final judgement in finalRationale',
          },
    );
  }
  for (const judgement of definition.judgements ?? []) {
    const recorded = fields.judgements?.find((j) => j.code === judgement.code);
    if (!recorded?.level)
      reasons.push({
        code: 'judgement_level_required',
        field: `judgements.${judgement.code}.level`,
        message: `Record the final level for ${judgement.label}`,
      });
    if (blank(recorded?.rationale))
      reasons.push({
        code: 'judgement_rationale_required',
        field: `judgements.${judgement.code}.rationale`,
        message: `Explain the final level for ${judgement.label}`,
      });
  }
  const scenariosRequired = definition.reporting?.scenariosRequired ?? 0;
  const structured = (fields.scenarios ?? []).filter(isStructuredScenario).length;
  if (structured < scenariosRequired) {
    reasons.push({
      code: 'scenarios_required',
      field: 'scenarios',
      message: `Describe at least ${scenariosRequired} scenario${scenariosRequired === 1 ? '' : 's'} with type, likely targets, severity, imminence, warning signs, triggers and management actions (${structured} complete)`,
    });
  }
  if (definition.reporting?.appraisalRequired) {
    for (const field of APPRAISAL_FIELDS)
      if (blank(fields.appraisal?.[field]))
        reasons.push({
          code: 'appraisal_required',
          field: `appraisal.${field}`,
          message: `Record ${APPRAISAL_LABELS[field]}`,
        });
  }
  if (definition.purpose === 'risk' && !fields.formulation?.trim()) {
    reasons.push({
      code: 'formulation_required',
      field: 'formulation',
      message: 'Write the formulation',
    });
  }
  const indicated = evaluation.needs.filter(
    (n) => n.indicatedPriority && n.indicatedPriority !== 'not_indicated',
  );
  if (definition.purpose === 'needs' && indicated.length > 0 && fields.needs.length === 0) {
    reasons.push({
      code: 'needs_required',
      field: 'needs',
      message: `Record the needs and their priorities (indicated: ${indicated.map((n) => n.code).join(', ')})`,
    });
  }
  if (!fields.prisonerParticipation) {
    reasons.push({
      code: 'participation_required',
      field: 'prisonerParticipation',
      message: 'Record whether the prisoner was informed and took part, and their own comments',
    });
  }
  return reasons;
}

const APPRAISAL_LABELS: Record<(typeof APPRAISAL_FIELDS)[number], string> = {
  confidence: 'the overall confidence in the judgement',
  informationQuality: 'the quality of the information used',
  limitations: 'the limitations of this assessment',
  indexFacts: 'whether the person admits or denies the index facts',
};

/** When the next scheduled reassessment falls due after approval on `approvedAt`. */
export function nextReviewDue(
  definition: InstrumentDefinition,
  finalLevel: string | null,
  approvedAt: Date,
): string {
  const interval =
    (finalLevel && definition.review.intervals?.[finalLevel]) ??
    definition.review.interval ??
    'P6M';
  return addIsoDuration(approvedAt, interval).toISOString().slice(0, 10);
}

/** Need codes an instrument rates (a needs assessment's `needs` must use these). */
export function needCodes(definition: InstrumentDefinition): Set<string> {
  return new Set(
    definition.domains.flatMap((d) => d.items.map((i) => i.need).filter((n): n is string => !!n)),
  );
}
