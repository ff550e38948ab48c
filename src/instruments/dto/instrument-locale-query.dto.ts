import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn } from 'class-validator';
import { Optional } from '../../http/validation.js';
import { RULE_SET_LOCALES } from '../rule-sets/rule-set.types.js';

export class InstrumentLocaleQueryDto {
  @ApiPropertyOptional({
    enum: RULE_SET_LOCALES,
    description:
      'The language wanted for `localized` (before Accept-Language); the rule-set’s own language where it has no translation into it',
  })
  @Optional()
  @IsIn(RULE_SET_LOCALES, { message: `locale must be one of: ${RULE_SET_LOCALES.join(', ')}` })
  locale?: string;
}
