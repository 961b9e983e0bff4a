import { eventType } from '@storytelling/kernel';

/**
 * The subscription context's integration events (proto/storytelling/subscription/v1/events.proto).
 * `data` is the proto3 JSON mapping: camelCase, RFC 3339 times, int64 as decimal strings.
 */
export const SubscriptionEventTypes = {
  SubscriptionCreated: eventType('subscription', 'subscription', 'created'),
  SubscriptionActivated: eventType('subscription', 'subscription', 'activated'),
  TierUpgraded: eventType('subscription', 'subscription', 'tier_upgraded'),
  TierDowngraded: eventType('subscription', 'subscription', 'tier_downgraded'),
  SubscriptionCancelled: eventType('subscription', 'subscription', 'cancelled'),
  SubscriptionRenewed: eventType('subscription', 'subscription', 'renewed'),
  SubscriptionPaymentFailed: eventType('subscription', 'subscription', 'payment_failed'),
  UsageReserved: eventType('subscription', 'usage', 'reserved'),
  UsageCommitted: eventType('subscription', 'usage', 'committed'),
  UsageReleased: eventType('subscription', 'usage', 'released'),
  QuotaExceeded: eventType('subscription', 'usage', 'quota_exceeded'),
} as const;

export const SUBSCRIPTION_AGGREGATE_TYPE = 'subscription';
/** Usage events share the subscription's stream (key and version sequence): one subscription's usage stays in order. */
export const USAGE_AGGREGATE_TYPE = 'subscription_usage';

export type CancelReason = 'user_request' | 'account_deactivated' | 'renewal_failed';
