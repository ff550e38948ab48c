import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsString, IsUUID, Matches, MaxLength, MinLength } from 'class-validator';
import { PageQueryDto } from '../../http/page.js';
import { Nullable, Optional } from '../../http/validation.js';
import { IsCalendarDate } from '../../plans/dto/plan-validators.js';
import { StaffRef } from '../../users/dto/staff-ref.js';
import { COPY_RECORD_TYPES } from '../copy.js';

export const SUBJECT_ACCESS_KINDS = ['request', 'release_copy'] as const;
export const SUBJECT_ACCESS_STATUSES = ['received', 'in_preparation', 'released'] as const;

export class CreateSubjectAccessDto {
  @ApiPropertyOptional({
    enum: SUBJECT_ACCESS_KINDS,
    default: 'request',
    description:
      '`request`: the prisoner asked for their records (due after SUBJECT_ACCESS_PERIOD); `release_copy`: the official copy given on release from custody (due on the release date given as receivedOn)',
  })
  @Optional()
  @IsIn(SUBJECT_ACCESS_KINDS)
  kind?: (typeof SUBJECT_ACCESS_KINDS)[number];

  @ApiProperty({
    format: 'date',
    description: 'When the request was received (or the release date)',
  })
  @IsCalendarDate()
  receivedOn!: string;

  @ApiPropertyOptional({ type: String, maxLength: 2000, description: 'How and from whom it came' })
  @Nullable()
  @IsString()
  @MaxLength(2000)
  note?: string | null;
}

export class RedactDto {
  @ApiProperty({
    maxLength: 200,
    example: 'assessment/0b6f3f0e-3a0e-4c2b-9a7d-6b1e2f1f7a11/formulation',
    description:
      'A record (`<type>/<id>`) or one of its fields (`<type>/<id>/<field>`) of the copy',
  })
  @IsString()
  @MaxLength(200)
  @Matches(/^[a-z]+\/[0-9a-f-]{36}(\/[A-Za-z]+)?$/, {
    message: 'element must be <type>/<id> or <type>/<id>/<field>',
  })
  element!: string;

  @ApiProperty({ example: 'informant_identity', description: 'One of REDACTION_GROUNDS' })
  @IsString()
  @MinLength(1)
  @MaxLength(60)
  ground!: string;

  @ApiPropertyOptional({ type: String, maxLength: 2000, description: 'Why, for the register' })
  @Nullable()
  @IsString()
  @MaxLength(2000)
  note?: string | null;
}

export class ListSubjectAccessQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: SUBJECT_ACCESS_STATUSES })
  @Optional()
  @IsIn(SUBJECT_ACCESS_STATUSES)
  status?: (typeof SUBJECT_ACCESS_STATUSES)[number];

  @ApiPropertyOptional({ format: 'uuid', maxLength: 36 })
  @Optional()
  @IsUUID()
  prisonerId?: string;

  @ApiPropertyOptional({ enum: SUBJECT_ACCESS_KINDS })
  @Optional()
  @IsIn(SUBJECT_ACCESS_KINDS)
  kind?: (typeof SUBJECT_ACCESS_KINDS)[number];
}

export class RedactionResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() element!: string;
  @ApiProperty() ground!: string;
  @ApiProperty({ type: String, nullable: true }) note!: string | null;
  @ApiProperty({ type: StaffRef }) decidedBy!: StaffRef;
  @ApiProperty({ format: 'date-time' }) decidedAt!: string;
  @ApiProperty({ type: StaffRef, nullable: true }) withdrawnBy!: StaffRef | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) withdrawnAt!: string | null;
}

export class SubjectAccessResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) prisonerId!: string;
  @ApiProperty() prisonNumber!: string;
  @ApiProperty() prisonerName!: string;
  @ApiProperty({ format: 'uuid' }) facilityId!: string;
  @ApiProperty({ enum: SUBJECT_ACCESS_KINDS }) kind!: string;
  @ApiProperty({ format: 'date' }) receivedOn!: string;
  @ApiProperty({ format: 'date' }) dueOn!: string;
  @ApiProperty({ description: 'Not released and past its due date' }) overdue!: boolean;
  @ApiProperty({ enum: SUBJECT_ACCESS_STATUSES }) status!: string;
  @ApiProperty({ type: String, nullable: true }) note!: string | null;
  @ApiProperty({ type: StaffRef }) recordedBy!: StaffRef;
  @ApiProperty({ format: 'date-time' }) recordedAt!: string;
  @ApiProperty({ type: StaffRef, nullable: true }) releasedBy!: StaffRef | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) releasedAt!: string | null;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'SHA-256 (hex) of the released JSON bundle in canonical JSON (RFC 8785)',
  })
  bundleSha256!: string | null;
  @ApiProperty({
    type: [RedactionResponse],
    description: 'The redaction register, withdrawn decisions included: never redacted',
  })
  register!: RedactionResponse[];
  @ApiProperty({ type: 'integer' }) version!: number;
}

export class SubjectAccessPageResponse {
  @ApiProperty({ type: [SubjectAccessResponse] }) items!: SubjectAccessResponse[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}

export class CopyFieldResponse {
  @ApiProperty() name!: string;
  @ApiProperty() element!: string;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'As text; null when empty, redacted, or (in the preparer’s preview) clinical',
  })
  value!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'The ground it is redacted on' })
  redacted!: string | null;
  @ApiPropertyOptional({
    description:
      'Preview only: clinical content, in the copy but not shown to the preparer (Mandela Rule 32)',
  })
  clinical?: boolean;
}

export class CopyRecordResponse {
  @ApiProperty({ enum: COPY_RECORD_TYPES }) type!: string;
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() element!: string;
  @ApiProperty({ type: String, nullable: true }) date!: string | null;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'The ground the record is withheld on',
  })
  withheld!: string | null;
  @ApiProperty({ type: [CopyFieldResponse] }) fields!: CopyFieldResponse[];
}

export class CopyPreviewResponse {
  @ApiProperty({ type: [CopyRecordResponse] }) records!: CopyRecordResponse[];
  @ApiProperty({ type: [String], description: 'The grounds a redaction may give' })
  grounds!: string[];
}

export class BundleRegisterEntry {
  @ApiProperty() element!: string;
  @ApiProperty() ground!: string;
  @ApiProperty() decidedBy!: string;
  @ApiProperty({ format: 'date-time' }) decidedAt!: string;
}

export class BundlePrisoner {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() prisonNumber!: string;
  @ApiProperty() name!: string;
}

export class SubjectAccessBundle {
  @ApiProperty({ enum: ['vep-subject-access-copy/1'] }) format!: string;
  @ApiProperty({ format: 'uuid' }) requestId!: string;
  @ApiProperty({ enum: SUBJECT_ACCESS_KINDS }) kind!: string;
  @ApiProperty({ description: 'The official copy given on release from custody' })
  official!: boolean;
  @ApiProperty({ type: BundlePrisoner }) prisoner!: BundlePrisoner;
  @ApiProperty({ format: 'date' }) receivedOn!: string;
  @ApiProperty({ format: 'date-time' }) releasedAt!: string;
  @ApiProperty() releasedBy!: string;
  @ApiProperty({ type: [CopyRecordResponse] }) records!: CopyRecordResponse[];
  @ApiProperty({
    type: [BundleRegisterEntry],
    description: 'What was withheld or redacted, and why',
  })
  register!: BundleRegisterEntry[];
}
