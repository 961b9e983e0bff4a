import { DomainError } from '@storytelling/kernel';
import { PROTO_SERVICES, type subscription } from '@storytelling/contracts';
import {
  createGrpcClient,
  currentContext,
  getLogger,
  GrpcStatus,
  noServiceToken,
  withServiceToken,
  type GrpcClient,
  type ReadinessCheck,
  type ServiceTokenSource,
} from '@storytelling/platform';
import type { SubscriptionPlans } from '../../application/ports/index.js';

export interface GrpcSubscriptionPlansOptions {
  /** SUBSCRIPTION_GRPC_URL. */
  url: string;
  deadlineMs: number;
  /** For calls made with no user in the call context (workers, saga commands). */
  serviceTokens?: ServiceTokenSource;
  /** How long the tier list is reused (tiers change with a deployment, not per request). */
  tiersTtlMs?: number;
}

/**
 * SubscriptionPlans over subscription's gRPC: GetSubscription (the user's tier in force) with
 * ListTiers (the tier's voiceCloning feature), and CheckQuota(narrations, 1). A call made for a
 * user (the gRPC controller's context) carries that user's bearer token; without one it carries
 * narration's service token (subscription lets services name any user). Any failure — down, too
 * slow, refused — is DEPENDENCY_UNAVAILABLE (503): narration neither trains nor narrates unchecked.
 * A user subscription does not know (yet) has no paid feature: NOT_FOUND answers false.
 */
export class GrpcSubscriptionPlans implements SubscriptionPlans {
  private readonly client: GrpcClient<subscription.SubscriptionServiceClient>;
  private readonly log = getLogger('subscription-plans');
  private tiers: { at: number; voiceCloning: Map<string, boolean> } | undefined;

  constructor(private readonly options: GrpcSubscriptionPlansOptions) {
    this.client = createGrpcClient<subscription.SubscriptionServiceClient>(PROTO_SERVICES.subscription, { url: options.url, deadlineMs: options.deadlineMs });
  }

  async voiceCloningAllowed(userId: string): Promise<boolean> {
    const answer = await this.ask('GetSubscription', () => this.client.getSubscription({ userId }));
    const tier = answer?.subscription?.tier;
    if (!tier) return false;
    return (await this.voiceCloningByTier()).get(tier) === true;
  }

  async narrationQuotaAllowed(userId: string): Promise<boolean> {
    const answer = await this.ask('CheckQuota', () => this.client.checkQuota({ userId, resource: 'narrations', amount: 1 }));
    return answer?.allowed === true;
  }

  readinessCheck(): ReadinessCheck {
    return this.client.readinessCheck('subscription');
  }

  close(): void {
    this.client.close();
  }

  private async voiceCloningByTier(): Promise<Map<string, boolean>> {
    const ttl = this.options.tiersTtlMs ?? 300_000;
    if (this.tiers && Date.now() - this.tiers.at < ttl) return this.tiers.voiceCloning;
    const answer = await this.ask('ListTiers', () => this.client.listTiers({}));
    const voiceCloning = new Map((answer?.tiers ?? []).map((t) => [t.id, t.features?.voiceCloning === true]));
    this.tiers = { at: Date.now(), voiceCloning };
    return voiceCloning;
  }

  /** The answer, undefined for NOT_FOUND; anything else that fails is DEPENDENCY_UNAVAILABLE. */
  private async ask<T>(method: string, call: () => Promise<T>): Promise<T | undefined> {
    const asCaller = currentContext()?.bearerToken !== undefined;
    try {
      return await (asCaller ? call() : withServiceToken(this.options.serviceTokens ?? noServiceToken, 'subscription', call));
    } catch (err) {
      const e = err as { code?: unknown; details?: unknown };
      if (e.code === GrpcStatus.NOT_FOUND) return undefined;
      this.log.warn({ method, grpcCode: e.code, details: e.details }, 'subscription did not answer; refusing unchecked');
      throw new DomainError('unavailable', 'DEPENDENCY_UNAVAILABLE', 'subscription could not be asked about the plan');
    }
  }
}
