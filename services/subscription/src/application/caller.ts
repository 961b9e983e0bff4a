import { ForbiddenError, ValidationError, isUuid } from '@storytelling/kernel';
import type { Caller } from '@storytelling/platform';

/** Roles that may read another user's subscription and usage (subscription_service.proto). */
const READ_ANYONE = new Set(['service', 'admin', 'super-admin', 'customer-support']);

/** The user a query is about: empty = the caller; someone else only for the roles above. */
export function subjectOf(caller: Caller, requestedUserId: string | undefined): string {
  const target = requestedUserId?.trim().toLowerCase();
  if (!target && caller.role === 'service') throw new ValidationError('a service must name the user', [{ field: 'userId', message: 'required for service callers' }]);
  if (!target || target === caller.userId) return caller.userId;
  if (!READ_ANYONE.has(caller.role)) throw new ForbiddenError("another user's subscription is private", 'SUBSCRIPTION_PRIVATE');
  return target;
}

/** A user id another context handed over (events, commands): a UUID, or the message is refused. */
export function requireUserId(userId: string): void {
  if (!isUuid(userId)) throw new ValidationError('userId must be a UUID', [{ field: 'userId', message: 'must be a UUID' }]);
}
