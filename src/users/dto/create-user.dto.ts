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
import { SeparatedRoles } from './separated-roles.validator.js';

export class CreateUserDto {
  @ApiProperty({
    example: 'a.karimova',
    description: 'Lower-case letters, digits, dot, dash, underscore',
  })
  @IsString()
  @MaxLength(64)
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
    description: 'At least 12 characters, not containing the username (the password policy)',
    format: 'password',
    writeOnly: true,
  })
  @IsString()
  @MaxLength(256)
  password!: string;

  @ApiProperty({
    enum: ROLES,
    isArray: true,
    example: ['psychologist'],
    description:
      'administrator is never combined with a case role (and, with SEPARATE_SUPERVISOR_ROLE, ' +
      'supervisor with no other case role): such roles need separate accounts',
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(ROLES.length)
  @ArrayUnique()
  @IsIn(ROLES, { each: true })
  @SeparatedRoles()
  roles!: Role[];

  @ApiProperty({ type: [String], format: 'uuid', description: 'Facilities in the user’s caseload' })
  @IsArray()
  @ArrayUnique()
  @ArrayMaxSize(500)
  @IsUUID('all', { each: true })
  facilityIds!: string[];
}
