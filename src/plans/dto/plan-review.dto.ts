import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsString,
  IsUUID,
  MaxLength,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { DISCIPLINES } from '../../instruments/rule-sets/rule-set.types.js';
import { GOAL_STATUSES } from '../plan-content.js';
import { StaffRef } from './plan.response.js';
import { MAX_PLAN_ITEMS } from './update-plan.dto.js';
import { Optional } from '../../http/validation.js';
import { IsCalendarDate } from './plan-validators.js';

export class GoalProgressDto {
  @ApiProperty({ format: 'uuid', description: 'A goal of the plan' })
  @IsUUID()
  goalId!: string;

  @ApiProperty({ enum: GOAL_STATUSES, description: 'Becomes the goal’s status' })
  @IsIn(GOAL_STATUSES)
  status!: (typeof GOAL_STATUSES)[number];

  @ApiPropertyOptional({ type: String })
  @Optional()
  @IsString()
  @MaxLength(2000)
  note?: string;
}

export class CreateReviewDto {
  @ApiProperty({ format: 'date', description: 'When the review meeting took place' })
  @IsCalendarDate()
  date!: string;

  @ApiProperty({ enum: DISCIPLINES, isArray: true, description: 'Who took part, by discipline' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(DISCIPLINES.length)
  @ArrayUnique()
  @IsIn(DISCIPLINES, { each: true })
  attendees!: (typeof DISCIPLINES)[number][];

  @ApiPropertyOptional({ type: [GoalProgressDto] })
  @Optional()
  @IsArray()
  @ArrayMaxSize(MAX_PLAN_ITEMS)
  @ValidateNested({ each: true })
  @Type(() => GoalProgressDto)
  goalProgress?: GoalProgressDto[];

  @ApiProperty({ description: 'Progress, decisions and changes agreed' })
  @IsString()
  @MinLength(1)
  @MaxLength(8000)
  summary!: string;

  @ApiProperty({ format: 'date', description: 'After `date`' })
  @IsCalendarDate()
  nextReviewDate!: string;
}

export class GoalProgress {
  @ApiProperty({ format: 'uuid' }) goalId!: string;
  @ApiProperty({ enum: GOAL_STATUSES }) status!: string;
  @ApiProperty({ nullable: true, type: String }) note!: string | null;
}

export class ReviewResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ type: 'integer', description: 'The plan revision reviewed' }) revision!: number;
  @ApiProperty({ format: 'date' }) date!: string;
  @ApiProperty({ enum: DISCIPLINES, isArray: true }) attendees!: string[];
  @ApiProperty({ type: [GoalProgress] }) goalProgress!: GoalProgress[];
  @ApiProperty() summary!: string;
  @ApiProperty({ format: 'date' }) nextReviewDate!: string;
  @ApiProperty({ type: StaffRef }) recordedBy!: StaffRef;
  @ApiProperty({ format: 'date-time' }) recordedAt!: string;
}

export class ReviewPageResponse {
  @ApiProperty({ type: [ReviewResponse] }) items!: ReviewResponse[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}
