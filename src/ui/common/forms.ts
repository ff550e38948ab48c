import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import type { FieldError } from '../../errors/problem.exception.js';
import { ProblemException } from '../../errors/problem.exception.js';
import { flattenValidationErrors } from '../../errors/validation-errors.js';
import type { MessageKey, Translate } from '../i18n/catalogue.js';

/**
 * A posted form checked with the API's own DTO class, so a page refuses exactly what the API
 * refuses. Fields the DTO does not declare (`_csrf`, `returnTo`) are ignored here.
 */
export async function validateForm<T extends object>(
  dto: new () => T,
  body: unknown,
): Promise<{ value: T; errors: FieldError[] }> {
  const value = plainToInstance(dto, body ?? {});
  const errors = await validate(value, { whitelist: true, forbidUnknownValues: false });
  return { value, errors: flattenValidationErrors(errors) };
}

/** The field errors of a 400/422 problem a service threw, or undefined for any other error. */
export function problemFieldErrors(error: unknown): FieldError[] | undefined {
  if (!(error instanceof ProblemException)) return undefined;
  const errors = error.body.errors;
  return Array.isArray(errors) && errors.length > 0 ? errors : undefined;
}

/** How one form shows an error on each of its fields: the element to link to and the message. */
export type FieldMessages = Record<string, { id: string; message: MessageKey }>;

export interface FormErrors {
  /** For govukErrorSummary: one entry per failing field, linking to it. */
  summary: { text: string; href: string }[];
  /** For each field's errorMessage, by field path. */
  fields: Record<string, { text: string }>;
}

/** The element id a field path maps to when a form names none: `ratings.H3.value` -> `ratings-H3-value`. */
export const fieldId = (path: string) =>
  path.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '') || 'main-content';

/**
 * The one place problem `errors[].path` become the error summary's links and the fields' inline
 * messages. A path the form does not describe keeps the service's message and a derived id.
 */
export function formErrors(t: Translate, errors: FieldError[], fields: FieldMessages): FormErrors {
  const result: FormErrors = { summary: [], fields: {} };
  for (const error of errors) {
    if (result.fields[error.path]) continue;
    const known = fields[error.path];
    const text = known ? t(known.message) : error.message;
    result.fields[error.path] = { text };
    result.summary.push({ text, href: `#${known ? known.id : fieldId(error.path)}` });
  }
  return result;
}
