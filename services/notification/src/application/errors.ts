import { DomainError, NotFoundError } from '@storytelling/kernel';

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
 * The signed-in caller has no recipient copy yet: their UserRegistered is still on its way (a
 * request right after registering). 'unavailable' → gRPC UNAVAILABLE → 503 with Retry-After at the
 * gateway: try again in a moment, rather than a 404 saying the user has nothing. docs/adr/0023.
 */
export class RecipientNotReadyError extends DomainError {
  constructor() {
    super('unavailable', 'RECIPIENT_NOT_READY', 'the recipient is not known yet; retry shortly');
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
