import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsString,
  Matches,
  IsUUID,
  MaxLength,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { GOAL_STATUSES } from '../plan-content.js';
import { StaffRef } from './plan.response.js';
import { CODE_PATTERN, MAX_PLAN_ITEMS } from './update-plan.dto.js';

/** At most this many disciplines attend one review. */
export const MAX_ATTENDEES = 50;
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

  @ApiProperty({
    type: String,
    isArray: true,
    pattern: CODE_PATTERN.source,
    maxLength: 48,
    maxItems: MAX_ATTENDEES,
    description:
      'Who took part, by discipline: disciplines declared by the catalogue the plan uses (any other is refused, 400)',
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_ATTENDEES)
  @ArrayUnique()
  @IsString({ each: true })
  @MaxLength(48, { each: true })
  @Matches(CODE_PATTERN, { each: true })
  attendees!: string[];

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
  @ApiProperty({
    type: String,
    isArray: true,
    description: 'Disciplines, declared by the catalogue the plan uses',
  })
  attendees!: string[];
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
