import { Param, ParseUUIDPipe, type PipeTransform } from '@nestjs/common';
import { ApiParam, type SchemaObject } from '@nestjs/swagger';
import { validationProblem } from '../errors/validation-errors.js';

/**
 * A path parameter checked by `pipe`, documented with `schema` where it is declared (so the
 * document states exactly what the pipe accepts).
 */
export const CheckedParam =
  (name: string, pipe: PipeTransform, schema: SchemaObject, description?: string) =>
  (target: object, key: string | symbol | undefined, index: number): void => {
    Param(name, pipe)(target, key, index);
    if (key === undefined) return;
    const descriptor = Object.getOwnPropertyDescriptor(target, key)!;
    ApiParam({ name, required: true, schema, ...(description ? { description } : {}) })(
      target,
      key,
      descriptor,
    );
  };

/** A path parameter that must be a UUID; anything else is a 400 naming the parameter. */
export const UuidParam = (name = 'id') =>
  CheckedParam(
    name,
    new ParseUUIDPipe({
      exceptionFactory: () =>
        validationProblem([{ path: name, message: `${name} must be a UUID` }]),
    }),
    { type: 'string', format: 'uuid', maxLength: 36 },
  );
