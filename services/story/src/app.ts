import { PROTO_SERVICES } from '@storytelling/contracts';
import { bootstrapService, getLogger, type ServiceHandle } from '@storytelling/platform';
import type { StoryAnalyser } from './application/index.js';
import { loadStoryConfig, type StoryConfig } from './config.js';
import { createStoryAnalyser } from './infrastructure/analysis/index.js';
import { GrpcStoryQuota } from './infrastructure/subscription/grpc-story-quota.js';
import { StoryModule, type StoryModuleOptions } from './story.module.js';

export interface CreateStoryAppOptions extends Omit<StoryModuleOptions, 'analyser' | 'analyserName' | 'quota'> {
  /** Replaces the adapter STORY_ANALYSER selects (tests). */
  analyser?: StoryAnalyser;
  /** Listen to SIGTERM/SIGINT (default true; in-process tests pass false). */
  shutdownHooks?: boolean;
}

/** What stored analyses record as their producer. */
export function analyserName(config: StoryConfig): string {
  return config.STORY_ANALYSER === 'llm' ? `llm:${config.STORY_LLM_MODEL ?? 'unknown'}` : 'local';
}

/**
 * Boots story from an environment: HTTP (/health, /ready, /metrics) and gRPC
 * (storytelling.story.v1.StoryService + grpc.health.v1), the identity.user.events consumer, the
 * outbox relay and the analysis workers. HTTP_PORT=0 and GRPC_PORT=0 pick free ports, so tests
 * run it in-process next to a running fleet.
 */
export async function createStoryApp(env: NodeJS.ProcessEnv = process.env, options: CreateStoryAppOptions = {}): Promise<ServiceHandle> {
  const config = loadStoryConfig(env);
  const { shutdownHooks, analyser, ...moduleOptions } = options;
  const quota = new GrpcStoryQuota({ url: config.SUBSCRIPTION_GRPC_URL, deadlineMs: config.GRPC_DEADLINE_MS });
  try {
    return await bootstrapService({
      name: 'story',
      module: StoryModule.forRoot(config, {
        ...moduleOptions,
        analyser: analyser ?? createStoryAnalyser(config, { logger: getLogger('analyser') }),
        analyserName: analyser ? 'test' : analyserName(config),
        quota,
      }),
      config,
      grpc: { packages: PROTO_SERVICES.story.package, protoFiles: [PROTO_SERVICES.story.file] },
      ...(shutdownHooks === undefined ? {} : { shutdownHooks }),
    });
  } catch (err) {
    quota.close();
    throw err;
  }
}
