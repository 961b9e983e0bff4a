import { ValidateIf, type ValidationOptions } from 'class-validator';

/** The key may be absent, but when present (even `null`) it is validated. */
export function Optional(options?: ValidationOptions): PropertyDecorator {
  return ValidateIf((_object: object, value: unknown) => value !== undefined, options);
}

/** BCP 47-ish language tag: `en`, `pt-BR`, `zh-Hant-TW` (identity canonicalises it). */
export const LANGUAGE_TAG = /^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/;
/** A permission half: lower-case words joined by - _ or ., or the wildcard `*` (as identity). */
export const PERMISSION_NAME = /^(\*|[a-z][a-z0-9]*(?:[-_.][a-z0-9]+)*)$/;
/** Something printable: not only whitespace. */
export const NOT_BLANK = /\S/;
/** Opaque refresh token: URL-safe characters only. */
export const OPAQUE_TOKEN = /^[A-Za-z0-9._~+/=-]+$/;
