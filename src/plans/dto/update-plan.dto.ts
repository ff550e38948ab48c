import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsObject,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { AcceptsReadOnlyOf, Nullable, Optional } from '../../http/validation.js';
import { GOAL_STATUSES, INTERVENTION_STATUSES, PRIORITIES } from '../plan-content.js';
import {
  AGREEMENT_RESPONSES,
  AgreementResponse,
  ConsentResponse,
  GoalResponse,
  HandoverResponse,
  InterventionResponse,
  PendingRevisionResponse,
  PlanResponse,
  RELEASE_TASK_STATUSES,
  ReleaseResponse,
  ReleaseTaskResponse,
} from './plan.response.js';
import { IsCalendarDate, IsIsoDuration } from './plan-validators.js';

/** A type or discipline code as catalogues declare them. */
export const CODE_PATTERN = /^[a-z][a-z0-9_]{0,47}$/;

export { AGREEMENT_RESPONSES, RELEASE_TASK_STATUSES };
export const MAX_PLAN_ITEMS = 50;

@AcceptsReadOnlyOf(GoalResponse)
export class GoalInputDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'Omit for a new goal; keep it for others' })
  @Optional()
  @IsUUID()
  id?: string;

  @ApiProperty({ example: 'identity_belonging', description: 'A need of the plan’s catalogue' })
  @IsString()
  @MaxLength(64)
  needCode!: string;

  @ApiPropertyOptional({
    enum: PRIORITIES,
    description: 'Omitted: unchanged (new goals: none); null: none',
  })
  @Nullable()
  @IsIn(PRIORITIES)
  priority?: (typeof PRIORITIES)[number] | null;

  @ApiProperty({ example: 'Build friendships and a role on the wing outside the group' })
  @IsString()
  @MinLength(1)
  @MaxLength(2000)
  description!: string;

  @ApiPropertyOptional({ format: 'date', type: String })
  @Nullable()
  @IsCalendarDate()
  targetDate?: string | null;

  @ApiPropertyOptional({
    enum: GOAL_STATUSES,
    description: 'Omitted: unchanged (new goals: not_started)',
  })
  @Optional()
  @IsIn(GOAL_STATUSES)
  status?: (typeof GOAL_STATUSES)[number];
}

@AcceptsReadOnlyOf(ConsentResponse)
export class ConsentDto {
  @ApiProperty({
    description: 'true: consented; false: declined or withdrew (respected, Rule 65(3))',
  })
  @IsBoolean()
  given!: boolean;

  @ApiProperty({ format: 'date' })
  @IsCalendarDate()
  recordedOn!: string;

  @ApiPropertyOptional({
    type: String,
    description: 'The prisoner’s reasons or conditions, if they give any',
  })
  @Nullable()
  @IsString()
  @MaxLength(2000)
  note?: string | null;
}

@AcceptsReadOnlyOf(InterventionResponse)
export class InterventionInputDto {
  @ApiPropertyOptional({
    format: 'uuid',
    description: 'Omit for a new intervention; keep it for others',
  })
  @Optional()
  @IsUUID()
  id?: string;

  @ApiProperty({
    example: 'faith_ideological_dialogue',
    description: 'A code of the plan’s catalogue',
  })
  @IsString()
  @MaxLength(64)
  catalogueCode!: string;

  @ApiProperty({ type: [String], format: 'uuid', description: 'Goals of this plan it serves' })
  @IsArray()
  @ArrayMaxSize(MAX_PLAN_ITEMS)
  @ArrayUnique()
  @IsUUID('all', { each: true })
  goalIds!: string[];

  @ApiPropertyOptional({
    type: String,
    pattern: CODE_PATTERN.source,
    maxLength: 48,
    readOnly: true,
    description:
      'The delivering discipline, declared by the catalogue: always the catalogue entry’s. May be omitted; any other value is refused (400)',
  })
  @Optional()
  @IsString()
  @Matches(CODE_PATTERN)
  discipline?: string;

  @ApiPropertyOptional({
    format: 'uuid',
    type: String,
    description:
      'The member of staff responsible (a GET shows them as `responsibleStaff`). Omitted: unchanged (new interventions: none); null: none',
  })
  @Nullable()
  @IsUUID()
  responsibleStaffId?: string | null;

  @ApiPropertyOptional({ type: String, example: 'Regional education college' })
  @Nullable()
  @IsString()
  @MaxLength(200)
  provider?: string | null;

  @ApiProperty({ example: 'P1W', description: 'ISO-8601 duration between sessions' })
  @IsIsoDuration()
  frequency!: string;

  @ApiProperty({ format: 'date' })
  @IsCalendarDate()
  plannedStart!: string;

  @ApiPropertyOptional({ format: 'date', type: String })
  @Nullable()
  @IsCalendarDate()
  plannedEnd?: string | null;

  @ApiPropertyOptional({ type: String, example: 'Education block, room 2' })
  @Nullable()
  @IsString()
  @MaxLength(200)
  location?: string | null;

  @ApiProperty({ enum: INTERVENTION_STATUSES })
  @IsIn(INTERVENTION_STATUSES)
  status!: (typeof INTERVENTION_STATUSES)[number];

  @ApiPropertyOptional({
    type: ConsentDto,
    description:
      'A new consent record (the same record sent back changes nothing). Omitted: the recorded one ' +
      'stays. null (as a GET shows when none is recorded) is accepted only while none is: a ' +
      'record is never erased, record a withdrawal with given: false',
  })
  @Nullable()
  @IsObject({ message: 'consent must be an object; a consent record is never erased' })
  @ValidateNested()
  @Type(() => ConsentDto)
  consent?: ConsentDto | null;
}

