import { Param, ParseUUIDPipe } from '@nestjs/common';
import { validationProblem } from '../errors/validation-errors.js';

/** A path parameter that must be a UUID; anything else is a 400 naming the parameter. */
export const UuidParam = (name = 'id') =>
  Param(
    name,
    new ParseUUIDPipe({
      exceptionFactory: () =>
        validationProblem([{ path: name, message: `${name} must be a UUID` }]),
    }),
  );
