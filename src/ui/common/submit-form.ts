import type { FieldError } from '../../errors/problem.exception.js';
import { problemFieldErrors, validateForm } from './forms.js';

/** One posted form, as the steps that differ between pages. */
export interface FormSubmission<T, R> {
  /** The form's fields shaped as the API's DTO expects them. */
  input: unknown;
  /** The service call the API endpoint makes with the checked value. */
  save: (value: T) => Promise<R>;
  /** Shows the form again with these field errors (the page picks 400 or 422). */
  refuse: (errors: FieldError[]) => Promise<void>;
  /** After the save: usually a redirect (post/redirect/get). */
  done: (saved: R) => Promise<void>;
  /**
   * The field errors a refusal of the service becomes, or undefined to let the error pages
   * answer it (403, 404, 409...). By default a problem's own field errors.
   */
  refused?: (error: unknown) => FieldError[] | undefined;
}

/**
 * The one shape of a page's POST: check the form with the API's DTO, call the service, and show
 * the form again with the DTO's or the service's field errors, or go on when it saved.
 */
export async function submitForm<T extends object, R>(
  dto: new () => T,
  form: FormSubmission<T, R>,
): Promise<void> {
  const { value, errors } = await validateForm(dto, form.input);
  if (errors.length > 0) return form.refuse(errors);
  let saved: R;
  try {
    saved = await form.save(value);
  } catch (error) {
    const found = (form.refused ?? problemFieldErrors)(error);
    if (!found) throw error;
    return form.refuse(found);
  }
  return form.done(saved);
}
