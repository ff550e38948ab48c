import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsString,
  IsUUID,
  MaxLength,
  MinLength,
} from 'class-validator';
import { PageQueryDto } from '../../http/page.js';
import { Optional } from '../../http/validation.js';
import { IsCalendarDate } from '../../plans/dto/plan-validators.js';

export const APPOINTMENT_KINDS = ['internal', 'external'] as const;
export const APPOINTMENT_STATUSES = ['scheduled', 'active', 'expired', 'ended'] as const;
export type AppointmentStatus = (typeof APPOINTMENT_STATUSES)[number];
export const MAX_APPOINTMENT_FACILITIES = 50;

export class CreateAppointmentDto {
  @ApiProperty({ format: 'uuid', description: 'An account holding the inspector role (only)' })
  @IsUUID()
  userId!: string;

  @ApiProperty({
    maxLength: 200,
    description: 'The inspecting body (central administration, national preventive mechanism…)',
  })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  body!: string;

  @ApiProperty({
    maxLength: 2000,
    description: 'The mandate: the law or decision it inspects under',
  })
  @IsString()
  @MinLength(1)
  @MaxLength(2000)
  mandate!: string;

  @ApiProperty({
    enum: APPOINTMENT_KINDS,
    description: 'Internal (administration) or external (independent body), Mandela Rule 83',
  })
  @IsIn(APPOINTMENT_KINDS)
  kind!: (typeof APPOINTMENT_KINDS)[number];

  @ApiProperty({
    description:
      'A health professional inspects: the clinical view of assessments is open (Rule 84(2))',
  })
  @IsBoolean()
  healthProfessional!: boolean;

  @ApiProperty({
    type: [String],
    format: 'uuid',
    minItems: 1,
    maxItems: MAX_APPOINTMENT_FACILITIES,
    description: 'The facilities inspected',
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_APPOINTMENT_FACILITIES)
  @ArrayUnique()
  @IsUUID('all', { each: true })
  facilityIds!: string[];

  @ApiProperty({ format: 'date', description: 'First day of access' })
  @IsCalendarDate()
  startsOn!: string;

  @ApiProperty({ format: 'date', description: 'Last day of access (on or after startsOn)' })
  @IsCalendarDate()
  endsOn!: string;
}

export class ListAppointmentsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({
    format: 'uuid',
    maxLength: 36,
    description: 'Only this inspector’s appointments',
  })
  @Optional()
  @IsUUID()
  userId?: string;

  @ApiPropertyOptional({ enum: APPOINTMENT_STATUSES })
  @Optional()
  @IsIn(APPOINTMENT_STATUSES)
  status?: AppointmentStatus;
}

export class AppointmentFacility {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() code!: string;
  @ApiProperty() name!: string;
}

export class AppointmentUser {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() username!: string;
  @ApiProperty() displayName!: string;
}

export class AppointmentResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ type: AppointmentUser }) user!: AppointmentUser;
  @ApiProperty() body!: string;
  @ApiProperty() mandate!: string;
  @ApiProperty({ enum: APPOINTMENT_KINDS }) kind!: string;
  @ApiProperty() healthProfessional!: boolean;
  @ApiProperty({ type: [AppointmentFacility] }) facilities!: AppointmentFacility[];
  @ApiProperty({ format: 'date' }) startsOn!: string;
  @ApiProperty({ format: 'date' }) endsOn!: string;
  @ApiProperty({ enum: APPOINTMENT_STATUSES, description: 'As of today' })
  status!: AppointmentStatus;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) endedAt!: string | null;
  @ApiProperty({ type: 'integer' }) version!: number;
}

export class AppointmentPageResponse {
  @ApiProperty({ type: [AppointmentResponse] }) items!: AppointmentResponse[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}
