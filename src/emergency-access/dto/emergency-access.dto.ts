import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsString, MaxLength, MinLength } from 'class-validator';
import { PageQueryDto } from '../../http/page.js';
import { Optional } from '../../http/validation.js';
import { StaffRef } from '../../users/dto/staff-ref.js';

export class RequestEmergencyAccessDto {
  @ApiProperty({
    minLength: 20,
    example: 'Prisoner threatened staff during escort; need the latest risk judgement tonight',
    description: 'Why the record must be opened now; read by the reviewing supervisor',
  })
  @IsString()
  @MinLength(20)
  @MaxLength(2000)
  reason!: string;
}

export const REVIEW_OUTCOMES = ['justified', 'unjustified'] as const;

export class ReviewEmergencyAccessDto {
  @ApiProperty({ enum: REVIEW_OUTCOMES })
  @IsIn(REVIEW_OUTCOMES)
  outcome!: (typeof REVIEW_OUTCOMES)[number];

  @ApiProperty({ example: 'Escort incident confirmed by the duty log' })
  @IsString()
  @MinLength(1)
  @MaxLength(2000)
  note!: string;
}

export class RevokeEmergencyAccessDto {
  @ApiProperty({
    example: 'The escort was cancelled; the officer no longer needs this record',
    description: 'Why the grant ends before it expires',
  })
  @IsString()
  @MinLength(5)
  @MaxLength(2000)
  reason!: string;
}

export class ListEmergencyAccessQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: ['pending', 'reviewed'], default: 'pending' })
  @Optional()
  @IsIn(['pending', 'reviewed'])
  status?: 'pending' | 'reviewed';
}

/** An account named with its username (who holds or reviewed a grant). */
export class AccountRef {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() username!: string;
  @ApiProperty() displayName!: string;
}

export class EmergencyAccessResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ type: AccountRef }) user!: AccountRef;
  @ApiProperty({ format: 'uuid' }) prisonerId!: string;
  @ApiProperty() prisonNumber!: string;
  @ApiProperty({ format: 'uuid', description: 'The prisoner’s facility when access was granted' })
  facilityId!: string;
  @ApiProperty() reason!: string;
  @ApiProperty({ format: 'date-time' }) grantedAt!: string;
  @ApiProperty({
    format: 'date-time',
    description:
      'When the grant stops (or stopped) being honoured: brought forward when it is ended',
  })
  expiresAt!: string;
  @ApiProperty() active!: boolean;
  @ApiProperty({ enum: ['pending', 'reviewed'] }) status!: 'pending' | 'reviewed';
  @ApiProperty({ type: AccountRef, nullable: true }) reviewedBy!: AccountRef | null;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) reviewedAt!: string | null;
  @ApiProperty({ enum: REVIEW_OUTCOMES, nullable: true, type: String }) outcome!: string | null;
  @ApiProperty({ type: String, nullable: true }) reviewNote!: string | null;
  @ApiProperty({
    type: String,
    nullable: true,
    format: 'date-time',
    description: 'When a supervisor revoked the grant or reviewed it as unjustified',
  })
  endedAt!: string | null;
  @ApiProperty({ type: StaffRef, nullable: true }) endedBy!: StaffRef | null;
  @ApiProperty({ type: String, nullable: true }) endReason!: string | null;
  @ApiProperty({ type: 'integer' }) version!: number;
}

export class EmergencyAccessPageResponse {
  @ApiProperty({ type: [EmergencyAccessResponse] }) items!: EmergencyAccessResponse[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}
