import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsString, IsUUID, Matches, MaxLength } from 'class-validator';
import { PageQueryDto } from '../../http/page.js';
import { Nullable, Optional } from '../../http/validation.js';
import { StaffRef } from '../../users/dto/staff-ref.js';
import {
  TRIGGER_ACTIONS,
  TRIGGER_EVENTS,
  type TriggerEvent,
} from '../../instruments/rule-sets/rule-set.types.js';

export class CreatePrisonerEventDto {
  @ApiProperty({ enum: TRIGGER_EVENTS })
  @IsIn(TRIGGER_EVENTS)
  type!: TriggerEvent;

  @ApiProperty({ format: 'date-time', example: '2026-11-20T14:30:00Z' })
  @IsISO8601({ strict: true }, { message: 'occurredAt must be an ISO-8601 date-time' })
  @MaxLength(40, { message: 'occurredAt must be an ISO-8601 date-time' })
  occurredAt!: string;

  @ApiPropertyOptional({
    type: String,
    description: 'What happened, for the staff who reassess (null or omitted: none)',
  })
  @Nullable()
  @IsString()
  @MaxLength(4000)
  note?: string | null;
}

export class MadeDueResponse {
  @ApiProperty({ example: 've-risk-spj' }) instrumentKey!: string;
  @ApiProperty({ enum: TRIGGER_ACTIONS, description: 'What falls due' })
  action!: string;
  @ApiProperty({ format: 'date' }) dueDate!: string;
}

export class PrisonerEventResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) prisonerId!: string;
  @ApiProperty({
    enum: [...TRIGGER_EVENTS, 'warning_flag'],
    description: 'warning_flag: recorded by the service when a shared flag first fires',
  })
  type!: string;
  @ApiProperty({ format: 'date-time' }) occurredAt!: string;
  @ApiProperty({ type: String, nullable: true }) note!: string | null;
  @ApiProperty({ type: StaffRef }) recordedBy!: StaffRef;
  @ApiProperty({ format: 'date-time' }) recordedAt!: string;
  @ApiPropertyOptional({
    description:
      'On creation: what the event makes due under the current approved assessments’ policies',
    type: () => MadeDueResponse,
    isArray: true,
  })
  makesDue?: MadeDueResponse[];
}

export class PrisonerEventPageResponse {
  @ApiProperty({ type: [PrisonerEventResponse] }) items!: PrisonerEventResponse[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}

export class ReviewsDueQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ format: 'uuid', maxLength: 36 })
  @Optional()
  @IsUUID()
  facilityId?: string;

  @ApiPropertyOptional({
    format: 'date',
    maxLength: 10,
    description: 'Due on or before this date; default 30 days from today',
  })
  @Optional()
  @IsISO8601({ strict: true }, { message: 'before must be a date (YYYY-MM-DD)' })
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'before must be a date (YYYY-MM-DD)' })
  before?: string;
}

export class DueEventResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: [...TRIGGER_EVENTS, 'warning_flag'] }) type!: string;
  @ApiProperty({ format: 'date-time' }) occurredAt!: string;
}

export class DueItemResponse {
  @ApiProperty() id!: string;
  @ApiProperty({
    enum: [
      'reassessment',
      'plan_review',
      'challenge_response',
      'amendment',
      'release_copy',
      'complaint_response',
      'ill_treatment_referral',
    ],
    description:
      '`challenge_response`: a prisoner’s challenge to answer by its deadline; `amendment`: the amendment an upheld challenge (reason `challenge_upheld`) or an outside authority’s upholding decision on its escalation (`escalation_upheld`) made due; `release_copy`: the official copy on release (Mandela Rule 9) not yet requested, due on the expected release date and listed from RELEASE_COPY_LEAD before it (reason `release_approaching`, or `release_date_passed` once it has passed), or on the discharge date once discharged as released (reason `released`), to those who may record subject-access requests; `complaint_response`: a complaint to answer by its deadline (reason `complaint`); `ill_treatment_referral`: an allegation of ill-treatment to refer to an independent authority, due the day it was received (reason `ill_treatment_allegation`)',
  })
  kind!: string;
  @ApiProperty({ format: 'uuid' }) prisonerId!: string;
  @ApiProperty() prisonNumber!: string;
  @ApiProperty() prisonerName!: string;
  @ApiProperty({ format: 'uuid' }) facilityId!: string;
  @ApiProperty({ format: 'date' }) dueDate!: string;
  @ApiProperty() overdue!: boolean;
  @ApiProperty({
    enum: [
      'scheduled',
      'event',
      'pre_release',
      'intake',
      'needs_changed',
      'challenge',
      'challenge_upheld',
      'escalation_upheld',
      'complaint',
      'ill_treatment_allegation',
      'flag',
      'review_outcome',
      'release_approaching',
      'release_date_passed',
      'released',
    ],
  })
  reason!: string;
  @ApiPropertyOptional({
    enum: ['reassess', 'review'],
    description:
      'Reassessments: a new assessment, or a review of the current one (closed by a trigger review)',
  })
  action?: string;
  @ApiPropertyOptional() instrumentKey?: string;
  @ApiPropertyOptional({ format: 'uuid' }) assessmentId?: string;
  @ApiPropertyOptional({ format: 'uuid' }) inProgressAssessmentId?: string;
  @ApiPropertyOptional({ format: 'uuid' }) planId?: string;
  @ApiPropertyOptional({ format: 'uuid' }) challengeId?: string;
  @ApiPropertyOptional({ format: 'uuid' }) complaintId?: string;
  @ApiPropertyOptional({ type: () => DueEventResponse, description: 'The event that made it due' })
  event?: DueEventResponse;
}

export class DueItemPageResponse {
  @ApiProperty({ type: [DueItemResponse] }) items!: DueItemResponse[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}
