import { ApiProperty, ApiPropertyOptional, getSchemaPath } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsISO8601,
  IsObject,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { PageQueryDto } from '../../http/page.js';
import { AcceptsReadOnlyOf, Nullable, Optional } from '../../http/validation.js';
import { StaffRef } from '../../users/dto/staff-ref.js';
import { FLAG_SEVERITIES } from '../../instruments/rule-sets/rule-set.types.js';
import {
  ASSESSMENT_STATUSES,
  CONFIDENCE,
  INDEX_FACTS,
  RELEVANCE,
  RELIABILITIES,
  SCENARIO_IMMINENCE,
  SCENARIO_SEVERITIES,
  SCENARIO_TYPES,
  SOURCES,
} from '../assessment-rules.js';

export const ASSESSMENT_REASONS = ['intake', 'periodic', 'event'] as const;
export const RECOMMENDATION_TAGS = ['security', 'programme', 'clinical'] as const;
export const PRIORITIES = ['high', 'medium', 'low'] as const;
export const PARTICIPATION = ['yes', 'no', 'declined'] as const;
export const VIEWS = ['full', 'programme', 'security'] as const;
export type AssessmentView = (typeof VIEWS)[number];

export class CreateAssessmentDto {
  @ApiProperty({ example: 've-risk-spj' })
  @IsString()
  @MaxLength(64)
  @Matches(/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/, {
    message: 'instrumentKey must be a rule-set key such as ve-risk-spj',
  })
  instrumentKey!: string;

  @ApiPropertyOptional({ example: '1.0.0', description: 'Default: the newest active version' })
  @Optional()
  @IsString()
  @MaxLength(64)
  @Matches(/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/, {
    message: 'instrumentVersion must be a semantic version such as 1.0.0',
  })
  instrumentVersion?: string;

  @ApiProperty({ enum: ASSESSMENT_REASONS })
  @IsIn(ASSESSMENT_REASONS)
  reason!: (typeof ASSESSMENT_REASONS)[number];

  @ApiPropertyOptional({
    type: String,
    description: 'What prompted an event-driven assessment',
    example: 'Serious incident on 12 March',
  })
  @Optional()
  @IsString()
  @MinLength(3)
  @MaxLength(500)
  trigger?: string;

  @ApiPropertyOptional({
    type: String,
    format: 'uuid',
    description: 'The recorded prisoner event that prompted it',
  })
  @Optional()
  @IsUUID()
  triggerEventId?: string;

  @ApiPropertyOptional({
    type: Boolean,
    description:
      'Two assessors rate blind (team working): where the instrument’s `team.doubleRating` is optional; required ones always are, off ones never',
  })
  @Optional()
  @IsBoolean()
  doubleRating?: boolean;

  @ApiPropertyOptional({
    type: String,
    format: 'uuid',
    description:
      'The second assessor of a double-rated assessment: another user who may assess with the instrument, in the prisoner’s facility',
  })
  @Optional()
  @IsUUID()
  secondAssessorId?: string;
}

export class ScenarioDto {
  @ApiProperty({ example: 'Recruitment on the wing' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  title!: string;

  @ApiProperty()
  @IsString()
  @MinLength(1)
  @MaxLength(4000)
  description!: string;

  @ApiPropertyOptional({
    enum: SCENARIO_TYPES,
    description:
      'repeat (like past harm), twist (a different form), escalation (worse), improvement (best case)',
  })
  @Optional()
  @IsIn(SCENARIO_TYPES)
  type?: (typeof SCENARIO_TYPES)[number];

  @ApiPropertyOptional({ description: 'Who or what would likely be harmed (people, not groups)' })
  @Optional()
  @IsString()
  @MaxLength(2000)
  likelyTargets?: string;

  @ApiPropertyOptional({ enum: SCENARIO_SEVERITIES })
  @Optional()
  @IsIn(SCENARIO_SEVERITIES)
  severity?: (typeof SCENARIO_SEVERITIES)[number];

  @ApiPropertyOptional({ enum: SCENARIO_IMMINENCE })
  @Optional()
  @IsIn(SCENARIO_IMMINENCE)
  imminence?: (typeof SCENARIO_IMMINENCE)[number];

  @ApiPropertyOptional({ description: 'What staff would notice first' })
  @Optional()
  @IsString()
  @MaxLength(4000)
  warningSigns?: string;

  @ApiPropertyOptional({ description: 'Events or circumstances that could set it off' })
  @Optional()
  @IsString()
  @MaxLength(4000)
  triggers?: string;

  @ApiPropertyOptional({ description: 'What would prevent or manage it, and who does it' })
  @Optional()
  @IsString()
  @MaxLength(4000)
  managementActions?: string;
}

/** The judgement recorded before the indicative band is shown (once; it is kept as first recorded). */
export class ProvisionalDto {
  @ApiPropertyOptional({ description: 'A level code of the instrument (when it declares levels)' })
  @Optional()
  @IsString()
  @MaxLength(64)
  level?: string;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { type: 'string', maxLength: 64 },
    maxProperties: 20,
    description: 'Judgement code -> level code, one for every judgement the instrument declares',
  })
  @Optional()
  @IsObject()
  judgements?: Record<string, string>;

