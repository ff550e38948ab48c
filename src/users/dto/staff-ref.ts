import { ApiProperty } from '@nestjs/swagger';

/** A member of staff as case records name them: id and display name. */
export class StaffRef {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() displayName!: string;
}
