import { applyDecorators } from '@nestjs/common';
import { IsISO8601, Matches, MaxLength, ValidateBy, type ValidationOptions } from 'class-validator';
import { isPositiveDuration, parseIsoDuration } from '../../instruments/rule-sets/iso-duration.js';

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** A calendar date, YYYY-MM-DD, that exists. */
export const IsCalendarDate = () =>
  applyDecorators(
    IsISO8601(
      { strict: true },
      { message: ({ property }) => `${property} must be a date (YYYY-MM-DD)` },
    ),
    Matches(DATE, { message: ({ property }) => `${property} must be a date (YYYY-MM-DD)` }),
    MaxLength(10, { message: ({ property }) => `${property} must be a date (YYYY-MM-DD)` }),
  );

/** How often an intervention meets: an ISO-8601 duration between sessions (P1W = weekly). */
export const IsIsoDuration = (options?: ValidationOptions) =>
  applyDecorators(
    MaxLength(32, {
      message: ({ property }) => `${property} must be an ISO-8601 duration such as P1W`,
    }),
    IsoDuration(options),
  );

const IsoDuration = (options?: ValidationOptions) =>
  ValidateBy(
    {
      name: 'isIsoDuration',
      validator: {
        validate: (value: unknown) => {
          if (typeof value !== 'string' || value.length > 32) return false;
          const duration = parseIsoDuration(value);
          return duration !== null && isPositiveDuration(duration);
        },
        defaultMessage: (args) =>
          `${args?.property} must be an ISO-8601 duration between sessions, such as P1W (weekly) or P2W`,
      },
    },
    options,
  );
