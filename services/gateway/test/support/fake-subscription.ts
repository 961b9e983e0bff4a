import { uuidv7 } from '@storytelling/kernel';
import type { ChangeSubscriptionInput, SubscriptionPort, SubscriptionView, TierView } from '../../src/application/subscription.port.js';
import { FakePort } from './fake-port.js';
import { grpcError } from './grpc-error.js';

const limits = (stories: number | null, narrations: number | null, videos: number | null, seconds: number | null, collaborators: number | null) => ({
  storiesPerMonth: stories,
  narrationsPerMonth: narrations,
  videosPerMonth: videos,
  videoMaxSeconds: seconds,
  collaboratorsPerStory: collaborators,
});

export const FAKE_TIERS: TierView[] = [
  { id: 'free', name: 'Free', priceMonthly: '0.00', priceYearly: '0.00', currency: 'USD', limits: limits(3, 3, 0, 0, 2), features: { voiceCloning: false } },
  { id: 'silver', name: 'Silver', priceMonthly: '9.99', priceYearly: '99.90', currency: 'USD', limits: limits(10, 20, 0, 0, 5), features: { voiceCloning: true } },
  { id: 'gold', name: 'Gold', priceMonthly: '19.99', priceYearly: '199.90', currency: 'USD', limits: limits(30, 60, 10, 30, 10), features: { voiceCloning: true } },
  { id: 'platinum', name: 'Platinum', priceMonthly: '39.99', priceYearly: '399.90', currency: 'USD', limits: limits(null, null, 40, 60, null), features: { voiceCloning: true } },
];

/**
 * In-memory stand-in for the subscription service behind the SubscriptionPort, for tests of the
 * HTTP layer: records every call with its request context (bearer token, idempotency key); one
 * free subscription per caller; a change leaves a payment_pending change. The real rules (saga,
 * periods, quotas) run in the subscription service's tests and gateway-subscription.e2e.test.ts.
 */
export class FakeSubscription extends FakePort implements SubscriptionPort {
  readonly subscriptions = new Map<string, SubscriptionView>();

  constructor() {
    super('subscription');
  }

  private mine(): SubscriptionView {
    const sub = this.callerId();
    let s = this.subscriptions.get(sub);
    if (!s) {
      const start = new Date('2031-01-01T00:00:00.000Z');
      s = {
        id: uuidv7(),
        tier: 'free',
        status: 'active',
        billingCycle: 'monthly',
        currentPeriodStart: start.toISOString(),
        currentPeriodEnd: new Date('2031-02-01T00:00:00.000Z').toISOString(),
        cancelAtPeriodEnd: false,
        usage: { stories: { used: 1, limit: 3 }, narrations: { used: 0, limit: 3 }, videos: { used: 0, limit: 0 } },
        pendingChange: null,
        graceEndsAt: null,
        version: 1,
      };
      this.subscriptions.set(sub, s);
    }
    return s;
  }

  async listTiers(): Promise<TierView[]> {
    this.record('listTiers');
    return FAKE_TIERS;
  }

  async getSubscription(): Promise<SubscriptionView> {
    this.record('getSubscription');
    return this.mine();
  }

  async changeSubscription(input: ChangeSubscriptionInput): Promise<SubscriptionView> {
    this.record('changeSubscription', input);
    const s = this.mine();
    if (!FAKE_TIERS.some((t) => t.id === input.tierId)) throw grpcError(5, 'tier not found', 'TIER_NOT_FOUND');
    if (s.pendingChange?.status === 'payment_pending') throw grpcError(6, 'pending', 'SUBSCRIPTION_CHANGE_PENDING');
    s.pendingChange = { tier: input.tierId, billingCycle: input.billingCycle, status: 'payment_pending', effectiveAt: null, failureReason: null };
    s.version += 1;
    return s;
  }

  async cancelSubscription(): Promise<SubscriptionView> {
    this.record('cancelSubscription');
    const s = this.mine();
    if (s.tier === 'free') throw grpcError(9, 'free cannot be cancelled', 'SUBSCRIPTION_NOT_CANCELLABLE');
    s.cancelAtPeriodEnd = true;
    return s;
  }

}
