import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsString, IsUUID, Max, MaxLength, Min } from 'class-validator';
import { PageQueryDto } from '../../http/page.js';
import { Optional } from '../../http/validation.js';
import { StaffRef } from './plan.response.js';
import { IsCalendarDate } from './plan-validators.js';

export const ATTENDANCE = ['attended', 'absent', 'refused', 'cancelled'] as const;

export class CreateSessionDto {
  @ApiPropertyOptional({
    type: String,
    format: 'uuid',
    description: 'The intervention delivered; omit for a case-work session with the PVE inspector',
  })
  @Optional()
  @IsUUID()
  interventionId?: string;

  @ApiProperty({ format: 'date' })
  @IsCalendarDate()
  date!: string;

  @ApiProperty({ enum: ATTENDANCE })
  @IsIn(ATTENDANCE)
  attendance!: (typeof ATTENDANCE)[number];

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: 5,
    description: 'Engagement, 1 (none) to 5 (full): required when attended, absent otherwise',
  })
  @Optional()
  @IsInt()
  @Min(1)
  @Max(5)
  engagement?: number;

  @ApiPropertyOptional({
    type: String,
    description:
      'A short summary of progress; therapeutic content stays with the psychology service',
  })
  @Optional()
  @IsString()
  @MaxLength(4000)
  notes?: string;
}

export class ListSessionsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ format: 'uuid', maxLength: 36 })
  @Optional()
  @IsUUID()
  interventionId?: string;
}

export class SessionResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) interventionId!: string | null;
  @ApiProperty({ format: 'date' }) date!: string;
  @ApiProperty({ enum: ATTENDANCE }) attendance!: string;
  @ApiPropertyOptional({ nullable: true, type: 'integer', description: 'Full view only' })
  engagement?: number | null;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'Full view only' })
  notes?: string | null;
  @ApiPropertyOptional({ type: StaffRef, description: 'Full view only' })
  recordedBy?: StaffRef;
  @ApiPropertyOptional({ format: 'date-time', description: 'Full view only' })
  recordedAt?: string;
}

export class SessionPageResponse {
  @ApiProperty({ type: [SessionResponse] }) items!: SessionResponse[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}
