import { isUuid } from '@storytelling/kernel';
import { MalformedMessageError, type CloudEvent } from '@storytelling/platform';

/** A required UUID field of an event's data (lower-cased). @throws MalformedMessageError */
export function requireUuidField(event: CloudEvent, field: string): string {
  const value = event.data[field];
  if (!isUuid(value)) throw new MalformedMessageError(`${event.type} ${event.id} has no valid ${field}`);
  return value.toLowerCase();
}

/** A string field, '' when absent. @throws MalformedMessageError when present but not a string */
export function stringField(event: CloudEvent, field: string): string {
  const value = event.data[field];
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') throw new MalformedMessageError(`${event.type} ${event.id}: ${field} is not a string`);
  return value;
}

/** An integer field (proto int32, or int64 as its JSON string). @throws MalformedMessageError */
export function integerField(event: CloudEvent, field: string): number {
  const value = event.data[field];
  if (value === undefined || value === null) return 0;
  const n = typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isSafeInteger(n)) throw new MalformedMessageError(`${event.type} ${event.id}: ${field} is not an integer`);
  return n;
}

/** Minor units as a decimal amount for templates (2 decimals: the fleet's currencies). */
export function formatMinor(minor: number): string {
  return (minor / 100).toFixed(2);
}
