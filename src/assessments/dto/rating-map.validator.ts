import { Ajv, type ErrorObject } from 'ajv';
import { registerDecorator, type ValidationArguments } from 'class-validator';
import { RATING_MAP_CONSTRAINT } from '../../errors/validation-errors.js';
import { RATING_INPUT_SCHEMA } from './assessment.dto.js';

const ajv = new Ajv({ strict: false, allErrors: true });
const checkRating = ajv.compile(RATING_INPUT_SCHEMA);

function pathOf(code: string, error: ErrorObject): string {
  const inner = error.instancePath
    .split('/')
    .filter(Boolean)
    .map((part) => (/^\d+$/.test(part) ? `[${part}]` : `.${part}`))
    .join('');
  const extra =
    error.keyword === 'additionalProperties'
      ? `.${(error.params as { additionalProperty: string }).additionalProperty}`
      : '';
  return `ratings.${code}${inner}${extra}`;
}

/** Each field of each rating that breaks the document's rating schema, by its full path. */
export function ratingMapErrors(
  ratings: unknown,
  nullable: boolean,
): { path: string; message: string }[] {
  if (typeof ratings !== 'object' || ratings === null || Array.isArray(ratings)) return [];
  const errors = new Map<string, string>();
  for (const [code, rating] of Object.entries(ratings)) {
    if (rating === null) {
      if (!nullable) errors.set(`ratings.${code}`, 'a rating is required, not null');
      continue;
    }
    if (checkRating(rating)) continue;
    for (const error of checkRating.errors ?? []) {
      const path = pathOf(code, error);
      if (!errors.has(path)) errors.set(path, `${path} ${error.message ?? 'is not valid'}`);
    }
  }
  return [...errors].map(([path, message]) => ({ path, message }));
}

/**
 * Checks every rating of an item-code map against the rating schema the document declares
 * (lengths, types, unknown fields), with the other fields of the request, before the service
 * checks them against the instrument.
 */
export function IsRatingMap(options: { nullable: boolean }): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: RATING_MAP_CONSTRAINT,
      target: target.constructor,
      propertyName: propertyName as string,
      validator: {
        validate: (value: unknown) => ratingMapErrors(value, options.nullable).length === 0,
        defaultMessage: (args?: ValidationArguments) =>
          ratingMapErrors(args?.value, options.nullable)
            .map((e) => `${e.path}\t${e.message}`)
            .join('\n'),
      },
    });
}
