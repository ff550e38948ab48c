import { ApiProperty } from '@nestjs/swagger';
import { IsDefined, ValidateBy, type ValidationOptions } from 'class-validator';
import { isRuleSetVersion } from '../instrument-params.js';

const IsRuleSetVersion = (options?: ValidationOptions) =>
  ValidateBy(
    {
      name: 'isRuleSetVersion',
      validator: {
        validate: isRuleSetVersion,
        defaultMessage: (args) => `${args?.property} must be a semantic version such as 1.0.0`,
      },
    },
    options,
  );

export class InstrumentDiffQueryDto {
  @ApiProperty({ example: '1.0.0', maxLength: 64, description: 'The older version' })
  @IsDefined({ message: 'from is required: the version to compare from, such as 1.0.0' })
  @IsRuleSetVersion()
  from!: string;

  @ApiProperty({ example: '1.1.0', maxLength: 64, description: 'The newer version' })
  @IsDefined({ message: 'to is required: the version to compare to, such as 1.1.0' })
  @IsRuleSetVersion()
  to!: string;
}
