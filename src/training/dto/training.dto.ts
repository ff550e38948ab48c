import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsObject,
  IsString,
  Matches,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import { Nullable, Optional } from '../../http/validation.js';
import { AGREEMENT_STATISTICS, CASE_SECTION_TYPES } from '../rule-sets/training-rule-set.types.js';
import { TRAINING_RELIABILITIES, TRAINING_SOURCES } from '../training-scoring.js';

// ---------------------------------------------------------------- practice cases

export class PracticeCaseInstrumentRef {
  @ApiProperty({ example: 've-risk-spj' }) key!: string;
  @ApiProperty({ example: '1.0.0' }) version!: string;
  @ApiProperty() title!: string;
  @ApiProperty({ enum: ['risk', 'needs'] }) purpose!: 'risk' | 'needs';
}

export class PracticeCaseSummaryResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 've-risk-spj-practice-01' }) key!: string;
  @ApiProperty({ example: '1.0.0' }) version!: string;
  @ApiProperty() title!: string;
  @ApiProperty({ description: 'Says that the case is fictional; show it with the case' })
  notice!: string;
  @ApiProperty({ example: 'en', description: 'Language the case is written in' })
  language!: string;
  @ApiProperty({ type: PracticeCaseInstrumentRef }) instrument!: PracticeCaseInstrumentRef;
  @ApiProperty() summary!: string;
  @ApiProperty({
    type: String,
    nullable: true,
    format: 'uuid',
    description: 'The caller’s open attempt of this case',
  })
  draftAttemptId!: string | null;
  @ApiProperty({ type: 'integer', minimum: 0 }) submittedAttempts!: number;
}

export class PersonCreditResponse {
  @ApiProperty() name!: string;
  @ApiProperty() role!: string;
}

export class ReviewerCreditResponse extends PersonCreditResponse {
  @ApiProperty({ format: 'date' }) approvedOn!: string;
}

export class CaseSectionResponse {
  @ApiProperty({ enum: CASE_SECTION_TYPES }) type!: string;
  @ApiProperty() title!: string;
  @ApiPropertyOptional() date?: string;
  @ApiPropertyOptional() source?: string;
  @ApiProperty() text!: string;
}

/** The case file a trainee reads. The reference ratings are shown only after submission. */
export class PracticeCaseResponse extends PracticeCaseSummaryResponse {
  @ApiProperty({ description: 'SHA-256 of the imported version (canonical JSON)' })
  sha256!: string;
  @ApiProperty({ type: PersonCreditResponse }) author!: PersonCreditResponse;
  @ApiProperty({ type: ReviewerCreditResponse }) reviewer!: ReviewerCreditResponse;
  @ApiProperty({ type: [CaseSectionResponse] }) sections!: CaseSectionResponse[];
}

// ---------------------------------------------------------------- attempts

export class NeedPriorityDto {
  @ApiProperty({ example: 'employment' })
  @IsString()
  @MaxLength(64)
  @Matches(/^[a-z][a-z0-9_]{0,47}$/, { message: 'code must be a need code such as employment' })
  code!: string;

  @ApiProperty({ example: 'high' })
  @IsString()
  @MaxLength(64)
  @Matches(/^[a-z][a-z0-9_]{0,47}$/, { message: 'priority must be a priority code such as high' })
  priority!: string;
}

const RATING_TEXT = { type: ['string', 'null'], maxLength: 10000 };

export class UpdateTrainingAttemptDto {
  @ApiPropertyOptional({
    type: 'object',
    maxProperties: 500,
    additionalProperties: {
      anyOf: [
        {
          type: 'object',
          additionalProperties: false,
          properties: {
            value: { type: ['string', 'null'], maxLength: 64 },
            notRated: { type: ['boolean', 'null'] },
            reason: RATING_TEXT,
            evidenceFor: RATING_TEXT,
            evidenceAgainst: RATING_TEXT,
            sources: {
              type: ['array', 'null'],
              items: { type: 'string', enum: [...TRAINING_SOURCES] },
              uniqueItems: true,
              maxItems: TRAINING_SOURCES.length,
            },
            reliability: { type: ['string', 'null'], enum: [...TRAINING_RELIABILITIES, null] },
          },
        },
        { type: 'null' },
      ],
    },
    description:
      'Item code -> rating (as in an assessment), or null to clear it; other items keep theirs',
    example: {
      BA01: { value: 'moderate', evidenceFor: 'Interview, week 1', sources: ['interview'] },
    },
  })
  @Optional()
  @IsObject()
  ratings?: Record<string, unknown>;

  @ApiPropertyOptional({ type: String, description: 'A level code of the instrument' })
  @Nullable()
  @IsString()
  @MaxLength(64)
  finalLevel?: string | null;

  @ApiPropertyOptional({
    type: [NeedPriorityDto],
    description: 'Needs instruments (null empties it)',
  })
  @Nullable()
  @IsArray()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => NeedPriorityDto)
  finalNeeds?: NeedPriorityDto[] | null;

  @ApiPropertyOptional({ type: String })
  @Nullable()
  @IsString()
  @MaxLength(10000)
  finalRationale?: string | null;
}