  @ApiPropertyOptional({ format: 'date-time', readOnly: true, description: 'Ignored on input' })
  @Optional()
  @IsString()
  @MaxLength(40)
  recordedAt?: string;
}

export class ProvisionalResponse extends ProvisionalDto {
  @ApiProperty({ format: 'date-time', readOnly: true }) declare recordedAt: string;
}

/** The final level and rationale of one judgement the instrument declares. */
export class FinalJudgementDto {
  @ApiProperty({ example: 'influence' })
  @IsString()
  @MinLength(1)
  @MaxLength(64)
  code!: string;

  @ApiProperty({ type: String, nullable: true, description: 'A level of that judgement' })
  @Nullable()
  @IsString()
  @MaxLength(64)
  level!: string | null;

  @ApiProperty({ type: String, nullable: true, description: 'Why (full view only)' })
  @Nullable()
  @IsString()
  @MaxLength(20000)
  rationale!: string | null;
}

/** A judgement's final level as the programme and security views show it (no rationale). */
export class JudgementLevelResponse {
  @ApiProperty() code!: string;
  @ApiProperty() label!: string;
  @ApiProperty({ type: String, nullable: true }) level!: string | null;
}

export const CASE_FACTOR_RATINGS = ['low', 'moderate', 'high'] as const;

/** A factor the instrument does not list ("+" factors): evidence and rating, never in bands. */
export class CaseFactorDto {
  @ApiProperty({ example: 'Debt to a gang leader on the wing' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  title!: string;

  @ApiProperty({ description: 'What the factor is and how it bears on this person' })
  @IsString()
  @MinLength(1)
  @MaxLength(4000)
  description!: string;

  @ApiProperty({ description: 'The evidence for it' })
  @IsString()
  @MinLength(1)
  @MaxLength(10000)
  evidence!: string;

  @ApiProperty({ enum: CASE_FACTOR_RATINGS })
  @IsIn(CASE_FACTOR_RATINGS)
  rating!: (typeof CASE_FACTOR_RATINGS)[number];
}

export class AppraisalDto {
  @ApiPropertyOptional({ enum: CONFIDENCE, description: 'Overall confidence in the judgement' })
  @Optional()
  @IsIn(CONFIDENCE)
  confidence?: (typeof CONFIDENCE)[number];

  @ApiPropertyOptional({ description: 'Quality and range of the information, collateral sources' })
  @Optional()
  @IsString()
  @MaxLength(10000)
  informationQuality?: string;

  @ApiPropertyOptional({ description: 'Limitations of this assessment (missing information, ...)' })
  @Optional()
  @IsString()
  @MaxLength(10000)
  limitations?: string;

  @ApiPropertyOptional({
    enum: INDEX_FACTS,
    description: 'Whether the person admits or denies the facts of the index offence',
  })
  @Optional()
  @IsIn(INDEX_FACTS)
  indexFacts?: (typeof INDEX_FACTS)[number];
}

export class RecommendationDto {
  @ApiProperty({ example: 'Review allocation after the next case conference' })
  @IsString()
  @MinLength(1)
  @MaxLength(2000)
  text!: string;

  @ApiProperty({
    enum: RECOMMENDATION_TAGS,
    description:
      'Who may read it: security recommendations reach security staff; clinical ones only psychologists',
  })
  @IsIn(RECOMMENDATION_TAGS)
  tag!: (typeof RECOMMENDATION_TAGS)[number];
}

export class NeedDto {
  @ApiProperty({ example: 'identity_belonging' })
  @IsString()
  @MinLength(1)
  @MaxLength(64)
  code!: string;

  @ApiProperty({ enum: PRIORITIES })
  @IsIn(PRIORITIES)
  priority!: (typeof PRIORITIES)[number];
}

export class ParticipationDto {
  @ApiProperty({ format: 'date', description: 'When the prisoner was informed of the assessment' })
  @IsISO8601({ strict: true }, { message: 'informedOn must be a date (YYYY-MM-DD)' })
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'informedOn must be a date (YYYY-MM-DD)' })
  @MaxLength(10)
  informedOn!: string;

