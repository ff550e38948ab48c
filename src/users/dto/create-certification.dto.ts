import { ApiProperty } from '@nestjs/swagger';
import { IsDateString, IsString, Matches, MaxLength } from 'class-validator';

export class CreateCertificationDto {
  @ApiProperty({ example: 've-risk-spj' })
  @IsString()
  @MaxLength(64)
  @Matches(/^[a-z0-9][a-z0-9-]{1,63}$/, {
    message: 'instrumentKey must be a rule-set key such as ve-risk-spj',
  })
  instrumentKey!: string;

  @ApiProperty({ example: '2027-12-31', format: 'date' })
  @IsDateString({ strict: true }, { message: 'validUntil must be a date (YYYY-MM-DD)' })
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'validUntil must be a date (YYYY-MM-DD)' })
  @MaxLength(10, { message: 'validUntil must be a date (YYYY-MM-DD)' })
  validUntil!: string;
}
