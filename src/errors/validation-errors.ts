import type { ValidationError } from 'class-validator';
import { ProblemException, type FieldError } from './problem.exception.js';

/**
 * A constraint whose message lists failing paths inside a map, one `path\tmessage` per line
 * (rating maps, checked value by value): expanded into one entry per field.
 */
export const RATING_MAP_CONSTRAINT = 'ratingMap';

function joinPath(parent: string, property: string): string {
  if (/^\d+$/.test(property)) return `${parent}[${property}]`;
  return parent ? `${parent}.${property}` : property;
}

/** When a value breaks several rules, the one to report: what it is before how long it is. */
const FIRST = [
  'notNull',
  'whitelistValidation',
  'isDefined',
  'nestedValidation',
  'isString',
  'isInt',
  'isNumber',
  'isBoolean',
  'isArray',
  'isObject',
  'isUuid',
  'isDateString',
  'isIn',
  'isEnum',
];

function mainMessage(constraints: Record<string, string>): string | undefined {
  const keys = Object.keys(constraints);
  const key = FIRST.find((k) => keys.includes(k)) ?? keys[0];
  return key === undefined ? undefined : constraints[key];
}

/** Flattens class-validator's tree into one entry per failing field, named by its full path. */
export function flattenValidationErrors(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((error) => {
    const path = joinPath(parent, error.property);
    // A map checked value by value (rating maps) names each failing field inside it.
    const inner = error.constraints?.[RATING_MAP_CONSTRAINT];
    if (inner && Object.keys(error.constraints!).length === 1) {
      return inner.split('\n').map((line) => {
        const [at, message] = line.split('\t');
        return { path: parent ? `${parent}.${at}` : at, message };
      });
    }
    const message = mainMessage(error.constraints ?? {});
    const own = message === undefined ? [] : [{ path, message }];
    return [...own, ...flattenValidationErrors(error.children ?? [], path)];
  });
}

export function validationProblem(errors: FieldError[]): ProblemException {
  return new ProblemException(
    400,
    'validation_failed',
    'Validation failed',
    `${errors.length} field${errors.length === 1 ? '' : 's'} failed validation`,
    { errors },
  );
}

export const validationExceptionFactory = (errors: ValidationError[]) =>
  validationProblem(flattenValidationErrors(errors));
