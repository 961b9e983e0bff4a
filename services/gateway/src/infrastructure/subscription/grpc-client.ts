import type { GrpcClient } from '@storytelling/platform';
import { createGrpcClient } from '@storytelling/platform';
import { PROTO_SERVICES, type subscription } from '@storytelling/contracts';

export type SubscriptionGrpcClient = GrpcClient<subscription.SubscriptionServiceClient>;

/** The subscription service's gRPC client: one channel for the gateway's lifetime. */
export function createSubscriptionClient(url: string, deadlineMs: number): SubscriptionGrpcClient {
  return createGrpcClient<subscription.SubscriptionServiceClient>(PROTO_SERVICES.subscription, { url, deadlineMs });
}
