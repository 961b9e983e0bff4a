import type { Provider } from '@nestjs/common';
import { createServiceTokenSource, getLogger, locateMediaTools, type Closeable, type IdentityServiceTokenSource, type ServiceTokenSource } from '@storytelling/platform';
import { AUDIO_JOINER, NARRATION_SETTINGS, NARRATION_WAKEUP, NarrationQuotaSagaBinding, STORY_SOURCE, type NarrationSettings } from '../application/index.js';
import type { NarrationConfig } from '../config.js';
import { FfmpegAudioJoiner } from './audio/ffmpeg-audio-joiner.js';
import { IdentityEventsTranslator } from './messaging/identity-events.translator.js';
import { NarrationCommandsTranslator } from './messaging/narration-commands.translator.js';
import { GrpcStorySource } from './story/grpc-story-source.js';
import { NarrationWorker } from './workers/narration.worker.js';

/** The inbound translators: identity's UserDeactivated (erasure), narration.commands from sagas. */
export const NARRATION_TRANSLATORS = [IdentityEventsTranslator, NarrationCommandsTranslator];

export interface NarrationAdapters {
  providers: Provider[];
  /** Channels to close on shutdown (ServiceModule `clients`). */
  clients: Closeable[];
}

export function narrationSettings(config: NarrationConfig): NarrationSettings {
  return {
    workers: config.NARRATION_WORKERS,
    leaseMs: config.NARRATION_JOB_LEASE_MS,
    pollMs: config.NARRATION_JOB_POLL_MS,
    segmentConcurrency: config.NARRATION_SEGMENT_CONCURRENCY,
    segmentAttempts: config.NARRATION_SEGMENT_ATTEMPTS,
    segmentRetryDelayMs: 500,
    maxJobAttempts: config.NARRATION_JOB_ATTEMPTS,
    jobRetryDelayMs: 5_000,
    pauseMs: config.NARRATION_SEGMENT_PAUSE_MS,
    reservationTtlSeconds: config.NARRATION_QUOTA_RESERVATION_TTL_SECONDS,
  };
}

/**
 * narration's service tokens (docs/adr/0016-service-tokens.md: identity's IssueServiceToken with
 * SERVICE_TOKEN_SECRET), one source for story and subscription; close it on shutdown. Without the
 * secret a call made with no user in it carries no token: story refuses it, so a narration a saga
 * asks for (GenerateNarration) fails STORY_UNAVAILABLE — said once at start.
 */
export function narrationServiceTokens(config: NarrationConfig): IdentityServiceTokenSource | undefined {
  if (!config.SERVICE_TOKEN_SECRET) {
    getLogger('narration').warn('SERVICE_TOKEN_SECRET is not set: narrations asked for by sagas (GenerateNarration) cannot read their story');
    return undefined;
  }
  return createServiceTokenSource({ identityUrl: config.IDENTITY_GRPC_URL, service: 'narration', secret: config.SERVICE_TOKEN_SECRET, deadlineMs: config.GRPC_DEADLINE_MS });
}

/**
 * The adapters of the narration ports, built from the config: story's gRPC behind the ACL
 * (STORY_SOURCE; the caller's token, or narration's service token for the worker), the ffmpeg
 * joiner of whole narrations, the settings, the workers and the quota saga's binding.
 */
export function narrationAdapters(config: NarrationConfig, serviceTokens: ServiceTokenSource | undefined): NarrationAdapters {
  const tools = locateMediaTools(config.MEDIA_TOOLS_DIR ? { toolsDir: config.MEDIA_TOOLS_DIR } : {});
  const stories = new GrpcStorySource({ url: config.STORY_GRPC_URL, deadlineMs: config.GRPC_DEADLINE_MS, ...(serviceTokens ? { serviceTokens } : {}) });
  return {
    providers: [
      { provide: STORY_SOURCE, useValue: stories },
      { provide: AUDIO_JOINER, useValue: new FfmpegAudioJoiner({ ffmpeg: tools.ffmpeg, ffprobe: tools.ffprobe }) },
      { provide: NARRATION_SETTINGS, useValue: narrationSettings(config) },
      NarrationWorker,
      { provide: NARRATION_WAKEUP, useExisting: NarrationWorker },
      NarrationQuotaSagaBinding,
    ],
    clients: [stories],
  };
}
