import { ApiProperty } from '@nestjs/swagger';

export class FacilityResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() code!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ type: String, nullable: true }) region!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
}

export class FacilityPageResponse {
  @ApiProperty({ type: [FacilityResponse] }) items!: FacilityResponse[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}
