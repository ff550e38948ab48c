import { ApiProperty } from '@nestjs/swagger';
import { IsUUID } from 'class-validator';

export class CreatePlanDto {
  @ApiProperty({
    format: 'uuid',
    description: 'The prisoner’s current approved needs assessment the plan starts from',
  })
  @IsUUID()
  basedOnAssessmentId!: string;
}