  @ApiProperty({ enum: PARTICIPATION })
  @IsIn(PARTICIPATION)
  participated!: (typeof PARTICIPATION)[number];

  @ApiPropertyOptional({
    type: String,
    description: 'The prisoner’s own comments or disagreement, verbatim',
  })
  @Nullable()
  @IsString()
  @MaxLength(10000)
  prisonerComments?: string | null;
}

/** A rating as an edit sends it (the service checks it against the pinned instrument). */
const RATING_TEXT = { type: ['string', 'null'], maxLength: 10000 };
export const RATING_INPUT_SCHEMA = {
  type: 'object',
  description:
    'A rating: `value` (an option of the item’s scale), or `notRated: true` with a `reason`; ' +
    'evidence, sources and reliability. `label` is read-only (the option’s label, stored by the service).',
  properties: {
    value: {
      type: ['string', 'null'],
      maxLength: 64,
      description: 'An option code of the item’s scale',
    },
    label: { type: 'string', readOnly: true, description: 'Ignored on input' },
    notRated: { type: 'boolean' },
    reason: { ...RATING_TEXT, description: 'Why the item is not rated' },
    evidenceFor: RATING_TEXT,
    evidenceAgainst: RATING_TEXT,
    sources: {
      type: 'array',
      items: { type: 'string', enum: [...SOURCES] },
      uniqueItems: true,
      maxItems: SOURCES.length,
    },
    reliability: { type: ['string', 'null'], enum: [...RELIABILITIES, null] },
    relevance: {
      type: ['string', 'null'],
      enum: [...RELEVANCE, null],
      description: 'How much the item matters to this person’s pathway (separate from its rating)',
    },
  },
  additionalProperties: false,
};

export class CountersignDto {
  @ApiProperty({ enum: ['approve', 'return'] })
  @IsIn(['approve', 'return'])
  decision!: 'approve' | 'return';

  @ApiPropertyOptional({
    type: String,
    description: 'Required when returning: what the author must address',
  })
  @Optional()
  @IsString()
  @MaxLength(10000)
  comments?: string;
}

export const TRIGGER_REVIEW_OUTCOMES = ['no_change', 'reassess', 'amend'] as const;

/** A review of the current approved assessment that an event or a flag made due. */
export class TriggerReviewDto {
  @ApiProperty({
    format: 'uuid',
    description: 'The prisoner event (or the event a flag recorded) that made the review due',
  })
  @IsUUID()
  eventId!: string;

  @ApiProperty({
    enum: TRIGGER_REVIEW_OUTCOMES,
    description: 'no_change closes it; reassess or amend makes a reassessment due at once',
  })
  @IsIn(TRIGGER_REVIEW_OUTCOMES)
  outcome!: (typeof TRIGGER_REVIEW_OUTCOMES)[number];

  @ApiProperty({ example: 'The incident does not change any rating: no weapon, no cause link' })
  @IsString()
  @MinLength(10)
  @MaxLength(10000)
  rationale!: string;

  @ApiPropertyOptional({ format: 'date', description: 'Default: today' })
  @Optional()
  @IsISO8601({ strict: true }, { message: 'reviewedOn must be a date (YYYY-MM-DD)' })
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'reviewedOn must be a date (YYYY-MM-DD)' })
  @MaxLength(10)
  reviewedOn?: string;
}

export class TriggerReviewResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) assessmentId!: string;
  @ApiProperty({ format: 'uuid' }) eventId!: string;
  @ApiProperty() eventType!: string;
  @ApiProperty({ enum: TRIGGER_REVIEW_OUTCOMES }) outcome!: string;
  @ApiProperty() rationale!: string;
  @ApiProperty({ format: 'date' }) reviewedOn!: string;
  @ApiProperty({ type: StaffRef }) reviewer!: StaffRef;
  @ApiProperty({ format: 'date-time' }) recordedAt!: string;
}

