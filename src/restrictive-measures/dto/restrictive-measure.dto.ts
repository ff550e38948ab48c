import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsNumber,
  IsString,
  IsUUID,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { PageQueryDto } from '../../http/page.js';
import { Nullable, Optional } from '../../http/validation.js';
import { IsCalendarDate } from '../../plans/dto/plan-validators.js';
import { StaffRef } from '../../users/dto/staff-ref.js';

export const MEASURE_TYPES = ['separation', 'solitary_confinement', 'special_regime'] as const;
export const FAMILY_CONTACT = ['unrestricted', 'restricted'] as const;
export const REVIEW_DECISIONS = ['continue', 'modify', 'end'] as const;
export const SOLITARY_LEVELS = ['none', 'alert', 'breach'] as const;

export class AuthorisingOfficerDto {
  @ApiProperty({ maxLength: 200 })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name!: string;

  @ApiProperty({
    maxLength: 200,
    description: 'Post or rank: the competent authority (Rule 37(d))',
  })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  position!: string;
}

export class CreateMeasureDto {
  @ApiProperty({ enum: MEASURE_TYPES })
  @IsIn(MEASURE_TYPES)
  type!: (typeof MEASURE_TYPES)[number];

  @ApiProperty({ maxLength: 500, description: 'The law or regulation authorising it (Rule 37)' })
  @IsString()
  @MinLength(1)
  @MaxLength(500)
  legalBasis!: string;

  @ApiProperty({
    maxLength: 2000,
    description: 'Why it is necessary, and why nothing less will do (Rule 36)',
  })
  @IsString()
  @MinLength(1)
  @MaxLength(2000)
  reason!: string;

  @ApiProperty({ type: AuthorisingOfficerDto })
  @ValidateNested()
  @Type(() => AuthorisingOfficerDto)
  authorisedBy!: AuthorisingOfficerDto;

  @ApiProperty({ format: 'date' })
  @IsCalendarDate()
  startsOn!: string;

  @ApiPropertyOptional({
    type: String,
    format: 'date',
    nullable: true,
    description:
      'Required for solitary confinement, at most 15 days after startsOn: indefinite and prolonged solitary confinement are prohibited (Rule 43(1))',
  })
  @Nullable()
  @IsCalendarDate()
  plannedEndOn?: string | null;

  @ApiProperty({
    enum: FAMILY_CONTACT,
    description:
      'Family contact may be restricted for a limited time, never prohibited (Rule 43(3))',
  })
  @IsIn(FAMILY_CONTACT, {
    message:
      'familyContact must be unrestricted or restricted: family contact may be restricted for a limited time, never prohibited (Mandela Rule 43(3))',
  })
  familyContact!: (typeof FAMILY_CONTACT)[number];

  @ApiPropertyOptional({
    type: String,
    format: 'date',
    nullable: true,
    description: 'Required when familyContact is restricted: when the restriction ends',
  })
  @Nullable()
  @IsCalendarDate()
  familyContactRestrictedUntil?: string | null;

  @ApiProperty({ format: 'date', description: 'The first review of the measure (Rule 37)' })
  @IsCalendarDate()
  nextReviewOn!: string;
}

export class RecordDayDto {
  @ApiProperty({ format: 'date', description: 'A day of the measure, not in the future' })
  @IsCalendarDate()
  day!: string;

  @ApiProperty({ minimum: 0, maximum: 24 })
  @IsNumber({ allowNaN: false, allowInfinity: false, maxDecimalPlaces: 2 })
  @Min(0)
  @Max(24)
  hoursOutOfCell!: number;

  @ApiProperty({
    minimum: 0,
    maximum: 24,
    description:
      'Hours of meaningful human contact (two or less: a day of solitary confinement, Rule 44)',
  })
  @IsNumber({ allowNaN: false, allowInfinity: false, maxDecimalPlaces: 2 })
  @Min(0)
  @Max(24)
  meaningfulContactHours!: number;

  @ApiProperty({ description: 'A health-care professional visited (Rule 46(1))' })
  @IsBoolean()
  healthVisit!: boolean;
}

export class RecordReviewDto {
  @ApiProperty({ format: 'date' })
  @IsCalendarDate()
  reviewedOn!: string;

  @ApiProperty({ maxLength: 200 })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  reviewerName!: string;

  @ApiProperty({ maxLength: 200, description: 'The reviewing body or office' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  reviewerBody!: string;

  @ApiProperty({
    description:
      'Independent of those who imposed the measure (Rule 45(1)); a prolonged measure needs one',
  })
  @IsBoolean()
  independent!: boolean;

  @ApiProperty({ enum: REVIEW_DECISIONS })
  @IsIn(REVIEW_DECISIONS)
  decision!: (typeof REVIEW_DECISIONS)[number];

  @ApiPropertyOptional({ type: String, format: 'date', nullable: true })
  @Nullable()
  @IsCalendarDate()
  nextReviewOn?: string | null;
}

export class EndMeasureDto {
  @ApiProperty({ format: 'date', description: 'The last day of the measure' })
  @IsCalendarDate()
  endedOn!: string;

  @ApiProperty({ maxLength: 2000 })
  @IsString()
  @MinLength(1)
  @MaxLength(2000)
  reason!: string;
}

export class HealthObjectionDto {
  @ApiProperty({
    format: 'date',
    description:
      'The day the health professional objected (from the start of the measure to today)',
  })
  @IsCalendarDate()
  objectedOn!: string;
}

export class HealthObjectionResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'date' }) objectedOn!: string;
  @ApiProperty({ type: StaffRef, description: 'The health professional' }) recordedBy!: StaffRef;
}

