import { createHash } from 'node:crypto';
import type { FieldError } from '@storytelling/kernel';
import { ValidationError } from '@storytelling/kernel';

export const TITLE_MIN = 3;
export const TITLE_MAX = 500;
export const CONTENT_MAX = 200_000;
export const DEFAULT_LANGUAGE = 'en';
const LANGUAGE_MAX = 35;
// eslint-disable-next-line no-control-regex
const TITLE_CONTROL = /[\u0000-\u001f\u007f]/;
// Postgres text cannot hold NUL; other C0 controls but tab, LF and CR make no sense in prose.
// eslint-disable-next-line no-control-regex
const CONTENT_CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

/** Length in characters as people count them (Unicode code points, not UTF-16 units). */
export function characterCount(value: string): number {
  let n = 0;
  for (const _ of value) n++;
  return n;
}

/** Title: trimmed, NFC, 3..500 characters, no control characters. */
export function normaliseTitle(raw: unknown, errors: FieldError[], field = 'title'): string | undefined {
  if (typeof raw !== 'string') {
    errors.push({ field, message: 'is required' });
    return undefined;
  }
  const value = raw.trim().normalize('NFC');
  const length = characterCount(value);
  if (length < TITLE_MIN || length > TITLE_MAX) {
    errors.push({ field, message: `must be ${TITLE_MIN} to ${TITLE_MAX} characters` });
    return undefined;
  }
  if (TITLE_CONTROL.test(value)) {
    errors.push({ field, message: 'must not contain control characters' });
    return undefined;
  }
  return value;
}

/**
 * Content: kept as written (no trimming: whitespace can matter in prose), at most 200,000
 * characters, no control characters other than tab and line breaks. May be empty (a draft can
 * start with a title only); blank content cannot be analysed.
 */
export function normaliseContent(raw: unknown, errors: FieldError[], field = 'content'): string | undefined {
  if (typeof raw !== 'string') {
    errors.push({ field, message: 'must be a string' });
    return undefined;
  }
  if (raw.length > CONTENT_MAX * 2 || characterCount(raw) > CONTENT_MAX) {
    errors.push({ field, message: `must be at most ${CONTENT_MAX} characters` });
    return undefined;
  }
  if (CONTENT_CONTROL.test(raw)) {
    errors.push({ field, message: 'must not contain control characters other than tab and line breaks' });
    return undefined;
  }
  return raw;
}

/**
 * A BCP 47 language tag (`en`, `pt-BR`, `zh-Hant-TW`) in canonical case, checked with
 * `Intl.getCanonicalLocales` (the same rule identity applies to a user's language).
 */
export function normaliseLanguage(raw: unknown, errors: FieldError[], field = 'language'): string | undefined {
  const message = 'must be a BCP 47 language tag such as en or pt-BR';
  if (typeof raw !== 'string' || raw.trim().length === 0) {
    errors.push({ field, message });
    return undefined;
  }
  const value = raw.trim();
  if (value.length > LANGUAGE_MAX || !/^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/.test(value)) {
    errors.push({ field, message });
    return undefined;
  }
  try {
    const [canonical] = Intl.getCanonicalLocales(value);
    if (!canonical || canonical.length > LANGUAGE_MAX) throw new RangeError(value);
    return canonical;
  } catch {
    errors.push({ field, message });
    return undefined;
  }
}

/** SHA-256 of the content's UTF-8 bytes, lower-case hex (64 characters). */
export function contentHash(content: string): string {
  return createHash('sha256').update(content, 'utf8').digest('hex');
}

export function isBlank(content: string): boolean {
  return content.trim().length === 0;
}

/** The first `max` characters of the content, whitespace collapsed, for lists. */
export function excerptOf(content: string, max = 280): string {
  const collapsed = content.replace(/\s+/g, ' ').trim();
  const chars = [...collapsed];
  return chars.length <= max ? collapsed : `${chars.slice(0, max - 1).join('')}…`;
}

export function throwIfInvalid(errors: readonly FieldError[], message = 'invalid story'): void {
  if (errors.length > 0) throw new ValidationError(message, errors);
}
