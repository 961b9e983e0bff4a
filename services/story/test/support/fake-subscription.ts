import { PROTO_SERVICES, type subscription } from '@storytelling/contracts';
import { GrpcStatus, type GrpcMetadata } from '@storytelling/platform';
import { startGrpcTestServer, type GrpcTestServer } from '@storytelling/testing';
import type { StoryQuota } from '../../src/application/index.js';

/** For handler-level tests that do not exercise quotas: always allowed, no limit. */
export const UNLIMITED_QUOTA: StoryQuota = {
  checkStories: async () => ({ allowed: true, used: 0, reserved: 0, periodStart: new Date(0) }),
};

export interface QuotaCall {
  request: subscription.CheckQuotaRequest;
  authorization: string | undefined;
}

/**
 * subscription's gRPC server as far as story uses it (CheckQuota), on a real grpc-js server.
 * Default: unlimited. A test sets `limit`, plays subscription's (lagging) count with `used` /
 * `reserved`, or sets `unavailable` to make every call UNAVAILABLE.
 */
export class FakeSubscriptionServer {
  readonly calls: QuotaCall[] = [];
  limit: number | undefined = undefined;
  used = 0;
  reserved = 0;
  periodStart = new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), 1));
  unavailable = false;
  private server: GrpcTestServer | undefined;

  get url(): string {
    if (!this.server) throw new Error('FakeSubscriptionServer not started');
    return this.server.url;
  }

  async start(): Promise<this> {
    this.server = await startGrpcTestServer(PROTO_SERVICES.subscription, {
      CheckQuota: (raw: unknown, metadata: GrpcMetadata) => {
        const request = raw as subscription.CheckQuotaRequest;
        const auth = metadata.get('authorization')[0];
        this.calls.push({ request, authorization: typeof auth === 'string' ? auth : undefined });
        if (this.unavailable) throw { code: GrpcStatus.UNAVAILABLE, details: 'subscription is down (fake)' };
        const answer: Record<string, unknown> = {
          allowed: this.limit === undefined || this.used + this.reserved + (request.amount || 1) <= this.limit,
          used: this.used,
          reserved: this.reserved,
          tier: this.limit === undefined ? 'platinum' : 'free',
          periodStart: this.periodStart.toISOString(),
          periodEnd: new Date(this.periodStart.getTime() + 31 * 86_400_000).toISOString(),
        };
        if (this.limit !== undefined) answer.limit = this.limit;
        return answer;
      },
    });
    return this;
  }

  reset(): void {
    this.calls.length = 0;
    this.limit = undefined;
    this.used = 0;
    this.reserved = 0;
    this.unavailable = false;
  }

  async stop(): Promise<void> {
    await this.server?.stop();
  }
}