export class ReasonDto {
  @ApiProperty({ example: 'New information from the intelligence unit changes two items' })
  @IsString()
  @MinLength(10)
  @MaxLength(2000)
  reason!: string;
}

/** `GET /prisoners/:id/assessments`: every revision of one prisoner, paged. */
export class ListAssessmentsQueryDto extends PageQueryDto {}

/** One or more values, repeated (`?status=a&status=b`) or comma-separated (`?status=a,b`). */
const manyValues = ({ value }: { value: unknown }) =>
  (Array.isArray(value) ? value : [value]).flatMap((v) =>
    typeof v === 'string' ? v.split(',').map((s) => s.trim()) : [v],
  );

/** `true` / `false` in a query string; anything else is left for validation to refuse. */
const booleanValue = ({ value }: { value: unknown }) =>
  value === 'true' ? true : value === 'false' ? false : value;

/** `GET /assessments`: assessments across the caller's scope ("my work"). */
export class SearchAssessmentsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({
    type: 'array',
    items: {
      anyOf: [
        { type: 'string', enum: [...ASSESSMENT_STATUSES] },
        {
          type: 'string',
          description: 'Several statuses separated by commas',
          pattern: `^(${ASSESSMENT_STATUSES.join('|')})(,(${ASSESSMENT_STATUSES.join('|')}))+$`,
          maxLength: 100,
        },
      ],
    },
    maxItems: ASSESSMENT_STATUSES.length,
    description: 'Only these statuses (repeat the parameter, or separate with commas)',
  })
  @Optional()
  @Transform(manyValues)
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(ASSESSMENT_STATUSES.length)
  @IsIn(ASSESSMENT_STATUSES, {
    each: true,
    message: `status must be one or more of ${ASSESSMENT_STATUSES.join(', ')}`,
  })
  status?: (typeof ASSESSMENT_STATUSES)[number][];

  @ApiPropertyOptional({ enum: ['me'], description: 'Only assessments the caller wrote' })
  @Optional()
  @IsIn(['me'], { message: 'assessor must be me' })
  assessor?: 'me';

  @ApiPropertyOptional({
    type: Boolean,
    description:
      'Only submitted assessments of others that the caller may countersign (in scope, certified for the instrument when it asks for it)',
  })
  @Optional()
  @Transform(booleanValue)
  @IsBoolean({ message: 'awaitingMyCountersignature must be true or false' })
  awaitingMyCountersignature?: boolean;
}

// ------------------------------------------------------------------ responses

export class InstrumentRef {
  @ApiProperty() key!: string;
  @ApiProperty() version!: string;
  @ApiProperty() title!: string;
  @ApiProperty({ enum: ['risk', 'needs'] }) purpose!: string;
}

export class TransitionDto {
  @ApiProperty({
    enum: ASSESSMENT_STATUSES,
    nullable: true,
    type: String,
    description: 'null: created',
  })
  from!: string | null;
  @ApiProperty({ enum: ASSESSMENT_STATUSES }) to!: string;
  @ApiProperty({ type: StaffRef }) actor!: StaffRef;
  @ApiProperty({ format: 'date-time' }) at!: string;
  @ApiProperty({ type: String, nullable: true }) comments!: string | null;
}

/** One thing that stops a submit (and `indicative.reasons`). */
export class SubmitReasonResponse {
  @ApiProperty({
    description:
      'invalid_status, not_assessor, invalid_ratings, unknown_item, invalid_rating, invalid_value, ' +
      'conflicting_rating, unanswered, not_rated_reason_required, evidence_required, minimum_rated, ' +
      'final_level_required, rationale_required, formulation_required, needs_required, participation_required',
    example: 'evidence_required',
  })
  code!: string;
  @ApiProperty() message!: string;
  @ApiPropertyOptional({ description: 'The item concerned' }) item?: string;
  @ApiPropertyOptional({ description: 'The domain concerned' }) domain?: string;
  @ApiPropertyOptional({ description: 'The field to complete, e.g. finalRiskLevel' })
  field?: string;
}

export class FlagResponse {
  @ApiProperty() code!: string;
  @ApiProperty() label!: string;
  @ApiPropertyOptional({ enum: FLAG_SEVERITIES }) severity?: string;
  @ApiPropertyOptional({ description: 'The instrument’s rule (CEL) that fired it' }) rule?: string;
  @ApiPropertyOptional({ description: 'What to do about it' }) description?: string;
}

