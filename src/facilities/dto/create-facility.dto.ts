import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { Nullable } from '../../http/validation.js';

export class CreateFacilityDto {
  @ApiProperty({ example: 'KZ-ALM-01', description: 'Upper-case letters, digits and dashes' })
  @IsString()
  @MaxLength(32)
  @Matches(/^[A-Z0-9][A-Z0-9-]{1,31}$/, {
    message: 'code must be 2-32 upper-case letters, digits or dashes',
  })
  code!: string;

  @ApiProperty({ example: 'Almaty remand centre' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name!: string;

  @ApiPropertyOptional({ type: String, example: 'Almaty', description: 'null or omitted: none' })
  @Nullable()
  @IsString()
  @MaxLength(200)
  region?: string | null;
}
