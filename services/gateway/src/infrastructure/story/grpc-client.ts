import type { GrpcClient } from '@storytelling/platform';
import { createGrpcClient } from '@storytelling/platform';
import { PROTO_SERVICES, type story } from '@storytelling/contracts';

export type StoryGrpcClient = GrpcClient<story.StoryServiceClient>;

/**
 * The story service's gRPC client: one channel for the gateway's lifetime (HTTP/2, multiplexed),
 * deadlines and context metadata (bearer token, correlation id, traceparent) from the platform.
 */
export function createStoryClient(url: string, deadlineMs: number): StoryGrpcClient {
  return createGrpcClient<story.StoryServiceClient>(PROTO_SERVICES.story, { url, deadlineMs });
}
