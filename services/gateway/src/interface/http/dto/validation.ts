import { ValidateBy, ValidateIf, type ValidationOptions } from 'class-validator';
import { codePointLength } from '../../../domain/stories.js';

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

/** An opaque page cursor as the services issue them: base64url without padding, ≤ 512 chars. */
export const CURSOR = /^[A-Za-z0-9_-]+$/;
export const CURSOR_MAX = 512;

/**
 * The string's length in Unicode code points (as the story service counts), after trimming when
 * `trim` is set, lies in min..max. Non-strings are left to @IsString.
 */
export function CodePointLength(min: number, max: number, options: { trim?: boolean } & ValidationOptions = {}): PropertyDecorator {
  const { trim, ...validationOptions } = options;
  return ValidateBy(
    {
      name: 'codePointLength',
      validator: {
        validate: (value: unknown) => {
          if (typeof value !== 'string') return true;
          const n = codePointLength(trim ? value.trim() : value);
          return n >= min && n <= max;
        },
        defaultMessage: () =>
          min > 0 ? `must be ${min}..${max} characters${trim ? ' (after trimming)' : ''}` : `must be at most ${max} characters`,
      },
    },
    validationOptions,
  );
}

/** A query-string integer ("20") becomes a number; anything else stays as is for @IsInt to refuse. */
export function toQueryInt({ value }: { value: unknown }): unknown {
  return typeof value === 'string' && /^\d{1,6}$/.test(value) ? Number(value) : value;
}
