import { ValidationError, isUuid, type FieldError } from '@storytelling/kernel';

/** One check of a command field: `undefined` when it holds, the problem otherwise. */
export type FieldCheck = FieldError | undefined;

export const uuidField = (field: string, value: string): FieldCheck => (isUuid(value) ? undefined : { field, message: 'must be a UUID' });

/**
 * int64 minor units as commands carry them (a decimal string, proto3 JSON): a safe integer,
 * positive, or also 0 where 0 means "everything".
 */
export function minorUnitsField(field: string, value: string, options: { zero: boolean }): FieldCheck {
  const pattern = options.zero ? /^(0|[1-9][0-9]{0,15})$/ : /^[1-9][0-9]{0,15}$/;
  if (pattern.test(value) && Number.isSafeInteger(Number(value))) return undefined;
  return { field, message: options.zero ? 'must be 0 or a positive integer' : 'must be a positive integer' };
}

/**
 * A command's own validation: every failed check at once, as a ValidationError
 * (PAYMENT_COMMAND_INVALID) whose message names the fields. Through a translator's `on(...)`
 * it dead-letters the message as malformed, without retries.
 */
export function requireValid(command: string, checks: readonly FieldCheck[]): void {
  const problems = checks.filter((c): c is FieldError => c !== undefined);
  if (problems.length === 0) return;
  throw new ValidationError(`invalid ${command}: ${problems.map((p) => `${p.field} ${p.message}`).join('; ')}`, problems, 'PAYMENT_COMMAND_INVALID');
}
