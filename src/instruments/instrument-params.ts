import type { PipeTransform } from '@nestjs/common';
import { validationProblem } from '../errors/validation-errors.js';
import { CheckedParam } from '../http/uuid-param.js';
import { parseSemVer } from './rule-sets/semver.js';

const KEY = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;

/** A rule-set key as the schema allows it (`ve-risk-spj`). */
export const isRuleSetKey = (value: unknown): value is string =>
  typeof value === 'string' && value.length <= 64 && KEY.test(value);

/** A semantic version without build metadata (`1.0.0`, `1.1.0-draft.1`). */
export const isRuleSetVersion = (value: unknown): value is string =>
  typeof value === 'string' && value.length <= 64 && parseSemVer(value) !== null;

function checked(
  name: string,
  test: (value: unknown) => boolean,
  message: string,
  schema: { pattern?: string; examples: string[] },
) {
  const pipe: PipeTransform<string, string> = {
    transform(value) {
      if (!test(value)) throw validationProblem([{ path: name, message: `${name} ${message}` }]);
      return value;
    },
  };
  return CheckedParam(name, pipe, { type: 'string', maxLength: 64, ...schema });
}

/** `:key`, a 400 naming the parameter when malformed. */
export const RuleSetKeyParam = (name = 'key') =>
  checked(name, isRuleSetKey, 'must be a rule-set key such as ve-risk-spj', {
    pattern: KEY.source,
    examples: ['ve-risk-spj'],
  });

/** `:version`, a 400 naming the parameter when malformed. */
export const RuleSetVersionParam = (name = 'version') =>
  checked(name, isRuleSetVersion, 'must be a semantic version such as 1.0.0', {
    examples: ['1.0.0'],
  });