/** A warning shared when it first fired: its label and date, never the ratings behind it. */
export class WarningResponse {
  @ApiProperty() code!: string;
  @ApiProperty() label!: string;
  @ApiProperty({ enum: FLAG_SEVERITIES }) severity!: string;
  @ApiProperty({ format: 'date-time' }) firedAt!: string;
  @ApiPropertyOptional({ type: [String], description: 'Full view: who it was shared with' })
  sharedWith?: string[];
  @ApiPropertyOptional({
    enum: ['reassess', 'review'],
    nullable: true,
    type: String,
    description: 'Full view: what it made due',
  })
  dueAction?: string | null;
  @ApiPropertyOptional({ type: String, nullable: true, format: 'date' }) dueDate?: string | null;
}

export class DomainSummaryResponse {
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'integer', minimum: 0 },
    description: 'Rated items per option code',
  })
  counts!: Record<string, number>;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Option code of the highest-scored rating; null when nothing is rated',
  })
  highest!: string | null;
  @ApiProperty() meetsMinimum!: boolean;
}

export class DomainResultResponse {
  @ApiProperty() code!: string;
  @ApiPropertyOptional({ type: 'integer', description: 'Full view only: items in the domain' })
  total?: number;
  @ApiProperty({ type: 'integer' }) rated!: number;
  @ApiProperty({ type: 'integer' }) notRated!: number;
  @ApiPropertyOptional({
    type: 'integer',
    description: 'Full view only: items neither rated nor marked',
  })
  missing?: number;
  @ApiProperty({ type: DomainSummaryResponse }) summary!: DomainSummaryResponse;
}

export class ContributionResponse {
  @ApiProperty({ description: 'Item code' }) item!: string;
  @ApiProperty() value!: number;
}

export class NeedResultResponse {
  @ApiProperty() code!: string;
  @ApiProperty({ type: [String], description: 'Items the need is assessed from' }) items!: string[];
  @ApiProperty({ type: 'integer' }) rated!: number;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'From the instrument’s need priorities; null when none of its items is rated',
  })
  indicatedPriority!: string | null;
}

export class RuleWarningResponse {
  @ApiProperty({ enum: ['rule_error'] }) code!: string;
  @ApiProperty() rule!: string;
  @ApiProperty() message!: string;
}

export class JudgementIndicationResponse {
  @ApiProperty() code!: string;
  @ApiProperty({ type: String, nullable: true }) indicativeLevel!: string | null;
}

/**
 * What the instrument's rules computed (illustrative, not predictive). The programme view
 * carries `indicativeLevel` and the summaries of domains without clinical or restricted items
 * (code, rated, notRated, summary); the full view carries everything.
 */
export class IndicativeResponse {
  @ApiProperty({
    type: String,
    nullable: true,
    description:
      'The indicative band: null when the instrument has none, the minimum-rated rule is not met, or a band rule failed',
  })
  indicativeLevel!: string | null;
  @ApiPropertyOptional({
    type: () => JudgementIndicationResponse,
    isArray: true,
    description: 'Indicative level per declared judgement (null without bands or while withheld)',
  })
  judgements?: JudgementIndicationResponse[];
  @ApiPropertyOptional({
    description:
      'Full view: true while the instrument withholds its bands until a provisional judgement is recorded',
  })
  withheld?: boolean;
  @ApiProperty({ type: [DomainResultResponse] }) domains!: DomainResultResponse[];
  @ApiPropertyOptional({ description: 'Full view only' }) engineVersion?: string;
  @ApiPropertyOptional({ type: [FlagResponse], description: 'Full view only' })
  flags?: FlagResponse[];
  @ApiPropertyOptional({
    type: [ContributionResponse],
    description: 'Full view only: per-item contributions',
  })
  contributions?: ContributionResponse[];
  @ApiPropertyOptional({ type: [NeedResultResponse], description: 'Full view only' })
  needs?: NeedResultResponse[];
  @ApiPropertyOptional({ type: [String], description: 'Full view only: items not yet answered' })
  missing?: string[];
  @ApiPropertyOptional({
    description: 'Full view only: true exactly when submit would succeed for the caller now',
  })
  canSubmit?: boolean;
  @ApiPropertyOptional({
    type: [SubmitReasonResponse],
    description: 'Full view only: everything submit would refuse for (the same check)',
  })
  reasons?: SubmitReasonResponse[];
  @ApiPropertyOptional({
    type: [RuleWarningResponse],
    description: 'Full view only: rules that failed at run time (they do not block submission)',
  })
  warnings?: RuleWarningResponse[];
}

