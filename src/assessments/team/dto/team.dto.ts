import { ApiProperty, getSchemaPath } from '@nestjs/swagger';
import {
  IsIn,
  IsISO8601,
  IsObject,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
  MinLength,
} from 'class-validator';
import { StaffRef } from '../../../users/dto/staff-ref.js';
import { CONTRIBUTION_CLASSES } from '../../../access/ability.factory.js';
import { RATING_INPUT_SCHEMA, RatingResponse } from '../../dto/assessment.dto.js';
import { IsRatingMap } from '../../dto/rating-map.validator.js';

export const CONTRIBUTION_SOURCES = [
  'observation',
  'interview',
  'records',
  'incident_report',
  'programme_session',
  'intelligence',
  'other',
] as const;

// ---------------------------------------------------------------- countersign assignments

export class CreateCountersignAssignmentDto {
  @ApiProperty({
    format: 'uuid',
    description:
      'A psychologist of another facility (certified for the instrument when it asks for it)',
  })
  @IsUUID()
  assigneeId!: string;

  @ApiProperty({
    description: 'Why the facility cannot countersign itself (audited as given, no case content)',
    minLength: 3,
    maxLength: 500,
    example: 'The facility has one psychologist, who wrote the assessment',
  })
  @IsString()
  @MinLength(3)
  @MaxLength(500)
  reason!: string;
}

export class CountersignAssignmentResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) assessmentId!: string;
  @ApiProperty({ format: 'uuid' }) prisonerId!: string;
  @ApiProperty({ type: StaffRef }) assignee!: StaffRef;
  @ApiProperty({ type: StaffRef }) assignedBy!: StaffRef;
  @ApiProperty() reason!: string;
  @ApiProperty({ format: 'date-time' }) assignedAt!: string;
  @ApiProperty({
    type: String,
    nullable: true,
    format: 'date-time',
    description: 'When the assignee approved the assessment (the assignment then ends)',
  })
  usedAt!: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) revokedAt!: string | null;
  @ApiProperty({ type: StaffRef, nullable: true }) revokedBy!: StaffRef | null;
  @ApiProperty({ enum: ['live', 'used', 'revoked'] }) state!: 'live' | 'used' | 'revoked';
  @ApiProperty({ type: 'integer', description: 'Send in If-Match to revoke (also the ETag)' })
  version!: number;
}

export class CountersignAssignmentListResponse {
  @ApiProperty({ type: [CountersignAssignmentResponse], description: 'Newest first (at most 100)' })
  items!: CountersignAssignmentResponse[];
}

// ---------------------------------------------------------------- contributions

export class CreateContributionDto {
  @ApiProperty({
    description: 'What was observed, for the assessor to weigh (never a rating)',
    minLength: 3,
    maxLength: 5000,
  })
  @IsString()
  @MinLength(3)
  @MaxLength(5000)
  observation!: string;

  @ApiProperty({ enum: CONTRIBUTION_SOURCES })
  @IsIn(CONTRIBUTION_SOURCES)
  source!: (typeof CONTRIBUTION_SOURCES)[number];

  @ApiProperty({ format: 'date', description: 'When it was observed (not in the future)' })
  @IsISO8601({ strict: true }, { message: 'observedOn must be a date (YYYY-MM-DD)' })
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'observedOn must be a date (YYYY-MM-DD)' })
  @MaxLength(10)
  observedOn!: string;

  @ApiProperty({
    enum: CONTRIBUTION_CLASSES,
    description:
      'standard: every role that reads the assessment; security: restricted security information, the clinical team and security officers; clinical: the clinical team only. A contributor marks only a class their roles read',
  })
  @IsIn(CONTRIBUTION_CLASSES)
  confidentiality!: (typeof CONTRIBUTION_CLASSES)[number];
}

export class AssessmentContributionResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) assessmentId!: string;
  @ApiProperty({ type: StaffRef }) author!: StaffRef;
  @ApiProperty({ description: 'The author’s discipline (role) when contributing' })
  discipline!: string;
  @ApiProperty() observation!: string;
  @ApiProperty({ enum: CONTRIBUTION_SOURCES }) source!: string;
  @ApiProperty({ format: 'date' }) observedOn!: string;
  @ApiProperty({ enum: CONTRIBUTION_CLASSES }) confidentiality!: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
}

export class AssessmentContributionListResponse {
  @ApiProperty({
    type: [AssessmentContributionResponse],
    description: 'Oldest first, only the classes the caller’s roles read (at most 500)',
  })
  items!: AssessmentContributionResponse[];
}

// ---------------------------------------------------------------- double rating

export class UpdateRatingSetDto {
  @ApiProperty({
    type: 'object',
    additionalProperties: { anyOf: [RATING_INPUT_SCHEMA, { type: 'null' }] },
    maxProperties: 500,
    description: 'Item code -> rating, or null to clear it; other items keep theirs',
  })
  @IsObject()
  @IsRatingMap({ nullable: true })
  ratings!: Record<string, unknown>;
}

export class ConsensusDto {
  @ApiProperty({
    type: 'object',
    additionalProperties: RATING_INPUT_SCHEMA,
    maxProperties: 500,
    description:
      'The agreed rating of every item either assessor rated: it becomes the assessment’s ratings',
  })
  @IsObject()
  @IsRatingMap({ nullable: false })
  ratings!: Record<string, unknown>;

  @ApiProperty({
    description: 'How the differences were resolved',
    minLength: 3,
    maxLength: 10000,
  })
  @IsString()
  @MinLength(3)
  @MaxLength(10000)
  rationale!: string;
}

export class RatingSetResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ type: StaffRef }) rater!: StaffRef;
  @ApiProperty({ description: 'The lead assessor’s set (the assessment’s assessor)' })
  lead!: boolean;
  @ApiProperty({
    type: 'object',
    additionalProperties: { $ref: getSchemaPath(RatingResponse) },
    description: 'Item code -> rating',
  })
  ratings!: Record<string, RatingResponse>;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) submittedAt!: string | null;
  @ApiProperty({ type: 'integer', description: 'Send in If-Match when editing (also the ETag)' })
  version!: number;
}

export class RatingDifferenceResponse {
  @ApiProperty() item!: string;
  @ApiProperty() domain!: string;
  @ApiProperty({ type: String, nullable: true, description: 'The lead’s value, null: not rated' })
  lead!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'The second’s value, null: not rated' })
  second!: string | null;
}

export class RatingSetsResponse {
  @ApiProperty({ format: 'uuid' }) assessmentId!: string;
  @ApiProperty({
    enum: ['rating', 'compare', 'agreed'],
    description:
      'rating: blind, each rater sees only their own set; compare: both submitted, sets and differences shown; agreed: the consensus is recorded',
  })
  stage!: 'rating' | 'compare' | 'agreed';
  @ApiProperty({ type: RatingSetResponse, nullable: true, description: 'The caller’s own set' })
  mine!: RatingSetResponse | null;
  @ApiProperty({
    type: [RatingSetResponse],
    description: 'Both sets once both are submitted; before that, none',
  })
  sets!: RatingSetResponse[];
  @ApiProperty({
    type: [RatingDifferenceResponse],
    description: 'Items on which the sets differ, in instrument order (once both are submitted)',
  })
  differences!: RatingDifferenceResponse[];
  @ApiProperty({ type: 'integer', description: 'Items both rated alike (once both submitted)' })
  agreed!: number;
}
