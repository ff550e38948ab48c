import { ApiProperty } from '@nestjs/swagger';
import { ROLES, type Role } from '../../access/roles.js';

export class FacilityRefResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() code!: string;
  @ApiProperty() name!: string;
}

export class CertificationResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() instrumentKey!: string;
  @ApiProperty({ format: 'date' }) validUntil!: string;
  @ApiProperty() current!: boolean;
}

export class UserResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() username!: string;
  @ApiProperty() displayName!: string;
  @ApiProperty({ enum: ROLES, isArray: true }) roles!: Role[];
  @ApiProperty() active!: boolean;
  @ApiProperty({ type: [FacilityRefResponse] }) facilities!: FacilityRefResponse[];
  @ApiProperty({ type: [CertificationResponse] }) certifications!: CertificationResponse[];
  @ApiProperty() version!: number;
  @ApiProperty() createdAt!: string;
  @ApiProperty() updatedAt!: string;
}

export class UserPageResponse {
  @ApiProperty({ type: [UserResponse] }) items!: UserResponse[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}