/** A stored rating: what the assessor entered and the option's label at the time. */
export class RatingResponse {
  @ApiPropertyOptional({ description: 'The option code' }) value?: string;
  @ApiPropertyOptional({ description: 'The option’s label in the pinned version' }) label?: string;
  @ApiPropertyOptional() notRated?: boolean;
  @ApiPropertyOptional({ description: 'Why it is not rated' }) reason?: string;
  @ApiPropertyOptional() evidenceFor?: string;
  @ApiPropertyOptional() evidenceAgainst?: string;
  @ApiPropertyOptional({ enum: SOURCES, isArray: true }) sources?: string[];
  @ApiPropertyOptional({ enum: RELIABILITIES }) reliability?: string;
  @ApiPropertyOptional({ enum: RELEVANCE }) relevance?: string;
}

/** The consensus of a double-rated assessment (team working). */
export class ConsensusResponse {
  @ApiProperty() rationale!: string;
  @ApiProperty({ format: 'date-time' }) recordedAt!: string;
  @ApiProperty({ type: StaffRef }) recordedBy!: StaffRef;
  @ApiProperty({ type: [String], description: 'Items on which the blind ratings differed' })
  differed!: string[];
}

export class AssessmentResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) prisonerId!: string;
  @ApiProperty({ enum: ASSESSMENT_STATUSES }) status!: string;
  @ApiProperty({ type: 'integer' }) revision!: number;
  @ApiProperty({ type: 'integer', description: 'Send in If-Match when editing (also the ETag)' })
  version!: number;
  @ApiProperty({ enum: VIEWS, description: 'Which fields the caller’s roles allow (see README)' })
  view!: AssessmentView;
  @ApiProperty({ type: InstrumentRef }) instrument!: InstrumentRef;
  @ApiProperty({ type: String, nullable: true }) finalRiskLevel!: string | null;
  @ApiProperty({
    type: [JudgementLevelResponse],
    description:
      'Final level per declared judgement: every view once countersigned (the full view at once, with `judgements` rationale in `finalJudgements`)',
  })
  judgementLevels!: JudgementLevelResponse[];
  @ApiProperty({ type: String, nullable: true, format: 'date' }) nextReviewDue!: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) approvedAt!: string | null;
  @ApiProperty({
    type: [RecommendationDto],
    description: 'security view: only those tagged security',
  })
  recommendations!: RecommendationDto[];
  // programme and full views
  @ApiPropertyOptional({ enum: ASSESSMENT_REASONS }) reason?: string;
  @ApiPropertyOptional({ format: 'uuid', nullable: true, type: String }) supersedesId?:
    string | null;
  @ApiPropertyOptional({ type: StaffRef }) assessor?: StaffRef;
  @ApiPropertyOptional({ type: StaffRef, nullable: true }) countersigner?: StaffRef | null;
  @ApiPropertyOptional({ type: [NeedDto] }) needs?: NeedDto[];
  @ApiPropertyOptional({ format: 'date-time' }) createdAt?: string;
  @ApiPropertyOptional({ type: String, nullable: true, format: 'date-time' }) submittedAt?:
    string | null;
  @ApiPropertyOptional({ type: String, nullable: true, format: 'date-time' }) cancelledAt?:
    string | null;
  @ApiPropertyOptional({
    type: IndicativeResponse,
    nullable: true,
    description:
      'programme: level and summaries of domains without clinical or restricted items (once countersigned); ' +
      'full: everything the engine computed, with `canSubmit` true exactly when submit would succeed for the caller ' +
      'and `reasons` listing everything submit would refuse for (the same check)',
  })
  indicative?: IndicativeResponse | null;
  @ApiPropertyOptional({
    type: [WarningResponse],
    description:
      'security view: flags shared with security since they first fired (even on a draft), label and date only; full view: every shared or review-making flag',
  })
  warnings?: WarningResponse[];
  // full view only
  @ApiPropertyOptional({ type: String, nullable: true }) trigger?: string | null;
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { $ref: getSchemaPath(RatingResponse) },
    description: 'Item code -> rating',
  })
  ratings?: Record<string, RatingResponse>;
  @ApiPropertyOptional({ type: String, nullable: true }) formulation?: string | null;
  @ApiPropertyOptional({ type: [ScenarioDto] }) scenarios?: ScenarioDto[];
  @ApiPropertyOptional({ type: String, nullable: true }) finalRationale?: string | null;
  @ApiPropertyOptional({ type: ProvisionalResponse, nullable: true })
  provisional?: ProvisionalResponse | null;
  @ApiPropertyOptional({
    type: [FinalJudgementDto],
    description: 'Level and rationale per judgement',
  })
  judgements?: FinalJudgementDto[];
  @ApiPropertyOptional({ type: AppraisalDto, nullable: true }) appraisal?: AppraisalDto | null;
  @ApiPropertyOptional({
    type: [CaseFactorDto],
    description: 'Factors the instrument does not list; never in a band',
  })
  caseFactors?: CaseFactorDto[];
  @ApiPropertyOptional({ type: ParticipationDto, nullable: true })
  prisonerParticipation?: ParticipationDto | null;
  @ApiPropertyOptional({ type: String, nullable: true }) cancelReason?: string | null;
  @ApiPropertyOptional({
    type: Boolean,
    description: 'Two assessors rate blind; `ratings` hold the consensus once recorded',
  })
  doubleRating?: boolean;
  @ApiPropertyOptional({ type: ConsensusResponse, nullable: true })
  consensus?: ConsensusResponse | null;
  @ApiPropertyOptional({ type: [TransitionDto], description: 'full view of a single assessment' })
  history?: TransitionDto[];
  @ApiPropertyOptional({
    format: 'uuid',
    description: 'Present when read through an emergency-access grant',
  })
  emergencyAccessId?: string;
}

