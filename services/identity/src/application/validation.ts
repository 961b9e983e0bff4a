import type { FieldError } from '@storytelling/kernel';
import { DomainError, ValidationError, isUuid } from '@storytelling/kernel';

/** Runs `fn`, turning a ValidationError into field errors so one answer lists every problem. */
export function collect<T>(errors: FieldError[], fn: () => T): T | undefined {
  try {
    return fn();
  } catch (err) {
    if (err instanceof DomainError && err.kind === 'validation') {
      errors.push(...(err.fieldErrors.length > 0 ? err.fieldErrors : [{ field: '', message: err.message }]));
      return undefined;
    }
    throw err;
  }
}

export function requireUuid(value: unknown, field: string): string {
  if (!isUuid(value)) throw new ValidationError(`invalid ${field}`, [{ field, message: 'must be a UUID' }], 'INVALID_ID');
  return value.toLowerCase();
}

/** The refresh token a client presents (RefreshToken, Logout): a non-empty string. */
export function requireRefreshToken(value: unknown): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new ValidationError('refreshToken is required', [{ field: 'refreshToken', message: 'is required' }]);
  }
  return value;
}
