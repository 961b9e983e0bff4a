import type { FieldError } from '@storytelling/kernel';
import { ValidationError } from '@storytelling/kernel';

export const DEFAULT_LANGUAGE = 'en';
const MAX_NAME = 100;
const MAX_URL = 500;
const MAX_LANGUAGE = 35;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * Field rules for a person's profile. Each function returns the normalised value or pushes a
 * field error; callers collect all problems and throw one ValidationError (400 with `errors`).
 */
export function normaliseDisplayName(raw: unknown, errors: FieldError[], field = 'displayName'): string | undefined {
  if (typeof raw !== 'string' || raw.trim().length === 0) {
    errors.push({ field, message: 'is required' });
    return undefined;
  }
  return checkName(raw, errors, field);
}

/** Optional names: `null` (or an empty string) clears the value. */
export function normaliseOptionalName(raw: unknown, errors: FieldError[], field: string): string | null | undefined {
  if (raw === null || raw === '') return null;
  if (typeof raw !== 'string') {
    errors.push({ field, message: 'must be a string' });
    return undefined;
  }
  if (raw.trim().length === 0) return null;
  return checkName(raw, errors, field);
}

function checkName(raw: string, errors: FieldError[], field: string): string | undefined {
  const value = raw.trim().normalize('NFC');
  if ([...value].length > MAX_NAME) {
    errors.push({ field, message: `must be at most ${MAX_NAME} characters` });
    return undefined;
  }
  if (CONTROL.test(value)) {
    errors.push({ field, message: 'must not contain control characters' });
    return undefined;
  }
  return value;
}

/**
 * A BCP 47 language tag (`en`, `pt-BR`, `zh-Hant-TW`), returned in canonical case. The check is
 * `Intl.getCanonicalLocales`, which implements the BCP 47 grammar (Unicode locale identifiers).
 */
export function normaliseLanguage(raw: unknown, errors: FieldError[], field = 'language'): string | undefined {
  if (typeof raw !== 'string' || raw.trim().length === 0) {
    errors.push({ field, message: 'must be a BCP 47 language tag such as en or pt-BR' });
    return undefined;
  }
  const value = raw.trim();
  if (value.length > MAX_LANGUAGE || !/^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/.test(value)) {
    errors.push({ field, message: 'must be a BCP 47 language tag such as en or pt-BR' });
    return undefined;
  }
  try {
    const [canonical] = Intl.getCanonicalLocales(value);
    if (!canonical || canonical.length > MAX_LANGUAGE) throw new RangeError(value);
    return canonical;
  } catch {
    errors.push({ field, message: 'must be a BCP 47 language tag such as en or pt-BR' });
    return undefined;
  }
}

/** An absolute http(s) URL without credentials; `null` or empty clears it. */
export function normaliseProfileImageUrl(raw: unknown, errors: FieldError[], field = 'profileImageUrl'): string | null | undefined {
  if (raw === null || raw === '') return null;
  if (typeof raw !== 'string') {
    errors.push({ field, message: 'must be a string' });
    return undefined;
  }
  const value = raw.trim();
  if (value.length > MAX_URL) {
    errors.push({ field, message: `must be at most ${MAX_URL} characters` });
    return undefined;
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    errors.push({ field, message: 'must be an absolute http or https URL' });
    return undefined;
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.hostname.length === 0) {
    errors.push({ field, message: 'must be an absolute http or https URL' });
    return undefined;
  }
  if (url.username || url.password) {
    errors.push({ field, message: 'must not contain credentials' });
    return undefined;
  }
  // What is stored is the serialised form (non-ASCII percent-encoded): that is what must fit.
  const stored = url.toString();
  if (stored.length > MAX_URL) {
    errors.push({ field, message: `must be at most ${MAX_URL} characters once percent-encoded` });
    return undefined;
  }
  return stored;
}

export function throwIfInvalid(errors: readonly FieldError[], message = 'invalid input'): void {
  if (errors.length > 0) throw new ValidationError(message, errors);
}

export interface Profile {
  displayName: string;
  firstName: string | null;
  lastName: string | null;
  language: string;
  profileImageUrl: string | null;
}

/** A partial profile change as the caller sent it (undefined = leave as is). */
export interface ProfileChanges {
  displayName?: unknown;
  firstName?: unknown;
  lastName?: unknown;
  language?: unknown;
  profileImageUrl?: unknown;
}

/** Validates a change set; throws one ValidationError listing every bad field. */
export function validateProfileChanges(changes: ProfileChanges): Partial<Profile> {
  const errors: FieldError[] = [];
  const out: Partial<Profile> = {};
  if (changes.displayName !== undefined) {
    const v = normaliseDisplayName(changes.displayName, errors);
    if (v !== undefined) out.displayName = v;
  }
  if (changes.firstName !== undefined) {
    const v = normaliseOptionalName(changes.firstName, errors, 'firstName');
    if (v !== undefined) out.firstName = v;
  }
  if (changes.lastName !== undefined) {
    const v = normaliseOptionalName(changes.lastName, errors, 'lastName');
    if (v !== undefined) out.lastName = v;
  }
  if (changes.language !== undefined) {
    const v = normaliseLanguage(changes.language, errors);
    if (v !== undefined) out.language = v;
  }
  if (changes.profileImageUrl !== undefined) {
    const v = normaliseProfileImageUrl(changes.profileImageUrl, errors);
    if (v !== undefined) out.profileImageUrl = v;
  }
  throwIfInvalid(errors, 'invalid profile');
  return out;
}
