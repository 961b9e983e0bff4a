import { DomainError } from '@storytelling/kernel';
import { PROTO_SERVICES, type subscription } from '@storytelling/contracts';
import { createGrpcClient, getLogger, type GrpcClient, type ReadinessCheck } from '@storytelling/platform';
import type { StoryQuota, StoryQuotaAnswer } from '../../application/ports/index.js';

export interface GrpcStoryQuotaOptions {
  /** SUBSCRIPTION_GRPC_URL. */
  url: string;
  deadlineMs: number;
}

/**
 * StoryQuota over subscription's gRPC CheckQuota. The call carries the caller's bearer token
 * (platform clients read it from currentContext()), `user_id` empty: subscription answers for
 * the caller. Any failure — down, too slow, or an answer story cannot use — is
 * DEPENDENCY_UNAVAILABLE (503): story does not create stories it could not count.
 */
export class GrpcStoryQuota implements StoryQuota {
  private readonly client: GrpcClient<subscription.SubscriptionServiceClient>;
  private readonly log = getLogger('quota');

  constructor(options: GrpcStoryQuotaOptions) {
    this.client = createGrpcClient<subscription.SubscriptionServiceClient>(PROTO_SERVICES.subscription, { url: options.url, deadlineMs: options.deadlineMs });
  }

  async checkStories(): Promise<StoryQuotaAnswer> {
    let answer: subscription.CheckQuotaResponse;
    try {
      answer = await this.client.checkQuota({ userId: '', resource: 'stories', amount: 1 });
    } catch (err) {
      const e = err as { code?: unknown; details?: unknown };
      this.log.warn({ grpcCode: e.code, details: e.details }, 'CheckQuota failed; refusing to create unchecked');
      throw unavailable();
    }
    const periodStart = new Date(answer.periodStart);
    if (Number.isNaN(periodStart.getTime())) {
      this.log.warn({ periodStart: answer.periodStart }, 'CheckQuota answered without a usable period_start');
      throw unavailable();
    }
    const result: StoryQuotaAnswer = { allowed: answer.allowed, used: answer.used, reserved: answer.reserved, periodStart };
    if (answer.limit !== undefined && answer.limit !== null) result.limit = answer.limit;
    return result;
  }

  readinessCheck(): ReadinessCheck {
    return this.client.readinessCheck('subscription');
  }

  close(): void {
    this.client.close();
  }
}

function unavailable(): DomainError {
  return new DomainError('unavailable', 'DEPENDENCY_UNAVAILABLE', 'subscription could not check the story quota');
}
