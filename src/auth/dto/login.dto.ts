import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength, MinLength } from 'class-validator';
import { ROLES, type Role } from '../../access/roles.js';
import { FacilityRefResponse } from '../../users/dto/user.response.js';

export class LoginDto {
  @ApiProperty({ example: 'demo.psychologist' })
  @IsString()
  @MinLength(1)
  @MaxLength(64)
  username!: string;

  @ApiProperty({ format: 'password' })
  @IsString()
  @MinLength(1)
  @MaxLength(256)
  password!: string;
}

export class ProfileResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() username!: string;
  @ApiProperty() displayName!: string;
  @ApiProperty({ enum: ROLES, isArray: true }) roles!: Role[];
  @ApiProperty({ type: [FacilityRefResponse] }) facilities!: FacilityRefResponse[];
}

export class LoginResponse {
  @ApiProperty() accessToken!: string;
  @ApiProperty({ example: 'Bearer' }) tokenType!: 'Bearer';
  @ApiProperty({ type: 'integer', description: 'Seconds until the token expires', example: 900 })
  expiresIn!: number;
  @ApiProperty({ type: ProfileResponse }) user!: ProfileResponse;
}