export class TrainingRatingResponse {
  @ApiProperty({ example: 'BA01' }) item!: string;
  @ApiPropertyOptional() value?: string;
  @ApiPropertyOptional() notRated?: boolean;
  @ApiPropertyOptional() reason?: string;
  @ApiPropertyOptional() evidenceFor?: string;
  @ApiPropertyOptional() evidenceAgainst?: string;
  @ApiPropertyOptional({ enum: TRAINING_SOURCES, isArray: true }) sources?: string[];
  @ApiPropertyOptional({ enum: TRAINING_RELIABILITIES }) reliability?: string;
}

export class TrainingFlagResponse {
  @ApiProperty() code!: string;
  @ApiProperty() label!: string;
  @ApiPropertyOptional({ enum: ['info', 'warning', 'critical'] }) severity?: string;
  @ApiPropertyOptional({ description: 'The instrument’s rule (CEL) that fired it' }) rule?: string;
  @ApiPropertyOptional({ description: 'What to do about it' }) description?: string;
}

export class TrainingReasonResponse {
  @ApiProperty() code!: string;
  @ApiProperty() message!: string;
  @ApiPropertyOptional() item?: string;
  @ApiPropertyOptional() domain?: string;
  @ApiPropertyOptional() field?: string;
}

export class TrainingIndicativeResponse {
  @ApiProperty({ type: String, nullable: true, description: 'Indicative band, from the engine' })
  level!: string | null;
  @ApiProperty({ description: 'The instrument’s own rules on the ratings are met' })
  ratingsComplete!: boolean;
  @ApiProperty({ type: [TrainingFlagResponse] }) flags!: TrainingFlagResponse[];
  @ApiProperty({ type: [TrainingReasonResponse] }) reasons!: TrainingReasonResponse[];
}

export class ComparedRatingResponse {
  @ApiProperty({ type: String, nullable: true }) value!: string | null;
  @ApiProperty() notRated!: boolean;
}

export class ReferenceRatingResponse extends ComparedRatingResponse {
  @ApiProperty() reasoning!: string;
}

export class ItemComparisonResponse {
  @ApiProperty() item!: string;
  @ApiProperty() domain!: string;
  @ApiProperty() prompt!: string;
  @ApiProperty({ type: ComparedRatingResponse }) trainee!: ComparedRatingResponse;
  @ApiProperty({ type: ReferenceRatingResponse }) reference!: ReferenceRatingResponse;
  @ApiProperty({ type: 'integer', nullable: true, description: 'Scale steps apart' })
  gap!: number | null;
  @ApiProperty({ enum: ['exact', 'adjacent', 'differs', 'not_comparable'] }) outcome!: string;
}

export class FinalJudgementComparisonResponse {
  @ApiProperty({ type: String, nullable: true }) trainee!: string | null;
  @ApiProperty({ type: String, nullable: true }) reference!: string | null;
  @ApiProperty({ type: 'integer', nullable: true, description: 'Levels apart' })
  distance!: number | null;
  @ApiProperty({
    type: Number,
    nullable: true,
    description: 'Needs instruments: share of the reference needs given the same priority',
  })
  needsMatchRate!: number | null;
  @ApiProperty({ description: 'The reference’s rationale' }) reasoning!: string;
}

export class AttemptAgreementResponse {
  @ApiProperty({ type: [ItemComparisonResponse] }) items!: ItemComparisonResponse[];
  @ApiProperty({ type: 'integer', description: 'Items both rated' }) compared!: number;
  @ApiProperty({ type: Number, nullable: true }) exactRate!: number | null;
  @ApiProperty({ type: Number, nullable: true }) adjacentRate!: number | null;
  @ApiProperty({ type: Number, nullable: true, description: 'Linear weighted Cohen’s kappa' })
  kappaLinear!: number | null;
  @ApiProperty({ type: Number, nullable: true, description: 'Quadratic weighted Cohen’s kappa' })
  kappaQuadratic!: number | null;
  @ApiProperty({
    type: Number,
    nullable: true,
    description:
      'ICC(2,1) of the trainee against the reference over the compared items (two-way random effects, absolute agreement, single rater: the ordinal scores taken as interval); null when undefined (fewer than two items, no variance)',
  })
  icc!: number | null;
  @ApiProperty({ type: FinalJudgementComparisonResponse })
  finalJudgement!: FinalJudgementComparisonResponse;
}

export class CountedAttemptResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() caseKey!: string;
  @ApiProperty() caseVersion!: string;
  @ApiProperty({ type: 'integer', nullable: true }) finalDistance!: number | null;
}

export class CertificationCheckResponse {
  @ApiProperty() met!: boolean;
  @ApiProperty({ type: [CountedAttemptResponse] }) attempts!: CountedAttemptResponse[];
  @ApiProperty({ enum: AGREEMENT_STATISTICS }) statistic!: string;
  @ApiProperty({ type: Number, nullable: true }) value!: number | null;
  @ApiProperty() minimum!: number;
  @ApiProperty({ type: 'integer' }) minimumCases!: number;
  @ApiProperty({ type: 'integer' }) finalJudgementWithin!: number;
  @ApiProperty({ type: [String] }) shortfalls!: string[];
}

