import type { ValidationError } from 'class-validator';
import { ProblemException, type FieldError } from './problem.exception.js';

function joinPath(parent: string, property: string): string {
  if (/^\d+$/.test(property)) return `${parent}[${property}]`;
  return parent ? `${parent}.${property}` : property;
}

/** Flattens class-validator's tree into one entry per failing field, named by its full path. */
export function flattenValidationErrors(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((error) => {
    const path = joinPath(parent, error.property);
    const own = Object.values(error.constraints ?? {}).map((message) => ({ path, message }));
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
