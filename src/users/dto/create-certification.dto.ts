import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsDateString, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { Optional } from '../../http/validation.js';

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

  @ApiPropertyOptional({
    example: 'National training centre of the prison service',
    description: 'Who issued the external certification',
  })
  @Optional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  issuingBody?: string;

  @ApiPropertyOptional({
    example: 'Certificate 2026/117',
    description: 'Reference of the certificate or training record',
  })
  @Optional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  documentReference?: string;
}
