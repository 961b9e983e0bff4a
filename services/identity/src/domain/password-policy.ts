import { ValidationError } from '@storytelling/kernel';

export const PASSWORD_MIN_LENGTH = 10;
export const PASSWORD_MAX_LENGTH = 256;

/**
 * Length is the rule (NIST SP 800-63B): at least 10 characters, at most 256 (argon2 copes with
 * more, but an upper bound keeps hashing cost bounded). Characters are Unicode code points.
 */
export function assertAcceptablePassword(password: unknown, field = 'password'): asserts password is string {
  if (typeof password !== 'string' || password.length === 0) {
    throw new ValidationError('invalid password', [{ field, message: 'is required' }], 'INVALID_PASSWORD');
  }
  const length = [...password].length;
  if (length < PASSWORD_MIN_LENGTH) {
    throw new ValidationError(
      'password too short',
      [{ field, message: `must be at least ${PASSWORD_MIN_LENGTH} characters` }],
      'INVALID_PASSWORD',
    );
  }
  if (length > PASSWORD_MAX_LENGTH) {
    throw new ValidationError(
      'password too long',
      [{ field, message: `must be at most ${PASSWORD_MAX_LENGTH} characters` }],
      'INVALID_PASSWORD',
    );
  }
}
