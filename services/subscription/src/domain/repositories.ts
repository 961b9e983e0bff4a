import type { Subscription } from './subscription.js';
import type { Tier } from './tier.js';

/** Ports the application uses; infrastructure implements them over one transaction. */
export interface SubscriptionRepository {
  findById(id: string, options?: { lock?: boolean }): Promise<Subscription | undefined>;
  findByUser(userId: string, options?: { lock?: boolean }): Promise<Subscription | undefined>;
  /** Inserts a new subscription and its events; false when the user already has one. */
  addIfAbsent(subscription: Subscription): Promise<boolean>;
  /** Optimistic: VersionConflictError when someone else changed it since it was loaded. */
  save(subscription: Subscription): Promise<void>;
  /**
   * Live subscriptions whose period ended by `now` and wait for no payment, in (period end, id)
   * order after `after` (a pass's position: what it already looked at is not claimed again),
   * locked SKIP LOCKED.
   */
  claimDue(now: Date, limit: number, after?: DuePosition): Promise<DuePosition[]>;
}

export interface TierCatalog {
  all(): Promise<Tier[]>;
  get(id: string): Promise<Tier | undefined>;
}

/** Where a subscription stands in the order period ends are closed in. */
export interface DuePosition {
  id: string;
  periodEnd: Date;
}