@AcceptsReadOnlyOf(AgreementResponse)
export class AgreementDto {
  @ApiProperty({ enum: AGREEMENT_RESPONSES })
  @IsIn(AGREEMENT_RESPONSES)
  response!: (typeof AGREEMENT_RESPONSES)[number];

  @ApiPropertyOptional({ type: String, description: 'The prisoner’s own words about the plan' })
  @Nullable()
  @IsString()
  @MaxLength(4000)
  prisonerWords?: string | null;

  @ApiProperty({ format: 'date' })
  @IsCalendarDate()
  recordedOn!: string;
}

@AcceptsReadOnlyOf(ReleaseTaskResponse)
export class ReleaseTaskDto {
  @ApiProperty({ example: 'Apply for a replacement identity card' })
  @IsString()
  @MinLength(1)
  @MaxLength(1000)
  description!: string;

  @ApiPropertyOptional({ format: 'date', type: String })
  @Nullable()
  @IsCalendarDate()
  dueDate?: string | null;

  @ApiProperty({ enum: RELEASE_TASK_STATUSES })
  @IsIn(RELEASE_TASK_STATUSES)
  status!: (typeof RELEASE_TASK_STATUSES)[number];
}

@AcceptsReadOnlyOf(HandoverResponse)
export class HandoverDto {
  @ApiProperty({ example: 'Regional probation service' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  agency!: string;

  @ApiProperty({ format: 'date' })
  @IsCalendarDate()
  date!: string;

  @ApiProperty({ description: 'What was shared (recorded for every external disclosure)' })
  @IsString()
  @MinLength(1)
  @MaxLength(2000)
  sharedWhat!: string;

  @ApiPropertyOptional({ type: String, description: 'The legal basis for sharing' })
  @Nullable()
  @IsString()
  @MaxLength(500)
  legalBasis?: string | null;
}

/** Release and reintegration, planned from the start (Mandela Rule 107). Omitted parts stay. */
@AcceptsReadOnlyOf(ReleaseResponse)
export class ReleaseDto {
  @ApiPropertyOptional({ format: 'date', type: String })
  @Nullable()
  @IsCalendarDate()
  expectedReleaseDate?: string | null;

  @ApiPropertyOptional({ type: [ReleaseTaskDto], description: 'Replaces the list' })
  @Optional()
  @IsArray()
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => ReleaseTaskDto)
  tasks?: ReleaseTaskDto[];

  @ApiPropertyOptional({ type: [HandoverDto], description: 'Replaces the list' })
  @Optional()
  @IsArray()
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => HandoverDto)
  handovers?: HandoverDto[];
}

/** Each part given replaces that part; parts omitted stay as they are. */
@AcceptsReadOnlyOf(PlanResponse)
export class UpdatePlanDto {
  @ApiPropertyOptional({
    format: 'uuid',
    description: 'Re-base the plan on the prisoner’s current approved needs assessment',
  })
  @Optional()
  @IsUUID()
  basedOnAssessmentId?: string;

  @ApiPropertyOptional({ type: [GoalInputDto], description: 'Replaces the goals (in this order)' })
  @Optional()
  @IsArray()
  @ArrayMaxSize(MAX_PLAN_ITEMS)
  @ValidateNested({ each: true })
  @Type(() => GoalInputDto)
  goals?: GoalInputDto[];

  @ApiPropertyOptional({
    type: [InterventionInputDto],
    description: 'Replaces the interventions (in this order)',
  })
  @Optional()
  @IsArray()
  @ArrayMaxSize(MAX_PLAN_ITEMS)
  @ValidateNested({ each: true })
  @Type(() => InterventionInputDto)
  interventions?: InterventionInputDto[];

  @ApiPropertyOptional({
    type: AgreementDto,
    description:
      'The prisoner’s response to the plan; replaced, never erased. null (as a GET shows when ' +
      'none is recorded) is accepted only while none is',
  })
  @Nullable()
  @IsObject({ message: 'prisonerAgreement must be an object; it is replaced, never erased' })
  @ValidateNested()
  @Type(() => AgreementDto)
  prisonerAgreement?: AgreementDto | null;

  @ApiPropertyOptional({ type: ReleaseDto })
  @Optional()
  @IsObject()
  @ValidateNested()
  @Type(() => ReleaseDto)
  release?: ReleaseDto;
}

/** A change to a plan's pending revision: each part given replaces that part of it. */
@AcceptsReadOnlyOf(PendingRevisionResponse)
export class UpdateRevisionDto {
  @ApiPropertyOptional({
    format: 'uuid',
    description: 'Re-base the revision on the prisoner’s current approved needs assessment',
  })
  @Optional()
  @IsUUID()
  basedOnAssessmentId?: string;

  @ApiPropertyOptional({ type: [GoalInputDto], description: 'Replaces the goals (in this order)' })
  @Optional()
  @IsArray()
  @ArrayMaxSize(MAX_PLAN_ITEMS)
  @ValidateNested({ each: true })
  @Type(() => GoalInputDto)
  goals?: GoalInputDto[];

  @ApiPropertyOptional({
    type: [InterventionInputDto],
    description:
      'Replaces the interventions (in this order). For interventions of the current revision, ' +
      'staff, provider, place, status and consent are the current revision’s: change them on the plan',
  })
  @Optional()
  @IsArray()
  @ArrayMaxSize(MAX_PLAN_ITEMS)
  @ValidateNested({ each: true })
  @Type(() => InterventionInputDto)
  interventions?: InterventionInputDto[];
}
