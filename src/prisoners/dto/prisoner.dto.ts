import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsString, IsUUID, Matches, MaxLength, MinLength } from 'class-validator';
import { PageQueryDto } from '../../http/page.js';
import { AcceptsReadOnlyOf, Nullable, Optional } from '../../http/validation.js';

export const SEXES = ['female', 'male', 'other'] as const;
export const LEGAL_STATUSES = ['remand', 'sentenced'] as const;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATE_MESSAGE = (field: string) => `${field} must be a date (YYYY-MM-DD)`;

export class CreatePrisonerDto {
  @ApiProperty({ example: 'A-10234', description: 'The prison service’s unique number' })
  @IsString()
  @MaxLength(32)
  @Matches(/^[A-Za-z0-9][A-Za-z0-9/.-]{1,31}$/, {
    message: 'prisonNumber must be 2-32 letters, digits, dots, dashes or slashes',
  })
  prisonNumber!: string;

  @ApiProperty({ example: 'Arman' })
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  givenName!: string;

  @ApiProperty({ example: 'Sadykov' })
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  familyName!: string;

  @ApiProperty({ format: 'date', example: '1994-03-17' })
  @IsISO8601({ strict: true }, { message: DATE_MESSAGE('dateOfBirth') })
  @Matches(DATE, { message: DATE_MESSAGE('dateOfBirth') })
  @MaxLength(10, { message: DATE_MESSAGE('dateOfBirth') })
  dateOfBirth!: string;

  @ApiProperty({ enum: SEXES })
  @IsIn(SEXES)
  sex!: (typeof SEXES)[number];

  @ApiProperty({
    enum: LEGAL_STATUSES,
    description: 'remand: untried, presumed innocent (Mandela Rule 111)',
  })
  @IsIn(LEGAL_STATUSES)
  legalStatus!: (typeof LEGAL_STATUSES)[number];

  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  facilityId!: string;

  @ApiPropertyOptional({ type: String, format: 'date', description: 'null or omitted: not known' })
  @Nullable()
  @IsISO8601({ strict: true }, { message: DATE_MESSAGE('expectedReleaseDate') })
  @Matches(DATE, { message: DATE_MESSAGE('expectedReleaseDate') })
  @MaxLength(10, { message: DATE_MESSAGE('expectedReleaseDate') })
  expectedReleaseDate?: string | null;
}

export class TransferPrisonerDto {
  @ApiProperty({ format: 'uuid', description: 'The receiving facility' })
  @IsUUID()
  facilityId!: string;

  @ApiProperty({ example: 'Allocation review: dispersal to a lower-security unit' })
  @IsString()
  @MinLength(5)
  @MaxLength(1000)
  reason!: string;
}

export const DISCHARGE_REASONS = [
  'released',
  'transferred_to_another_service',
  'deceased',
  'other',
] as const;

export class DischargePrisonerDto {
  @ApiProperty({
    format: 'date',
    description: 'Not in the future, nor before the record was created (admission)',
  })
  @IsISO8601({ strict: true }, { message: DATE_MESSAGE('dischargedOn') })
  @Matches(DATE, { message: DATE_MESSAGE('dischargedOn') })
  @MaxLength(10, { message: DATE_MESSAGE('dischargedOn') })
  dischargedOn!: string;

  @ApiProperty({ enum: DISCHARGE_REASONS })
  @IsIn(DISCHARGE_REASONS)
  reason!: (typeof DISCHARGE_REASONS)[number];

  @ApiPropertyOptional({ maxLength: 2000, description: 'Kept on the record; never audited' })
  @Optional()
  @IsString()
  @MaxLength(2000)
  note?: string;
}

export class ReadmitPrisonerDto {
  @ApiProperty({ format: 'date', description: 'Not in the future, nor before the discharge' })
  @IsISO8601({ strict: true }, { message: DATE_MESSAGE('readmittedOn') })
  @Matches(DATE, { message: DATE_MESSAGE('readmittedOn') })
  @MaxLength(10, { message: DATE_MESSAGE('readmittedOn') })
  readmittedOn!: string;

  @ApiPropertyOptional({
    maxLength: 1000,
    description: 'Why (a discharge recorded in error, a return to custody): the new stay’s reason',
  })
  @Optional()
  @IsString()
  @MinLength(1)
  @MaxLength(1000)
  note?: string;
}

export const ON_ROLL = ['true', 'false', 'all'] as const;

export class ListPrisonersQueryDto extends PageQueryDto {
  @ApiPropertyOptional({
    minLength: 1,
    maxLength: 100,
    description: 'Prefix of the prison number, given name or family name',
  })
  @Optional()
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  q?: string;