/**
 * An edit of a draft (or returned) assessment. `ratings` maps item codes to a rating, or to
 * null to clear it; other items keep theirs. Arrays are replaced whole. Null clears a field.
 * What a GET returns may be sent back: the read-only fields are ignored.
 */
@AcceptsReadOnlyOf(AssessmentResponse)
export class UpdateAssessmentDto {
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { anyOf: [RATING_INPUT_SCHEMA, { type: 'null' }] },
    maxProperties: 500,
    description: `Item code -> rating, or null to clear it. Sources: ${SOURCES.join(', ')}; reliability: ${RELIABILITIES.join(', ')}`,
    example: {
      BA01: {
        value: 'moderate',
        evidenceFor: 'Said on 3 March that...',
        sources: ['interview'],
        reliability: 'medium',
      },
    },
  })
  @Optional()
  @IsObject()
  ratings?: Record<string, unknown>;

  @ApiPropertyOptional({ type: String })
  @Nullable()
  @IsString()
  @MaxLength(50000)
  formulation?: string | null;

  @ApiPropertyOptional({ type: [ScenarioDto], description: 'null empties it' })
  @Nullable()
  @IsArray()
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => ScenarioDto)
  scenarios?: ScenarioDto[] | null;

  @ApiPropertyOptional({
    type: [NeedDto],
    description: 'Needs instruments: assessed needs with priorities (null empties it)',
  })
  @Nullable()
  @IsArray()
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => NeedDto)
  needs?: NeedDto[] | null;

  @ApiPropertyOptional({
    type: ProvisionalDto,
    nullable: true,
    description:
      'Recorded once, before the indicative band is shown (instruments that ask for it); it cannot be changed or cleared afterwards (sending back what a GET shows changes nothing)',
  })
  @Nullable()
  @IsObject()
  @ValidateNested()
  @Type(() => ProvisionalDto)
  provisional?: ProvisionalDto | null;

  @ApiPropertyOptional({
    type: [FinalJudgementDto],
    description:
      'Final level and rationale per declared judgement (replaced whole; null empties it)',
  })
  @Nullable()
  @IsArray()
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => FinalJudgementDto)
  judgements?: FinalJudgementDto[] | null;

  @ApiPropertyOptional({
    type: [CaseFactorDto],
    description: 'Case-specific factors (replaced whole; null empties it); never in a band',
  })
  @Nullable()
  @IsArray()
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => CaseFactorDto)
  caseFactors?: CaseFactorDto[] | null;

  @ApiPropertyOptional({ type: AppraisalDto, description: 'null clears it' })
  @Nullable()
  @IsObject()
  @ValidateNested()
  @Type(() => AppraisalDto)
  appraisal?: AppraisalDto | null;

  @ApiPropertyOptional({ type: String, description: 'A level code of the instrument' })
  @Nullable()
  @IsString()
  @MaxLength(64)
  finalRiskLevel?: string | null;

  @ApiPropertyOptional({ type: String })
  @Nullable()
  @IsString()
  @MaxLength(20000)
  finalRationale?: string | null;

  @ApiPropertyOptional({ type: [RecommendationDto], description: 'null empties it' })
  @Nullable()
  @IsArray()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => RecommendationDto)
  recommendations?: RecommendationDto[] | null;

  @ApiPropertyOptional({ type: ParticipationDto })
  @Nullable()
  @IsObject()
  @ValidateNested()
  @Type(() => ParticipationDto)
  prisonerParticipation?: ParticipationDto | null;
}