export class AttemptCertificationResponse extends CertificationCheckResponse {
  @ApiProperty({ description: 'This submission recorded a certification' }) earned!: boolean;
  @ApiProperty({ type: String, nullable: true, format: 'date' }) validUntil!: string | null;
}

export class AttemptCaseRef {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() key!: string;
  @ApiProperty() version!: string;
  @ApiProperty() title!: string;
  @ApiProperty() notice!: string;
}

export class AttemptInstrumentRef {
  @ApiProperty() key!: string;
  @ApiProperty() version!: string;
}

export class TrainingAttemptResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ type: AttemptCaseRef }) practiceCase!: AttemptCaseRef;
  @ApiProperty({ type: AttemptInstrumentRef }) instrument!: AttemptInstrumentRef;
  @ApiProperty({ enum: ['draft', 'submitted'] }) status!: 'draft' | 'submitted';
  @ApiProperty({ type: [TrainingRatingResponse] }) ratings!: TrainingRatingResponse[];
  @ApiProperty({ type: String, nullable: true }) finalLevel!: string | null;
  @ApiProperty({ type: [NeedPriorityDto] }) finalNeeds!: NeedPriorityDto[];
  @ApiProperty({ type: String, nullable: true }) finalRationale!: string | null;
  @ApiProperty({ type: TrainingIndicativeResponse }) indicative!: TrainingIndicativeResponse;
  @ApiProperty({
    type: AttemptAgreementResponse,
    nullable: true,
    description:
      'Once submitted: item by item, the trainee’s rating, the reference and its reasoning',
  })
  agreement!: AttemptAgreementResponse | null;
  @ApiProperty({ type: 'integer', description: 'Send in If-Match (also the ETag)' })
  version!: number;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) submittedAt!: string | null;
  @ApiProperty({
    type: AttemptCertificationResponse,
    nullable: true,
    description: 'Once submitted, where the instrument has a certification rule',
  })
  certification!: AttemptCertificationResponse | null;
}

// ---------------------------------------------------------------- progress and overview

export class CertificationRuleRef {
  @ApiProperty() version!: string;
  @ApiProperty() title!: string;
  @ApiProperty({ type: String, nullable: true }) description!: string | null;
}

export class HeldCertificationResponse {
  @ApiProperty({ enum: ['earned', 'external'] }) source!: string;
  @ApiProperty({ format: 'date' }) validUntil!: string;
  @ApiProperty() current!: boolean;
  @ApiProperty() recalibrationDue!: boolean;
}

export class TrainingProgressResponse {
  @ApiProperty() instrumentKey!: string;
  @ApiProperty({ type: CertificationRuleRef }) rule!: CertificationRuleRef;
  @ApiProperty({ type: CertificationCheckResponse }) check!: CertificationCheckResponse;
  @ApiProperty({ type: HeldCertificationResponse, nullable: true })
  certification!: HeldCertificationResponse | null;
}

export class PersonInstrumentResponse {
  @ApiProperty() instrumentKey!: string;
  @ApiProperty({ type: 'integer' }) casesRated!: number;
  @ApiProperty({ type: Number, nullable: true, description: 'Linear weighted kappa, pooled' })
  kappa!: number | null;
  @ApiProperty({
    type: Number,
    nullable: true,
    description: 'ICC(2,1) against the reference, pooled over the compared items of every case',
  })
  icc!: number | null;
  @ApiProperty({ type: Number, nullable: true }) exactRate!: number | null;
  @ApiProperty({ type: String, nullable: true, format: 'date' }) certifiedUntil!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'earned or external' })
  source!: string | null;
  @ApiProperty({ enum: ['certified', 'recalibration_due', 'expired', 'not_certified'] })
  status!: string;
}

export class OverviewPersonResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() displayName!: string;
  @ApiProperty({ type: [String] }) roles!: string[];
  @ApiProperty({ type: [PersonInstrumentResponse] }) instruments!: PersonInstrumentResponse[];
}

export class OverviewItemResponse {
  @ApiProperty() instrumentKey!: string;
  @ApiProperty() item!: string;
  @ApiProperty() prompt!: string;
  @ApiProperty({ type: 'integer', description: 'Compared ratings across all trainees' })
  ratings!: number;
  @ApiProperty({ type: Number, nullable: true }) exactRate!: number | null;
  @ApiProperty({ type: Number, nullable: true }) adjacentRate!: number | null;
}

export class TrainingOverviewResponse {
  @ApiProperty({ type: [OverviewPersonResponse] }) people!: OverviewPersonResponse[];
  @ApiProperty({
    type: [OverviewItemResponse],
    description: 'Agreement per item across the trainees, lowest exact agreement first',
  })
  items!: OverviewItemResponse[];
}