export class MeasureDayResponse {
  @ApiProperty({ format: 'date' }) day!: string;
  @ApiProperty() hoursOutOfCell!: number;
  @ApiProperty() meaningfulContactHours!: number;
  @ApiProperty() healthVisit!: boolean;
  @ApiProperty({ description: '22 hours or more without meaningful human contact' })
  solitary!: boolean;
  @ApiProperty({ type: StaffRef }) recordedBy!: StaffRef;
}

export class MeasureReviewResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'date' }) reviewedOn!: string;
  @ApiProperty() reviewerName!: string;
  @ApiProperty() reviewerBody!: string;
  @ApiProperty() independent!: boolean;
  @ApiProperty({ enum: REVIEW_DECISIONS }) decision!: string;
  @ApiProperty({ type: String, format: 'date', nullable: true }) nextReviewOn!: string | null;
  @ApiProperty({ type: StaffRef }) recordedBy!: StaffRef;
}

export class SolitaryCountResponse {
  @ApiProperty({
    type: 'integer',
    description:
      'Consecutive days of solitary confinement up to today, over all the prisoner’s measures',
  })
  consecutiveDays!: number;
  @ApiProperty({ type: String, format: 'date', nullable: true }) since!: string | null;
  @ApiProperty({
    enum: SOLITARY_LEVELS,
    description: '`alert` from the 13th day, `breach` after the 15th (Rules 43(1)(b), 44)',
  })
  level!: string;
  @ApiProperty({ description: 'An independent review was recorded during the current run' })
  independentReviewRecorded!: boolean;
}

export class AuthorisingOfficerResponse {
  @ApiProperty() name!: string;
  @ApiProperty() position!: string;
}

export class MeasureResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) prisonerId!: string;
  @ApiProperty({ format: 'uuid', description: 'Where it was imposed' }) facilityId!: string;
  @ApiProperty({ enum: MEASURE_TYPES }) type!: string;
  @ApiProperty() legalBasis!: string;
  @ApiProperty() reason!: string;
  @ApiProperty({ type: AuthorisingOfficerResponse }) authorisedBy!: AuthorisingOfficerResponse;
  @ApiProperty({ format: 'date' }) startsOn!: string;
  @ApiProperty({ type: String, format: 'date', nullable: true }) plannedEndOn!: string | null;
  @ApiProperty({ type: String, format: 'date', nullable: true }) endedOn!: string | null;
  @ApiProperty({ type: String, nullable: true }) endReason!: string | null;
  @ApiProperty({ enum: FAMILY_CONTACT }) familyContact!: string;
  @ApiProperty({ type: String, format: 'date', nullable: true })
  familyContactRestrictedUntil!: string | null;
  @ApiProperty({ format: 'date' }) nextReviewOn!: string;
  @ApiProperty({ description: 'nextReviewOn has passed while the measure is in force' })
  reviewOverdue!: boolean;
  @ApiProperty({ type: [MeasureDayResponse], description: 'Daily records, newest first' })
  days!: MeasureDayResponse[];
  @ApiProperty({ type: [MeasureReviewResponse], description: 'Reviews, newest first' })
  reviews!: MeasureReviewResponse[];
  @ApiProperty({
    type: [HealthObjectionResponse],
    description:
      'A health professional’s objection that the measure would worsen a disability or mental illness (Rule 45(2)), newest first; never the diagnosis',
  })
  healthObjections!: HealthObjectionResponse[];
  @ApiProperty({ type: SolitaryCountResponse }) solitary!: SolitaryCountResponse;
  @ApiProperty({ type: StaffRef }) recordedBy!: StaffRef;
  @ApiProperty({ format: 'date-time' }) recordedAt!: string;
  @ApiProperty({ type: 'integer' }) version!: number;
}

export class MeasurePageResponse {
  @ApiProperty({ type: [MeasureResponse] }) items!: MeasureResponse[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}

export class MeasureAlertResponse {
  @ApiProperty({ format: 'uuid', description: 'The measure in force' }) measureId!: string;
  @ApiProperty({ format: 'uuid' }) prisonerId!: string;
  @ApiProperty() prisonNumber!: string;
  @ApiProperty({ format: 'uuid', description: 'The prisoner’s facility' }) facilityId!: string;
  @ApiProperty({ enum: MEASURE_TYPES }) type!: string;
  @ApiProperty({ format: 'date' }) startsOn!: string;
  @ApiProperty({ type: SolitaryCountResponse }) solitary!: SolitaryCountResponse;
  @ApiProperty({ format: 'date' }) nextReviewOn!: string;
  @ApiProperty() reviewOverdue!: boolean;
  @ApiProperty({ description: 'A prolonged run without an independent review recorded' })
  independentReviewMissing!: boolean;
  @ApiProperty({
    description:
      'Separation or solitary confinement although a health professional objected that it would worsen a disability or mental illness (Rule 45(2))',
  })
  healthObjection!: boolean;
  @ApiProperty({
    type: 'integer',
    description:
      'Days of solitary confinement under this measure recorded without the daily health-care visit (Rule 46(1))',
  })
  missedHealthVisits!: number;
  @ApiProperty({ type: String, format: 'date', nullable: true, description: 'The latest of them' })
  lastMissedHealthVisit!: string | null;
}

export class MeasureAlertPageResponse {
  @ApiProperty({ type: [MeasureAlertResponse] }) items!: MeasureAlertResponse[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}

export class ListMeasuresQueryDto extends PageQueryDto {}

export class ListAlertsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ format: 'uuid', maxLength: 36, description: 'Only this facility' })
  @Optional()
  @IsUUID()
  facilityId?: string;
}