  @ApiPropertyOptional({ format: 'uuid', maxLength: 36 })
  @Optional()
  @IsUUID()
  facilityId?: string;

  @ApiPropertyOptional({
    enum: ON_ROLL,
    default: 'true',
    description: '`true` (default): held; `false`: discharged; `all`: both',
  })
  @Optional()
  @IsIn(ON_ROLL)
  onRoll?: (typeof ON_ROLL)[number];
}

export class FacilityRef {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() code!: string;
  @ApiProperty() name!: string;
}

export class PrisonerFlags {
  @ApiProperty({ description: 'Under 18 today: a different regime and safeguards apply (Rule 11)' })
  under18!: boolean;
  @ApiProperty({ description: 'Untried: presumed innocent (Rule 111)' })
  remand!: boolean;
}

export class FacilityStay {
  @ApiProperty({ type: FacilityRef }) facility!: FacilityRef;
  @ApiProperty({ format: 'date-time' }) from!: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) to!: string | null;
  @ApiProperty() reason!: string;
  @ApiProperty({
    enum: DISCHARGE_REASONS,
    nullable: true,
    type: String,
    description: 'Set when a discharge ended the stay',
  })
  dischargeReason!: string | null;
}

export class PrisonerResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() prisonNumber!: string;
  @ApiProperty() givenName!: string;
  @ApiProperty() familyName!: string;
  @ApiProperty({ format: 'date' }) dateOfBirth!: string;
  @ApiProperty({ enum: SEXES }) sex!: string;
  @ApiProperty({ enum: LEGAL_STATUSES }) legalStatus!: string;
  @ApiProperty({ type: FacilityRef }) facility!: FacilityRef;
  @ApiProperty({ format: 'date', nullable: true, type: String }) expectedReleaseDate!:
    string | null;
  @ApiProperty({
    format: 'date',
    nullable: true,
    type: String,
    description: 'Off the roll since (Rule 7(c)); null while held',
  })
  dischargedOn!: string | null;
  @ApiProperty({ enum: DISCHARGE_REASONS, nullable: true, type: String })
  dischargeReason!: string | null;
  @ApiProperty({ type: PrisonerFlags }) flags!: PrisonerFlags;
  @ApiProperty({ type: 'integer', description: 'Send in If-Match when correcting (also the ETag)' })
  version!: number;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
  @ApiPropertyOptional({ type: [FacilityStay], description: 'Single reads only' })
  facilityHistory?: FacilityStay[];
  @ApiPropertyOptional({
    format: 'uuid',
    description: 'Present when read through an emergency-access grant',
  })
  emergencyAccessId?: string;
}

@AcceptsReadOnlyOf(PrisonerResponse)
export class UpdatePrisonerDto {
  @ApiPropertyOptional({ type: String })
  @Optional()
  @IsString()
  @MaxLength(32)
  @Matches(/^[A-Za-z0-9][A-Za-z0-9/.-]{1,31}$/, {
    message: 'prisonNumber must be 2-32 letters, digits, dots, dashes or slashes',
  })
  prisonNumber?: string;

  @ApiPropertyOptional({ type: String })
  @Optional()
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  givenName?: string;

  @ApiPropertyOptional({ type: String })
  @Optional()
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  familyName?: string;

  @ApiPropertyOptional({ type: String, format: 'date' })
  @Optional()
  @IsISO8601({ strict: true }, { message: DATE_MESSAGE('dateOfBirth') })
  @Matches(DATE, { message: DATE_MESSAGE('dateOfBirth') })
  @MaxLength(10, { message: DATE_MESSAGE('dateOfBirth') })
  dateOfBirth?: string;

  @ApiPropertyOptional({ enum: SEXES })
  @Optional()
  @IsIn(SEXES)
  sex?: (typeof SEXES)[number];

  @ApiPropertyOptional({ enum: LEGAL_STATUSES })
  @Optional()
  @IsIn(LEGAL_STATUSES)
  legalStatus?: (typeof LEGAL_STATUSES)[number];

  @ApiPropertyOptional({ format: 'date', type: String, description: 'null: not known' })
  @Nullable()
  @IsISO8601({ strict: true }, { message: DATE_MESSAGE('expectedReleaseDate') })
  @Matches(DATE, { message: DATE_MESSAGE('expectedReleaseDate') })
  @MaxLength(10, { message: DATE_MESSAGE('expectedReleaseDate') })
  expectedReleaseDate?: string | null;
}

export class PrisonerPageResponse {
  @ApiProperty({ type: [PrisonerResponse] }) items!: PrisonerResponse[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}
