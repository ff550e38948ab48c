import { ProblemException, type FieldError } from '../../errors/problem.exception.js';

/**
 * The field errors a form shows for a refusal the service explained (400 or 422): the problem's
 * own `errors`, or its detail on `fallbackPath` when it names no field. Undefined for anything
 * else (403, 404, 409, 5xx), which the error pages answer.
 */
export function refusedFields(error: unknown, fallbackPath: string): FieldError[] | undefined {
  if (!(error instanceof ProblemException)) return undefined;
  const status = error.getStatus();
  if (status !== 400 && status !== 422) return undefined;
  const errors = error.body.errors;
  if (Array.isArray(errors) && errors.length > 0) return errors;
  return [{ path: fallbackPath, message: error.body.detail ?? error.body.title }];
}

/**
 * Errors about one item of a list the form edits (`goals[2].description`) under the form's own
 * field names (`description`); other paths stay as they are.
 */
export function itemFieldErrors(errors: FieldError[], list: string, index: number): FieldError[] {
  const prefix = `${list}[${index}].`;
  return errors.map((e) =>
    e.path.startsWith(prefix) ? { ...e, path: e.path.slice(prefix.length) } : e,
  );
}

/** A problem's code, when it is one. */
export const problemCode = (error: unknown): string | undefined =>
  error instanceof ProblemException ? error.body.code : undefined;
