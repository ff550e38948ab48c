import { applyDecorators } from '@nestjs/common';
import { DECORATORS } from '@nestjs/swagger';
import { Exclude } from 'class-transformer';
import { IsOptional, ValidateBy, ValidateIf, type ValidationOptions } from 'class-validator';

/**
 * How a request field may be left out, one convention for every DTO (the OpenAPI document reads
 * the same metadata, see src/openapi.ts):
 *
 * - no marker: required, and null is refused by the field's type validators;
 * - `@Optional()`: may be omitted (meaning "unchanged", or the documented default); null is
 *   refused with a 400 naming the field;
 * - `@Nullable()`: may be omitted or null; null means "none" (or clears the value), exactly
 *   where a GET shows null;
 * - read-only (`@AcceptsReadOnlyOf(Response)` on the class): what a GET shows and the request
 *   does not change is ignored when a client sends it back, so a GET's body can go back in a PATCH.
 *
 * Bare `@IsOptional()` lets null through to services that do not expect it; it is not used in
 * request DTOs (test/openapi-document.e2e-spec.ts holds every DTO to this convention).
 */

export const NOT_NULL = 'notNull';

/** Refuses null, naming the field: `password must not be null`. */
export const NotNull = (options?: ValidationOptions) =>
  ValidateBy(
    {
      name: NOT_NULL,
      validator: {
        validate: (value: unknown) => value !== null,
        defaultMessage: (args) => `${args?.property} must not be null`,
      },
    },
    options,
  );

/** May be omitted; when present it must be valid, and null is refused. */
export const Optional = (): PropertyDecorator =>
  applyDecorators(
    ValidateIf((_, value) => value !== undefined),
    NotNull(),
  );

/** May be omitted or null (null means none); declared nullable in the document. */
export const Nullable = (): PropertyDecorator => IsOptional();

const PROPERTIES = DECORATORS.API_MODEL_PROPERTIES;
const PROPERTY_LIST = DECORATORS.API_MODEL_PROPERTIES_ARRAY;

/**
 * Class decorator for a request DTO that takes back what a GET returns: every property of
 * `response` this class does not declare itself is accepted as read-only (documented with
 * `readOnly: true` and the response's type, and dropped before validation). The properties the
 * class declares are the writable ones.
 */
export const AcceptsReadOnlyOf =
  (response: abstract new (...args: never[]) => unknown): ClassDecorator =>
  (target) => {
    const source = response.prototype as object;
    const proto = target.prototype as object;
    const own = new Set<string>(Reflect.getMetadata(PROPERTY_LIST, proto) ?? []);
    for (const key of (Reflect.getMetadata(PROPERTY_LIST, source) ?? []) as string[]) {
      if (own.has(key)) continue;
      const name = key.slice(1);
      const metadata = Reflect.getMetadata(PROPERTIES, source, name) as object;
      Reflect.defineMetadata(
        PROPERTIES,
        { ...metadata, readOnly: true, required: false },
        proto,
        name,
      );
      Reflect.defineMetadata(
        PROPERTY_LIST,
        [...((Reflect.getMetadata(PROPERTY_LIST, proto) ?? []) as string[]), key],
        proto,
      );
      Exclude({ toClassOnly: true })(proto, name);
    }
  };
