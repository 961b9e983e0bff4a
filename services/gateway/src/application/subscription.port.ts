/** A tier as GET /subscription/tiers shows it (API.md § Subscription and payments). `null` limits are unlimited. */
export interface TierView {
  id: string;
  name: string;
  /** Decimal strings, e.g. "9.99". */
  priceMonthly: string;
  priceYearly: string;
  currency: string;
  limits: {
    storiesPerMonth: number | null;
    narrationsPerMonth: number | null;
    videosPerMonth: number | null;
    videoMaxSeconds: number | null;
    collaboratorsPerStory: number | null;
  };
  features: { voiceCloning: boolean };
}

export type UsageResource = 'stories' | 'narrations' | 'videos';

export interface PendingChangeView {
  tier: string;
  billingCycle: 'monthly' | 'yearly';
  /** payment_pending (charging), scheduled (at period end), payment_failed. */
  status: 'payment_pending' | 'scheduled' | 'payment_failed';
  effectiveAt: string | null;
  failureReason: string | null;
}

/** The caller's subscription (GET /subscription): this period's usage per resource. */
export interface SubscriptionView {
  id: string;
  tier: string;
  status: string;
  billingCycle: 'monthly' | 'yearly';
  currentPeriodStart: string;
  currentPeriodEnd: string;
  cancelAtPeriodEnd: boolean;
  usage: Record<UsageResource, { used: number; limit: number | null }>;
  pendingChange: PendingChangeView | null;
  /** While a failed renewal is retried (status payment_failed): when the paid tier ends unless a charge succeeds. */
  graceEndsAt: string | null;
  version: number;
}

export interface ChangeSubscriptionInput {
  tierId: string;
  billingCycle: 'monthly' | 'yearly';
  paymentToken: string;
}

/**
 * What the gateway needs from the subscription service. Every method but listTiers acts for the
 * caller (the adapter forwards the verified bearer token; Idempotency-Key travels as metadata).
 */
export interface SubscriptionPort {
  listTiers(): Promise<TierView[]>;
  getSubscription(): Promise<SubscriptionView>;
  changeSubscription(input: ChangeSubscriptionInput): Promise<SubscriptionView>;
  cancelSubscription(): Promise<SubscriptionView>;
  checkHealth(): Promise<void>;
  close(): void;
}

export const SUBSCRIPTION_PORT = Symbol('SUBSCRIPTION_PORT');
