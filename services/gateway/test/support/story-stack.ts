import type { INestApplication } from '@nestjs/common';
import { PROTO_SERVICES, type story } from '@storytelling/contracts';
import { startInProcess, type InProcessService } from '@storytelling/testing';
import { startIdentity, type RunningIdentity } from '../../../identity/test/support/app-harness.js';
import { createStoryApp } from '../../../story/src/app.js';
import { startGateway } from './app.js';
import type { HttpServer } from './http.js';
import { startQuotaPeer, type QuotaPeer } from './quota-peer.js';

export interface StoryStack {
  identity: RunningIdentity;
  story: InProcessService<story.StoryServiceClient>;
  /** subscription's CheckQuota as story sees it. */
  quota: QuotaPeer;
  gateway: INestApplication;
  http: HttpServer;
  /** Stops everything in the reverse order of starting: the gateway first. */
  close(): Promise<void>;
}

/**
 * The gateway in process in front of the real identity and story (in process, this run's
 * schemas and topics), with subscription's CheckQuota as a gRPC test peer.
 */
export async function startStoryStack(options: { storyEnv?: Record<string, string>; gatewayEnv?: Record<string, string> } = {}): Promise<StoryStack> {
  const started: Array<() => Promise<void>> = [];
  const close = async () => {
    for (const stop of started.reverse()) await stop();
  };
  try {
    const identity = await startIdentity();
    started.push(() => identity.close());
    const quota = await startQuotaPeer();
    started.push(() => quota.stop());
    const storyApp = await startInProcess<story.StoryServiceClient>('story', PROTO_SERVICES.story, createStoryApp, {
      IDENTITY_GRPC_URL: identity.handle.grpcUrl!,
      SUBSCRIPTION_GRPC_URL: quota.url,
      ...options.storyEnv,
    });
    started.push(() => storyApp.close());
    const gateway = await startGateway({ IDENTITY_GRPC_URL: identity.handle.grpcUrl!, STORY_GRPC_URL: storyApp.handle.grpcUrl!, ...options.gatewayEnv });
    started.push(() => gateway.close());
    return { identity, story: storyApp, quota, gateway, http: gateway.getHttpServer(), close };
  } catch (err) {
    await close();
    throw err;
  }
}
