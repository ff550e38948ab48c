import { Param, ParseUUIDPipe } from '@nestjs/common';
import { notFound } from '../../errors/problem.exception.js';

/** A record id in a page address; anything but a UUID is a page that does not exist (404). */
export const UuidPageParam = (name = 'id') =>
  Param(name, new ParseUUIDPipe({ exceptionFactory: () => notFound() }));

/** A posted form field as text ('' when absent or not text). */
export const field = (body: unknown, name: string): string => {
  const value = (body as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value : '';
};

/** A posted field that may repeat (checkboxes): every text value given. */
export const fields = (body: unknown, name: string): string[] => {
  const value = (body as Record<string, unknown> | undefined)?.[name];
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
};

/** Optional text: trimmed, or undefined when empty. */
export const optional = (value: string): string | undefined => value.trim() || undefined;

/**
 * The record version a form was made from (its hidden `version` field), for If-Match. A form
 * without a readable one gets -1, which no record has: the change is refused as stale (409).
 */
export const postedVersion = (body: unknown): number => {
  const value = field(body, 'version');
  return /^\d{1,10}$/.test(value) ? Number(value) : -1;
};
