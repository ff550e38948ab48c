import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsString, MaxLength, MinLength } from 'class-validator';
import { Optional } from '../../http/validation.js';

export class SuspendPlanDto {
  @ApiProperty({ example: 'Admitted to hospital; sessions paused until return' })
  @IsString()
  @MinLength(5)
  @MaxLength(1000)
  reason!: string;
}

export class CompletePlanDto {
  @ApiPropertyOptional({
    type: String,
    description: 'What the plan achieved; completion is not proof of reduced risk',
  })
  @Optional()
  @IsString()
  @MaxLength(2000)
  note?: string;
}

export class ClosePlanDto {
  @ApiProperty({ example: 'Released on licence; handed over to the probation service' })
  @IsString()
  @MinLength(5)
  @MaxLength(1000)
  reason!: string;
}

export class ReturnRevisionDto {
  @ApiProperty({
    example: 'Keep the family work: the last review found it helps',
    description: 'What the author should change',
  })
  @IsString()
  @MinLength(5)
  @MaxLength(2000)
  comments!: string;
}

export class WithdrawRevisionDto {
  @ApiProperty({ example: 'Agreed at the case meeting to keep the plan as it is' })
  @IsString()
  @MinLength(5)
  @MaxLength(1000)
  reason!: string;
}
