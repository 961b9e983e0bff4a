import { BusinessRuleError, ConflictError, NotFoundError, ValidationError } from '@storytelling/kernel';

/** The subscription context's stable error codes (API.md, subscription_service.proto). */
export class SubscriptionNotFoundError extends NotFoundError {
  constructor() {
    super('subscription', 'SUBSCRIPTION_NOT_FOUND');
  }
}

export class TierNotFoundError extends NotFoundError {
  constructor() {
    super('tier', 'TIER_NOT_FOUND');
  }
}

/** A payment is in flight for this subscription (one change at a time). */
export class SubscriptionChangePendingError extends ConflictError {
  constructor() {
    super('SUBSCRIPTION_CHANGE_PENDING', 'a change of this subscription is waiting for its payment');
  }
}

export class AlreadySubscribedError extends BusinessRuleError {
  constructor() {
    super('ALREADY_SUBSCRIBED', 'the subscription already has this tier and billing cycle');
  }
}

/** Going to free is a cancellation (POST /subscription/cancel), not a purchase. */
export class TierNotPurchasableError extends BusinessRuleError {
  constructor() {
    super('TIER_NOT_PURCHASABLE', 'the free tier is not bought; cancel the paid subscription instead');
  }
}

export class SubscriptionNotCancellableError extends BusinessRuleError {
  constructor(message = 'only a paid, active subscription can be cancelled') {
    super('SUBSCRIPTION_NOT_CANCELLABLE', message);
  }
}

export class SubscriptionInactiveError extends BusinessRuleError {
  constructor() {
    super('SUBSCRIPTION_INACTIVE', 'the subscription is not active');
  }
}

export class UnknownResourceError extends ValidationError {
  constructor(field = 'resource') {
    super('unknown resource', [{ field, message: 'must be one of stories, narrations, videos' }]);
  }
}
