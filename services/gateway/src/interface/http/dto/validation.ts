import { ValidateBy, ValidateIf, type ValidationError, type ValidationOptions } from 'class-validator';
import { decodeCursor } from '@storytelling/kernel';
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
export const IS_CURSOR = 'isCursor';

/**
 * A list cursor as the services issue it, decoded in full by the fleet's one decoder
 * (@storytelling/kernel decodeCursor): a cursor no list can have returned (bad characters, a
 * time outside what PostgreSQL stores, an id that is not a UUID) is 400 INVALID_CURSOR here,
 * before any service sees it. Non-strings are left to @IsString, bad characters to @Matches.
 */
export function IsCursor(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: IS_CURSOR,
      validator: {
        validate: (value: unknown) => {
          // Bad characters and length are @Matches / @MaxLength's to report (VALIDATION_FAILED).
          if (typeof value !== 'string' || value.length > CURSOR_MAX || !CURSOR.test(value)) return true;
          try {
            decodeCursor(value);
            return true;
          } catch {
            return false;
          }
        },
        defaultMessage: () => 'is not a cursor this list returned',
      },
    },
    options,
  );
}

/** Whether class-validator's error tree holds a failed `constraint` anywhere. */
export function hasConstraint(errors: readonly ValidationError[], constraint: string): boolean {
  return errors.some((e) => (e.constraints !== undefined && constraint in e.constraints) || hasConstraint(e.children ?? [], constraint));
}

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

/**
 * Control characters no accepted string may hold (issue 12, item 5): C0 (U+0000..U+001F), DEL
 * and C1 (U+007F..U+009F). PostgreSQL refuses U+0000 in text and jsonb; the others only corrupt
 * logs, terminals and e-mails. Tab, LF and CR are allowed in the fields marked @MultiLineText.
 */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const CONTROL_EXCEPT_LINE_BREAKS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;
const MULTI_LINE = Symbol('multiLineText');

/** The field is a multi-line text (a story's content): tab, LF and CR are allowed in it. */
export function MultiLineText(): PropertyDecorator {
  return (target: object, key: string | symbol) => {
    const own: Set<string | symbol> = Object.prototype.hasOwnProperty.call(target, MULTI_LINE)
      ? (target as Record<symbol, Set<string | symbol>>)[MULTI_LINE]!
      : new Set((target as Record<symbol, Set<string | symbol> | undefined>)[MULTI_LINE] ?? []);
    own.add(key);
    Object.defineProperty(target, MULTI_LINE, { value: own, enumerable: false, configurable: true });
  };
}

function isMultiLine(owner: object, key: string): boolean {
  return (owner as Record<symbol, Set<string | symbol> | undefined>)[MULTI_LINE]?.has(key) === true;
}

export const CONTROL_CHARACTER_MESSAGE = 'must not contain control characters';

/** Whether one accepted string breaks the control-character rule (for inputs no DTO describes: multipart fields). */
export function hasControlCharacter(value: string, multiLine = false): boolean {
  return (multiLine ? CONTROL_EXCEPT_LINE_BREAKS : CONTROL).test(value);
}

/** Deeper than any DTO; bodies are bounded to MAX_JSON_DEPTH before they get here anyway. */
const MAX_WALK_DEPTH = 64;

/**
 * Every string in a validated request value (DTO instance, nested DTOs, arrays, plain objects,
 * and their keys) that holds a control character, as field errors with dotted paths. A field
 * marked @MultiLineText on its DTO class may hold tab, LF and CR.
 */
export function controlCharacterErrors(value: unknown, path = '', multiLine = false, depth = 0): { field: string; message: string }[] {
  if (typeof value === 'string') {
    return hasControlCharacter(value, multiLine) ? [{ field: path, message: CONTROL_CHARACTER_MESSAGE }] : [];
  }
  if (typeof value !== 'object' || value === null || depth > MAX_WALK_DEPTH) return [];
  const out: { field: string; message: string }[] = [];
  if (Array.isArray(value)) {
    value.forEach((item, i) => out.push(...controlCharacterErrors(item, path ? `${path}.${i}` : String(i), multiLine, depth + 1)));
    return out;
  }
  if (value instanceof Date) return out;
  for (const [key, item] of Object.entries(value)) {
    const field = path ? `${path}.${key}` : key;
    if (CONTROL.test(key)) out.push({ field, message: CONTROL_CHARACTER_MESSAGE });
    else out.push(...controlCharacterErrors(item, field, isMultiLine(value, key), depth + 1));
  }
  return out;
}

/**
 * The URL as it is stored (WHATWG-serialised: non-ASCII percent-encoded, host punycoded) is at
 * most `max` characters. 120 non-ASCII characters are 720 once encoded (issue 12, item 4).
 * Strings that are not URLs are left to @IsUrl.
 */
export function StoredUrlMaxLength(max: number, options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'storedUrlMaxLength',
      validator: {
        validate: (value: unknown) => {
          if (typeof value !== 'string') return true;
          try {
            return new URL(value.trim()).toString().length <= max;
          } catch {
            return true;
          }
        },
        defaultMessage: () => `must be at most ${max} characters once percent-encoded`,
      },
    },
    options,
  );
}
