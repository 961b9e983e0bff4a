import { Controller, Inject } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { CallerResolver, type MetadataLike } from '@storytelling/platform';
import { subscription } from '@storytelling/contracts';
import { decimalPrice, type Tier } from '../domain/index.js';
import {
  CancelSubscriptionCommand,
  ChangeSubscriptionCommand,
  CheckQuotaQuery,
  GetSubscriptionQuery,
  GetUsageQuery,
  ListTiersQuery,
  type ResourceUsageView,
  type SubscriptionView,
} from '../application/index.js';

/**
 * subscription's gRPC surface (proto/storytelling/subscription/v1/subscription_service.proto).
 * Every method but ListTiers resolves the caller from the bearer token first, then runs a command
 * or query; errors are kernel DomainErrors that the platform's gRPC filter maps to status codes.
 */
@Controller()
@subscription.SubscriptionServiceControllerMethods()
export class SubscriptionGrpcController implements subscription.SubscriptionServiceController {
  constructor(
    @Inject(CommandBus) private readonly commands: CommandBus,
    @Inject(QueryBus) private readonly queries: QueryBus,
    @Inject(CallerResolver) private readonly callers: CallerResolver,
  ) {}

  async listTiers(): Promise<subscription.ListTiersResponse> {
    return { tiers: (await this.queries.execute(new ListTiersQuery())).map(toProtoTier) };
  }

  async getSubscription(request: subscription.GetSubscriptionRequest, metadata?: MetadataLike): Promise<subscription.GetSubscriptionResponse> {
    const caller = await this.callers.requireUserOrService(metadata);
    return { subscription: toProtoSubscription(await this.queries.execute(new GetSubscriptionQuery(caller, request.userId))) };
  }

  async getUsage(request: subscription.GetUsageRequest, metadata?: MetadataLike): Promise<subscription.GetUsageResponse> {
    const caller = await this.callers.requireUserOrService(metadata);
    const u = await this.queries.execute(new GetUsageQuery(caller, request.userId));
    return { subscriptionId: u.subscriptionId, tier: u.tier, periodStart: u.window.start.toISOString(), periodEnd: u.window.end.toISOString(), usage: u.usage.map(toProtoUsage) };
  }

  async checkQuota(request: subscription.CheckQuotaRequest, metadata?: MetadataLike): Promise<subscription.CheckQuotaResponse> {
    const caller = await this.callers.requireUserOrService(metadata);
    const q = await this.queries.execute(new CheckQuotaQuery(caller, { userId: request.userId, resource: request.resource, amount: request.amount }));
    return {
      allowed: q.allowed,
      used: q.used,
      reserved: q.reserved,
      ...(q.limit === null ? {} : { limit: q.limit }),
      tier: q.tier,
      periodStart: q.window.start.toISOString(),
      periodEnd: q.window.end.toISOString(),
    };
  }

  async changeSubscription(request: subscription.ChangeSubscriptionRequest, metadata?: MetadataLike): Promise<subscription.ChangeSubscriptionResponse> {
    const caller = await this.callers.require(metadata);
    const view = await this.commands.execute(new ChangeSubscriptionCommand(caller, { tierId: request.tierId, billingCycle: request.billingCycle, paymentToken: request.paymentMethod?.token }));
    return { subscription: toProtoSubscription(view) };
  }

  async cancelSubscription(_request: subscription.CancelSubscriptionRequest, metadata?: MetadataLike): Promise<subscription.CancelSubscriptionResponse> {
    const caller = await this.callers.require(metadata);
    return { subscription: toProtoSubscription(await this.commands.execute(new CancelSubscriptionCommand(caller))) };
  }
}

export function toProtoTier(t: Tier): subscription.Tier {
  const limits: subscription.TierLimits = {};
  if (t.limits.storiesPerMonth !== null) limits.storiesPerMonth = t.limits.storiesPerMonth;
  if (t.limits.narrationsPerMonth !== null) limits.narrationsPerMonth = t.limits.narrationsPerMonth;
  if (t.limits.videosPerMonth !== null) limits.videosPerMonth = t.limits.videosPerMonth;
  if (t.limits.videoMaxSeconds !== null) limits.videoMaxSeconds = t.limits.videoMaxSeconds;
  if (t.limits.collaboratorsPerStory !== null) limits.collaboratorsPerStory = t.limits.collaboratorsPerStory;
  return {
    id: t.id,
    name: t.name,
    priceMonthly: decimalPrice(t.priceMonthlyMinor),
    priceYearly: decimalPrice(t.priceYearlyMinor),
    currency: t.currency,
    priceMonthlyMinor: String(t.priceMonthlyMinor),
    priceYearlyMinor: String(t.priceYearlyMinor),
    limits,
    features: { voiceCloning: t.voiceCloning },
    rank: t.rank,
  };
}

function toProtoUsage(u: ResourceUsageView): subscription.ResourceUsage {
  return { resource: u.resource, used: u.used, reserved: u.reserved, ...(u.limit === null ? {} : { limit: u.limit }) };
}

export function toProtoSubscription(s: SubscriptionView): subscription.Subscription {
  const p = s.pendingChange;
  return {
    id: s.id,
    userId: s.userId,
    tier: s.tier,
    status: s.status,
    billingCycle: s.billingCycle,
    currentPeriodStart: s.currentPeriodStart.toISOString(),
    currentPeriodEnd: s.currentPeriodEnd.toISOString(),
    cancelAtPeriodEnd: s.cancelAtPeriodEnd,
    usage: s.usage.map(toProtoUsage),
    pendingChange: p
      ? { tier: p.tier, billingCycle: p.billingCycle, status: p.status, effectiveAt: p.effectiveAt ? p.effectiveAt.toISOString() : '', failureReason: p.failureReason ?? '' }
      : undefined,
    version: s.version,
    graceEndsAt: s.graceEndsAt ? s.graceEndsAt.toISOString() : '',
  };
}
