import { NotFoundError } from '@storytelling/kernel';

/** Who calls (from the verified bearer token). */
export interface Viewer {
  userId: string;
  role: string;
}

/** Roles that may read the delivery log (support work). */
export const DELIVERY_LOG_ROLES: readonly string[] = ['admin', 'super-admin', 'customer-support'];

export class NotificationNotFoundError extends NotFoundError {
  constructor() {
    super('notification', 'NOTIFICATION_NOT_FOUND');
  }
}

/** The caller has no (active) recipient copy yet: identity has not told us about them, or they left. */
export class RecipientNotFoundError extends NotFoundError {
  constructor() {
    super('recipient', 'RECIPIENT_NOT_FOUND');
  }
}
