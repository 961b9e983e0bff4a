import { ValidationError, isUuid } from '@storytelling/kernel';

export function requireUuid(value: unknown, field: string): string {
  if (!isUuid(value)) throw new ValidationError(`invalid ${field}`, [{ field, message: 'must be a UUID' }], 'INVALID_ID');
  return value.toLowerCase();
}
