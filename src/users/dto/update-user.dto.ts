import { ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsOptional,
  IsString,
  IsUUID,
  MaxLength,
  MinLength,
} from 'class-validator';
import { ROLES, type Role } from '../../access/roles.js';
import { SeparatedRoles } from './separated-roles.validator.js';

export class UpdateUserDto {
  @ApiPropertyOptional()
  @IsOptional()
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
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayUnique()
  @IsIn(ROLES, { each: true })
  @SeparatedRoles()
  roles?: Role[];

  @ApiPropertyOptional({ type: [String], format: 'uuid' })
  @IsOptional()
  @IsArray()
  @ArrayUnique()
  @ArrayMaxSize(500)
  @IsUUID('all', { each: true })
  facilityIds?: string[];

  @ApiPropertyOptional({ description: 'false deactivates the account and ends its sessions' })
  @IsOptional()
  @IsBoolean()
  active?: boolean;

  @ApiPropertyOptional({
    format: 'password',
    description:
      'Under the password policy; ends the user’s sessions. Not for your own account (403): ' +
      'use POST /auth/password',
  })
  @IsOptional()
  @IsString()
  @MaxLength(256)
  password?: string;
}
