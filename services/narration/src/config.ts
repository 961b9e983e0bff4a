import {
  ConfigError,
  callerConfigSchema,
  hostPort,
  int,
  loadConfig,
  objectStorageConfigSchema,
  oneOf,
  serviceConfigSchema,
  serviceTokenConfigSchema,
  str,
  url,
  type ConfigOf,
} from '@storytelling/platform';

/**
 * narration's environment: the platform's service variables plus where identity is (JWKS, to
 * verify callers). Add the service's own variables here, and set each in docker-compose.yaml
 * and helm/storytelling/values.yaml (deploy:check compares them).
 */
export const narrationConfigSchema = {
  ...serviceConfigSchema,
  DATABASE_SCHEMA: str({ pattern: /^[a-z_][a-z0-9_]{0,62}$/ }).default('narration'),
  ...callerConfigSchema,
  ...objectStorageConfigSchema,
  ...serviceTokenConfigSchema,
  NARRATION_WORKERS: int({ min: 0, max: 16 }).default(1).describe('concurrent narration and voice training jobs per replica (0: this replica runs none)'),
  NARRATION_JOB_LEASE_MS: int({ min: 1_000, max: 7_200_000 })
    .default(60_000)
    .describe('how long a claimed job is reserved without a renewal (the worker renews it every third of it while it works); a dead worker\'s job is taken over after it'),
  NARRATION_JOB_RETENTION_MS: int({ min: 60_000 }).default(30 * 86_400_000).describe('how long a finished narration or voice training job is kept before the retention sweep deletes it'),
  // Narrations (docs/narration.md "Narrations", "Jobs", "Quota").
  STORY_GRPC_URL: hostPort().default('127.0.0.1:7204').describe("story's gRPC server (GetStory, GetAnalysis: the text and emotions narrated)"),
  NARRATION_JOB_POLL_MS: int({ min: 10, max: 60_000 }).default(1_000).describe('how often an idle narration worker looks for jobs'),
  NARRATION_JOB_ATTEMPTS: int({ min: 1, max: 10 }).default(3).describe('claims of one narration job (a worker died holding it, story unavailable) before its narration fails'),
  NARRATION_SEGMENT_CONCURRENCY: int({ min: 1, max: 8 }).default(2).describe('segments of one narration job synthesised at the same time (one encodes and stores while the next is spoken)'),
  NARRATION_SEGMENT_ATTEMPTS: int({ min: 1, max: 10 }).default(3).describe('syntheses of one segment before its narration fails (SEGMENT_FAILED)'),
  NARRATION_SEGMENT_PAUSE_MS: int({ min: 0, max: 5_000 }).default(400).describe('silence between segments in the whole narration'),
  NARRATION_QUOTA_RESERVATION_TTL_SECONDS: int({ min: 60, max: 7 * 86_400 }).default(3_600).describe("how long subscription holds a narration's reserved quota without a commit"),
  // Voices (docs/narration.md "Voices").
  SUBSCRIPTION_GRPC_URL: hostPort().default('127.0.0.1:7202').describe("subscription's gRPC server (voiceCloning of the tier, CheckQuota)"),
  MEDIA_TOOLS_DIR: str({ minLength: 1 }).optional().describe("the repository's .tools (Piper's venv manifest); unset: PIPER_PATH/PIPER_MODEL, else espeak-ng"),
  NARRATION_SPEECH_ENGINE: oneOf(['piper', 'espeak'] as const).default('piper').describe('local speech: piper (neural; espeak-ng when Piper is not installed) or espeak'),
  NARRATION_CLONING_PROVIDER: oneOf(['local', 'elevenlabs'] as const).default('local').describe('where training clones a voice: local (voice matching only) or elevenlabs'),
  ELEVENLABS_API_KEY: str({ minLength: 1 }).optional().secret().describe('ElevenLabs xi-api-key (NARRATION_CLONING_PROVIDER=elevenlabs)'),
  ELEVENLABS_BASE_URL: url(['http:', 'https:']).default('https://api.elevenlabs.io').describe('ElevenLabs API base URL'),
  ELEVENLABS_MODEL_ID: str({ minLength: 1 }).default('eleven_multilingual_v2').describe('ElevenLabs text-to-speech model'),
  ELEVENLABS_TIMEOUT_MS: int({ min: 1_000, max: 600_000 }).default(60_000).describe('time budget of one ElevenLabs request'),
  NARRATION_TRAINING_ATTEMPTS: int({ min: 1, max: 10 }).default(3).describe('voice training attempts before the voice fails'),
  NARRATION_TRAINING_POLL_MS: int({ min: 10, max: 60_000 }).default(1_000).describe('how often an idle training worker looks for jobs'),
};

export type NarrationConfig = ConfigOf<typeof narrationConfigSchema>;

export function loadNarrationConfig(env: NodeJS.ProcessEnv = process.env): NarrationConfig {
  const config = loadConfig(narrationConfigSchema, { env, service: 'narration' });
  if (config.NARRATION_CLONING_PROVIDER === 'elevenlabs' && !config.ELEVENLABS_API_KEY) {
    throw new ConfigError([{ variable: 'ELEVENLABS_API_KEY', problem: 'is required when NARRATION_CLONING_PROVIDER=elevenlabs' }], 'narration');
  }
  return config;
}
