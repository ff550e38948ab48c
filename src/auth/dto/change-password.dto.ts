import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength, MinLength } from 'class-validator';

export class ChangePasswordDto {
  @ApiProperty({ format: 'password' })
  @IsString()
  @MinLength(1)
  @MaxLength(256)
  currentPassword!: string;

  @ApiProperty({
    format: 'password',
    description:
      'At least 12 characters; not mostly repeated or sequential characters, not a common ' +
      'password, not containing the username or the user’s name, not the current password',
  })
  @IsString()
  @MaxLength(256)
  newPassword!: string;
}