export class ListedAssessmentResponse extends AssessmentResponse {
  @ApiProperty() prisonNumber!: string;
  @ApiProperty({ description: 'Given and family name' }) prisonerName!: string;
}

export class ListedAssessmentPageResponse {
  @ApiProperty({ type: [ListedAssessmentResponse] }) items!: ListedAssessmentResponse[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}

export class AssessmentPageResponse {
  @ApiProperty({ type: [AssessmentResponse] }) items!: AssessmentResponse[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}

export class RiskTimelineEntry {
  @ApiProperty({ format: 'uuid' }) assessmentId!: string;
  @ApiProperty({ format: 'date-time' }) approvedAt!: string;
  @ApiProperty({ type: InstrumentRef }) instrument!: InstrumentRef;
  @ApiProperty({ type: 'integer' }) revision!: number;
  @ApiProperty({ enum: ['approved', 'superseded'] }) status!: string;
  @ApiProperty({ type: String, nullable: true }) indicativeLevel!: string | null;
  @ApiProperty({ type: String, nullable: true }) finalRiskLevel!: string | null;
  @ApiProperty({ type: [JudgementLevelResponse], description: 'Final level per judgement' })
  judgements!: JudgementLevelResponse[];
  @ApiPropertyOptional({
    type: 'array',
    items: {
      type: 'object',
      properties: {
        title: { type: 'string' },
        rating: { type: 'string', enum: [...CASE_FACTOR_RATINGS] },
      },
      required: ['title', 'rating'],
    },
    description: 'Full view: case-specific factors (title and rating)',
  })
  caseFactors?: { title: string; rating: string }[];
  @ApiPropertyOptional({
    type: [DomainResultResponse],
    description: 'Not in the security view',
  })
  domains?: DomainResultResponse[];
}

export class RiskTimelineQueryDto {
  @ApiPropertyOptional({
    example: 've-risk-spj',
    maxLength: 64,
    description:
      'Only this instrument (a timeline is read per instrument; levels differ between them). Default: the instrument the deployment configures (INSTRUMENT_FOR_TIMELINE), else every instrument',
  })
  @Optional()
  @IsString()
  @MaxLength(64)
  @Matches(/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/, {
    message: 'instrument must be a rule-set key such as ve-risk-spj',
  })
  instrument?: string;
}

export class ConfiguredTimelineInstrument {
  @ApiProperty({ example: 've-risk-spj' }) key!: string;
  @ApiProperty({ type: String, nullable: true, example: '^1.1.0' }) versionRange!: string | null;
  @ApiProperty({
    type: String,
    nullable: true,
    example: 'custody_violence',
    description: 'The judgement the timeline plots; null: the overall final level',
  })
  judgement!: string | null;
}

export class RiskTimelineResponse {
  @ApiProperty({ format: 'uuid' }) prisonerId!: string;
  @ApiProperty({
    type: String,
    nullable: true,
    description:
      'The instrument shown: the one asked for, else the one the deployment configures (INSTRUMENT_FOR_TIMELINE); null: every instrument',
  })
  instrumentKey!: string | null;
  @ApiProperty({
    type: ConfiguredTimelineInstrument,
    nullable: true,
    description: 'The instrument and judgement this deployment shows by default, if configured',
  })
  configuredInstrument!: ConfiguredTimelineInstrument | null;
  @ApiProperty({ enum: VIEWS }) view!: AssessmentView;
  @ApiProperty({ type: [RiskTimelineEntry] }) entries!: RiskTimelineEntry[];
}
