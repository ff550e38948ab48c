import { ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsString,
  IsUUID,
  MaxLength,
  MinLength,
} from 'class-validator';
import { ROLES, type Role } from '../../access/roles.js';
import { AcceptsReadOnlyOf, Optional } from '../../http/validation.js';
import { SeparatedRoles } from './separated-roles.validator.js';
import { UserResponse } from './user.response.js';

/** What may change on an account; what a GET returns may be sent back (the rest is read-only). */
@AcceptsReadOnlyOf(UserResponse)
export class UpdateUserDto {
  @ApiPropertyOptional({ type: String })
  @Optional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  displayName?: string;

  @ApiPropertyOptional({
    enum: ROLES,
    isArray: true,
    description:
      'Separated as on creation. Administrators cannot change their own roles (403). An ' +
      'account that still combines roles the service keeps apart must be given separated ' +
      'roles by any change made to it.',
  })
  @Optional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(ROLES.length)
  @ArrayUnique()
  @IsIn(ROLES, { each: true })
  @SeparatedRoles()
  roles?: Role[];

  @ApiPropertyOptional({
    type: [String],
    format: 'uuid',
    description: 'The facilities in the user’s caseload (a GET shows them as `facilities`)',
  })
  @Optional()
  @IsArray()
  @ArrayUnique()
  @ArrayMaxSize(500)
  @IsUUID('all', { each: true })
  facilityIds?: string[];

  @ApiPropertyOptional({
    type: Boolean,
    description: 'false deactivates the account and ends its sessions',
  })
  @Optional()
  @IsBoolean()
  active?: boolean;

  @ApiPropertyOptional({
    type: String,
    format: 'password',
    writeOnly: true,
    description:
      'Under the password policy; ends the user’s sessions. Not for your own account (403): ' +
      'use POST /auth/password',
  })
  @Optional()
  @IsString()
  @MaxLength(256)
  password?: string;
}
