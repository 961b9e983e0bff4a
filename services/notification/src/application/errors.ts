import { NotFoundError } from '@storytelling/kernel';

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

/**
 * A billing or narration event for a user identity has not told us about yet. Not a DomainError
 * on purpose: the consumer retries it (identity's event is usually just behind), then dead-letters it.
 */
export class RecipientNotYetKnownError extends Error {
  constructor(userId: string) {
    super(`recipient ${userId} is not known yet`);
    this.name = 'RecipientNotYetKnownError';
  }
}
