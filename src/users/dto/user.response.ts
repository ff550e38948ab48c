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
  @ApiProperty({
    enum: ['earned', 'external'],
    description:
      'earned: by meeting the instrument’s certification rule on practice cases; external: recorded by an administrator',
  })
  source!: 'earned' | 'external';
  @ApiProperty({ type: String, nullable: true }) issuingBody!: string | null;
  @ApiProperty({ type: String, nullable: true }) documentReference!: string | null;
}

export class UserResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() username!: string;
  @ApiProperty() displayName!: string;
  @ApiProperty({ enum: ROLES, isArray: true }) roles!: Role[];
  @ApiProperty() active!: boolean;
  @ApiProperty({ type: [FacilityRefResponse] }) facilities!: FacilityRefResponse[];
  @ApiProperty({ type: [CertificationResponse] }) certifications!: CertificationResponse[];
  @ApiProperty({
    type: 'integer',
    description: 'Send in If-Match when changing the account (also the ETag)',
  })
  version!: number;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
}

export class UserPageResponse {
  @ApiProperty({ type: [UserResponse] }) items!: UserResponse[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}
