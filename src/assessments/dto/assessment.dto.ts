import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsISO8601,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { PageQueryDto } from '../../http/page.js';
import { ASSESSMENT_STATUSES, RELIABILITIES, SOURCES } from '../assessment-rules.js';

export const ASSESSMENT_REASONS = ['intake', 'periodic', 'event'] as const;
export const RECOMMENDATION_TAGS = ['security', 'programme', 'clinical'] as const;
export const PRIORITIES = ['high', 'medium', 'low'] as const;
export const PARTICIPATION = ['yes', 'no', 'declined'] as const;
export const VIEWS = ['full', 'programme', 'security'] as const;
export type AssessmentView = (typeof VIEWS)[number];

export class CreateAssessmentDto {
  @ApiProperty({ example: 've-risk-spj' })
  @IsString()
  @Matches(/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/, {
    message: 'instrumentKey must be a rule-set key such as ve-risk-spj',
  })
  instrumentKey!: string;

  @ApiPropertyOptional({ example: '1.0.0', description: 'Default: the newest active version' })
  @IsOptional()
  @IsString()
  @Matches(/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/, {
    message: 'instrumentVersion must be a semantic version such as 1.0.0',
  })
  instrumentVersion?: string;

  @ApiProperty({ enum: ASSESSMENT_REASONS })
  @IsIn(ASSESSMENT_REASONS)
  reason!: (typeof ASSESSMENT_REASONS)[number];

  @ApiPropertyOptional({
    description: 'What prompted an event-driven assessment',
    example: 'Serious incident on 12 March',
  })
  @IsOptional()
  @IsString()
  @MinLength(3)
  @MaxLength(500)
  trigger?: string;

  @ApiPropertyOptional({
    format: 'uuid',
    description: 'The recorded prisoner event that prompted it',
  })
  @IsOptional()
  @IsUUID()
  triggerEventId?: string;
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
  informedOn!: string;

  @ApiProperty({ enum: PARTICIPATION })
  @IsIn(PARTICIPATION)
  participated!: (typeof PARTICIPATION)[number];

  @ApiPropertyOptional({ description: 'The prisoner’s own comments or disagreement, verbatim' })
  @IsOptional()
  @IsString()
  @MaxLength(10000)
  prisonerComments?: string;
}

/**
 * An edit of a draft (or returned) assessment. `ratings` maps item codes to a rating, or to
 * null to clear it; other items keep theirs. Arrays are replaced whole. Null clears a field.
 */
