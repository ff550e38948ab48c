import { ApiProperty } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
  MinLength,
} from 'class-validator';
import { ROLES, type Role } from '../../access/roles.js';

export class CreateUserDto {
  @ApiProperty({
    example: 'a.karimova',
    description: 'Lower-case letters, digits, dot, dash, underscore',
  })
  @IsString()
  @Matches(/^[a-z0-9][a-z0-9._-]{2,63}$/, {
    message: 'username must be 3-64 lower-case letters, digits, dots, dashes or underscores',
  })
  username!: string;

  @ApiProperty({ example: 'Aigerim Karimova' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  displayName!: string;

  @ApiProperty({
    description: 'At least 12 characters, not containing the username',
    format: 'password',
  })
  @IsString()
  @MaxLength(256)
  password!: string;

  @ApiProperty({ enum: ROLES, isArray: true, example: ['psychologist'] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayUnique()
  @IsIn(ROLES, { each: true })
  roles!: Role[];

  @ApiProperty({ type: [String], format: 'uuid', description: 'Facilities in the user’s caseload' })
  @IsArray()
  @ArrayUnique()
  @ArrayMaxSize(500)
  @IsUUID('all', { each: true })
  facilityIds!: string[];
}
