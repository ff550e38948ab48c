import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsString,
  IsUUID,
  MaxLength,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { PageQueryDto } from '../../http/page.js';
import { Nullable, Optional } from '../../http/validation.js';
import { IsCalendarDate } from '../../plans/dto/plan-validators.js';
import { StaffRef } from '../../users/dto/staff-ref.js';

export const RECIPIENT_TYPES = ['police', 'court', 'probation', 'prison_service', 'other'] as const;
export type RecipientType = (typeof RECIPIENT_TYPES)[number];
export const DISCLOSED_RECORD_TYPES = [
  'particulars',
  'assessment',
  'plan',
  'session',
  'review',
  'event',
  'challenge',
  'other',
] as const;
export const DISCLOSURE_SOURCES = ['recorded', 'plan_handover'] as const;

export class DisclosedRecordDto {
  @ApiProperty({ enum: DISCLOSED_RECORD_TYPES })
  @IsIn(DISCLOSED_RECORD_TYPES)
  recordType!: (typeof DISCLOSED_RECORD_TYPES)[number];

  @ApiPropertyOptional({ type: String, format: 'uuid', description: 'The record, when one' })
  @Nullable()
  @IsUUID()
  recordId?: string | null;

  @ApiProperty({
    type: [String],
    maxItems: 50,
    example: ['finalRiskLevel', 'nextReviewDue'],
    description: 'Exactly which fields of the record were disclosed (at least one)',
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @MinLength(1, { each: true })
  @MaxLength(100, { each: true })
  fields!: string[];
}

export class CreateDisclosureDto {
  @ApiProperty({ enum: RECIPIENT_TYPES })
  @IsIn(RECIPIENT_TYPES)
  recipientType!: RecipientType;

  @ApiProperty({ example: 'Regional police counter-terrorism unit', maxLength: 200 })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  recipient!: string;

  @ApiProperty({ example: 'Court order 12/2026 of the regional court', maxLength: 500 })
  @IsString()
  @MinLength(1)
  @MaxLength(500)
  lawfulBasis!: string;

  @ApiProperty({ example: 'Parole hearing on 14 January', maxLength: 2000 })
  @IsString()
  @MinLength(1)
  @MaxLength(2000)
  purpose!: string;

  @ApiProperty({ format: 'date', description: 'When the records left the service' })
  @IsCalendarDate()
  disclosedOn!: string;

  @ApiProperty({ type: [DisclosedRecordDto], minItems: 1, maxItems: 50 })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => DisclosedRecordDto)
  records!: DisclosedRecordDto[];
}

export class ListDisclosuresQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ format: 'uuid', maxLength: 36 })
  @Optional()
  @IsUUID()
  facilityId?: string;
}

export class DisclosedRecordResponse {
  @ApiProperty({ enum: DISCLOSED_RECORD_TYPES }) recordType!: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) recordId!: string | null;
  @ApiProperty({ type: [String] }) fields!: string[];
  @ApiPropertyOptional({ description: 'What was shared, in words (plan hand-overs)' })
  description?: string;
}

export class DisclosureResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) prisonerId!: string;
  @ApiProperty() prisonNumber!: string;
  @ApiProperty({ format: 'uuid' }) facilityId!: string;
  @ApiProperty({
    enum: DISCLOSURE_SOURCES,
    description: '`recorded` in the log by a supervisor, or written by a plan’s release hand-over',
  })
  source!: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) planId!: string | null;
  @ApiProperty({ enum: RECIPIENT_TYPES }) recipientType!: string;
  @ApiProperty() recipient!: string;
  @ApiProperty({ type: String, nullable: true, description: 'Null when a hand-over named none' })
  lawfulBasis!: string | null;
  @ApiProperty() purpose!: string;
  @ApiProperty({ type: [DisclosedRecordResponse] }) records!: DisclosedRecordResponse[];
  @ApiProperty({ format: 'date' }) disclosedOn!: string;
  @ApiProperty({
    type: StaffRef,
    nullable: true,
    description: 'Who approved it; null for a hand-over recorded in a plan (see recordedBy)',
  })
  approvedBy!: StaffRef | null;
  @ApiProperty({ type: StaffRef }) recordedBy!: StaffRef;
  @ApiProperty({ format: 'date-time' }) recordedAt!: string;
}

export class DisclosurePageResponse {
  @ApiProperty({ type: [DisclosureResponse] }) items!: DisclosureResponse[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}