export class UpdateAssessmentDto {
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: `Item code -> { value (a scale option) | notRated: true with reason, evidenceFor, evidenceAgainst, sources (${SOURCES.join(', ')}), reliability (${RELIABILITIES.join(', ')}) }, or null`,
    example: {
      BA01: {
        value: 'moderate',
        evidenceFor: 'Said on 3 March that...',
        sources: ['interview'],
        reliability: 'medium',
      },
    },
  })
  @IsOptional()
  @IsObject()
  ratings?: Record<string, unknown>;

  @ApiPropertyOptional({ type: String, nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(50000)
  formulation?: string | null;

  @ApiPropertyOptional({ type: [ScenarioDto], nullable: true, description: 'null empties it' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => ScenarioDto)
  scenarios?: ScenarioDto[];

  @ApiPropertyOptional({
    type: [NeedDto],
    nullable: true,
    description: 'Needs instruments: assessed needs with priorities (null empties it)',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => NeedDto)
  needs?: NeedDto[];

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    description: 'A level code of the instrument',
  })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  finalRiskLevel?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(20000)
  finalRationale?: string | null;

  @ApiPropertyOptional({
    type: [RecommendationDto],
    nullable: true,
    description: 'null empties it',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => RecommendationDto)
  recommendations?: RecommendationDto[];

  @ApiPropertyOptional({ type: ParticipationDto, nullable: true })
  @IsOptional()
  @ValidateNested()
  @Type(() => ParticipationDto)
  prisonerParticipation?: ParticipationDto | null;
}

export class CountersignDto {
  @ApiProperty({ enum: ['approve', 'return'] })
  @IsIn(['approve', 'return'])
  decision!: 'approve' | 'return';

  @ApiPropertyOptional({ description: 'Required when returning: what the author must address' })
  @IsOptional()
  @IsString()
  @MaxLength(10000)
  comments?: string;
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
    items: { type: 'string', enum: [...ASSESSMENT_STATUSES] },
    description: 'Only these statuses (repeat the parameter, or separate with commas)',
  })
  @IsOptional()
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
  @IsOptional()
  @IsIn(['me'], { message: 'assessor must be me' })
  assessor?: 'me';

  @ApiPropertyOptional({
    type: Boolean,
    description:
      'Only submitted assessments of others that the caller may countersign (in scope, certified for the instrument when it asks for it)',
  })
  @IsOptional()
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

export class UserRef {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() displayName!: string;
}

export class TransitionDto {
  @ApiProperty({ enum: ASSESSMENT_STATUSES, nullable: true, type: String }) from!: string | null;
  @ApiProperty({ enum: ASSESSMENT_STATUSES }) to!: string;
  @ApiProperty({ type: UserRef }) actor!: UserRef;
  @ApiProperty({ format: 'date-time' }) at!: string;
  @ApiProperty({ type: String, nullable: true }) comments!: string | null;
}

export class AssessmentResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) prisonerId!: string;
  @ApiProperty({ enum: ASSESSMENT_STATUSES }) status!: string;
  @ApiProperty() revision!: number;
  @ApiProperty({ description: 'Send in If-Match when editing' }) version!: number;
  @ApiProperty({ enum: VIEWS, description: 'Which fields the caller’s roles allow (see README)' })
  view!: AssessmentView;
  @ApiProperty({ type: InstrumentRef }) instrument!: InstrumentRef;
  @ApiProperty({ type: String, nullable: true }) finalRiskLevel!: string | null;
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
  @ApiPropertyOptional({ type: UserRef }) assessor?: UserRef;
  @ApiPropertyOptional({ type: UserRef, nullable: true }) countersigner?: UserRef | null;
  @ApiPropertyOptional({ type: [NeedDto] }) needs?: NeedDto[];
  @ApiPropertyOptional() createdAt?: string;
  @ApiPropertyOptional({ type: String, nullable: true }) submittedAt?: string | null;
  @ApiPropertyOptional({ type: String, nullable: true }) cancelledAt?: string | null;
  @ApiPropertyOptional({
    type: Object,
    nullable: true,
    description:
      'programme: level and summaries of domains without clinical or restricted items (once countersigned); ' +
      'full: everything the engine computed, with `canSubmit` true exactly when submit would succeed for the caller ' +
      'and `reasons` listing everything submit would refuse for (the same check)',
  })
  indicative?: Record<string, unknown> | null;
  // full view only
  @ApiPropertyOptional({ type: String, nullable: true }) trigger?: string | null;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true }) ratings?: Record<
    string,
    unknown
  >;
  @ApiPropertyOptional({ type: String, nullable: true }) formulation?: string | null;
  @ApiPropertyOptional({ type: [ScenarioDto] }) scenarios?: ScenarioDto[];
  @ApiPropertyOptional({ type: String, nullable: true }) finalRationale?: string | null;
  @ApiPropertyOptional({ type: ParticipationDto, nullable: true })
  prisonerParticipation?: ParticipationDto | null;
  @ApiPropertyOptional({ type: String, nullable: true }) cancelReason?: string | null;
  @ApiPropertyOptional({ type: [TransitionDto], description: 'full view of a single assessment' })
  history?: TransitionDto[];
  @ApiPropertyOptional({ description: 'Present when read through an emergency-access grant' })
  emergencyAccessId?: string;
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
  @ApiProperty() approvedAt!: string;
  @ApiProperty({ type: InstrumentRef }) instrument!: InstrumentRef;
  @ApiProperty() revision!: number;
  @ApiProperty({ enum: ['approved', 'superseded'] }) status!: string;
  @ApiProperty({ type: String, nullable: true }) indicativeLevel!: string | null;
  @ApiProperty({ type: String, nullable: true }) finalRiskLevel!: string | null;
  @ApiPropertyOptional({
    type: 'array',
    items: { type: 'object' },
    description: 'Not in the security view',
  })
  domains?: Record<string, unknown>[];
}

export class RiskTimelineResponse {
  @ApiProperty({ format: 'uuid' }) prisonerId!: string;
  @ApiProperty({ enum: VIEWS }) view!: AssessmentView;
  @ApiProperty({ type: [RiskTimelineEntry] }) entries!: RiskTimelineEntry[];
}
