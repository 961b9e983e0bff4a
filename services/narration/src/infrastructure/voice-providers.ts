import type { Provider } from '@nestjs/common';
import { createObjectStorage, locateMediaTools, type Closeable, type ServiceTokenSource } from '@storytelling/platform';
import { MEDIA_FILES, SPEECH_ENGINE, SUBSCRIPTION_PLANS, VOICE_CLONING, VOICE_TRAINING_SETTINGS, VOICE_TRAINING_WAKEUP, type VoiceTrainingSettings } from '../application/index.js';
import type { NarrationConfig } from '../config.js';
import { ElevenLabsClient } from './cloning/elevenlabs-client.js';
import { ElevenLabsVoiceCloning, LocalVoiceMatching } from './cloning/elevenlabs-voice-cloning.js';
import { StorageMediaFiles } from './media/storage-media-files.js';
import { createSpeechEngine } from './speech/index.js';
import { GrpcSubscriptionPlans } from './subscription/grpc-subscription-plans.js';
import { VoiceTrainingWorker } from './workers/voice-training.worker.js';

export interface VoiceAdapters {
  providers: Provider[];
  /** Channels to close on shutdown (ServiceModule `clients`). */
  clients: Closeable[];
}

/**
 * The adapters of the voice ports, built from the config: object storage with the audio tools
 * (MEDIA_FILES), the speech engine (Piper, espeak-ng fallback; ElevenLabs for cloned voices),
 * the cloning provider (local voice matching or ElevenLabs), subscription's gRPC client
 * (SUBSCRIPTION_PLANS, with narration's service token when there is no user) and the training
 * workers.
 */
export function voiceAdapters(config: NarrationConfig, serviceTokens: ServiceTokenSource | undefined): VoiceAdapters {
  const tools = locateMediaTools(config.MEDIA_TOOLS_DIR ? { toolsDir: config.MEDIA_TOOLS_DIR } : {});
  const elevenLabs =
    config.NARRATION_CLONING_PROVIDER === 'elevenlabs'
      ? new ElevenLabsClient({ apiKey: config.ELEVENLABS_API_KEY ?? '', baseUrl: config.ELEVENLABS_BASE_URL, modelId: config.ELEVENLABS_MODEL_ID, timeoutMs: config.ELEVENLABS_TIMEOUT_MS })
      : undefined;
  const plans = new GrpcSubscriptionPlans({ url: config.SUBSCRIPTION_GRPC_URL, deadlineMs: config.GRPC_DEADLINE_MS, ...(serviceTokens ? { serviceTokens } : {}) });
  const training: VoiceTrainingSettings = {
    workers: config.NARRATION_WORKERS,
    leaseMs: config.NARRATION_JOB_LEASE_MS,
    pollMs: config.NARRATION_TRAINING_POLL_MS,
    maxAttempts: config.NARRATION_TRAINING_ATTEMPTS,
    retryBaseMs: 5_000,
  };
  return {
    providers: [
      { provide: MEDIA_FILES, useValue: new StorageMediaFiles(createObjectStorage(config), { ffmpeg: tools.ffmpeg, ffprobe: tools.ffprobe }) },
      { provide: SPEECH_ENGINE, useFactory: () => createSpeechEngine({ engine: config.NARRATION_SPEECH_ENGINE, tools, elevenLabs }) },
      { provide: VOICE_CLONING, useValue: elevenLabs ? new ElevenLabsVoiceCloning(elevenLabs) : new LocalVoiceMatching() },
      { provide: SUBSCRIPTION_PLANS, useValue: plans },
      { provide: VOICE_TRAINING_SETTINGS, useValue: training },
      VoiceTrainingWorker,
      { provide: VOICE_TRAINING_WAKEUP, useExisting: VoiceTrainingWorker },
    ],
    clients: [plans],
  };
}
