import type { subscription } from '@storytelling/contracts';
import type { GrpcClient, GrpcHealthProbe } from '@storytelling/platform';
import type { ChangeSubscriptionInput, PendingChangeView, SubscriptionPort, SubscriptionView, TierView, UsageResource } from '../../application/subscription.port.js';
import { ContractViolationError } from '../identity/grpc-identity.adapter.js';

/** The subscription service's gRPC client (promise-based, built from the peer table by connectPeer). */
export type SubscriptionGrpcClient = GrpcClient<subscription.SubscriptionServiceClient>;

const RESOURCES: readonly UsageResource[] = ['stories', 'narrations', 'videos'];
const CYCLES = new Set(['monthly', 'yearly']);
const PENDING = new Set(['payment_pending', 'scheduled', 'payment_failed']);
const orNull = (v: string | undefined | null): string | null => (v === undefined || v === null || v === '' ? null : v);
/** proto3 `optional int32`: absent (or null from the loader) is unlimited. */
const limit = (v: number | undefined | null): number | null => (v === undefined || v === null ? null : v);

export function toTierView(t: subscription.Tier): TierView {
  if (!t.id || !t.currency) throw new ContractViolationError('tier', 'subscription');
  const l = t.limits ?? {};
  return {
    id: t.id,
    name: t.name,
    priceMonthly: t.priceMonthly,
    priceYearly: t.priceYearly,
    currency: t.currency,
    limits: {
      storiesPerMonth: limit(l.storiesPerMonth),
      narrationsPerMonth: limit(l.narrationsPerMonth),
      videosPerMonth: limit(l.videosPerMonth),
      videoMaxSeconds: limit(l.videoMaxSeconds),
      collaboratorsPerStory: limit(l.collaboratorsPerStory),
    },
    features: { voiceCloning: Boolean(t.features?.voiceCloning) },
  };
}

function toPending(p: subscription.PendingChange | undefined | null): PendingChangeView | null {
  if (!p || !p.tier) return null;
  if (!CYCLES.has(p.billingCycle) || !PENDING.has(p.status)) throw new ContractViolationError('pending change', 'subscription');
  return {
    tier: p.tier,
    billingCycle: p.billingCycle as PendingChangeView['billingCycle'],
    status: p.status as PendingChangeView['status'],
    effectiveAt: orNull(p.effectiveAt),
    failureReason: orNull(p.failureReason),
  };
}

export function toSubscriptionView(s: subscription.Subscription | undefined): SubscriptionView {
  if (!s || !s.id || !s.tier || !CYCLES.has(s.billingCycle)) throw new ContractViolationError('subscription', 'subscription');
  const usage = Object.fromEntries(RESOURCES.map((r) => [r, { used: 0, limit: null as number | null }])) as SubscriptionView['usage'];
  for (const u of s.usage ?? []) {
    if ((RESOURCES as readonly string[]).includes(u.resource)) usage[u.resource as UsageResource] = { used: u.used, limit: limit(u.limit) };
  }
  return {
    id: s.id,
    tier: s.tier,
    status: s.status,
    billingCycle: s.billingCycle as SubscriptionView['billingCycle'],
    currentPeriodStart: s.currentPeriodStart,
    currentPeriodEnd: s.currentPeriodEnd,
    cancelAtPeriodEnd: s.cancelAtPeriodEnd,
    usage,
    pendingChange: toPending(s.pendingChange),
    graceEndsAt: s.graceEndsAt ? s.graceEndsAt : null,
    version: s.version,
  };
}

/** SubscriptionPort over the subscription service's gRPC API (caller's token as metadata). */
export class GrpcSubscriptionAdapter implements SubscriptionPort {
  constructor(
    private readonly client: SubscriptionGrpcClient,
    private readonly health: GrpcHealthProbe,
  ) {}

  async listTiers(): Promise<TierView[]> {
    return ((await this.client.listTiers({})).tiers ?? []).map(toTierView);
  }

  async getSubscription(): Promise<SubscriptionView> {
    return toSubscriptionView((await this.client.getSubscription({ userId: '' })).subscription);
  }

  async changeSubscription(input: ChangeSubscriptionInput): Promise<SubscriptionView> {
    const res = await this.client.changeSubscription({ tierId: input.tierId, billingCycle: input.billingCycle, paymentMethod: { token: input.paymentToken } });
    return toSubscriptionView(res.subscription);
  }

  async cancelSubscription(): Promise<SubscriptionView> {
    return toSubscriptionView((await this.client.cancelSubscription({})).subscription);
  }

  checkHealth(): Promise<void> {
    return this.health.check('');
  }

  close(): void {
    this.client.close();
    this.health.close();
  }
}
