import { ConfigError, callerConfigSchema, hostPort, int, loadConfig, serviceConfigSchema, str, type ConfigOf } from '@storytelling/platform';
import type { AnalysisSettings } from './application/index.js';
import { analyserConfigSchema, analyserSettingsFrom } from './infrastructure/analysis/index.js';

/**
 * story's environment: the platform's service variables (HOST, HTTP_PORT, GRPC_PORT,
 * DATABASE_URL, DATABASE_SCHEMA, KAFKA_BROKERS, KAFKA_TOPIC_PREFIX, LOG_LEVEL, NODE_ENV, ...)
 * plus the platform's caller variables (IDENTITY_GRPC_URL for the JWKS, JWT_ISSUER, JWT_AUDIENCE,
 * VERIFIED_TOKEN_CACHE_*: callerConfigSchema), where subscription is (storiesPerMonth), the
 * analyser adapter (STORY_ANALYSER, STORY_LLM_*: analyserConfigSchema, owned by
 * infrastructure/analysis) and the analysis worker.
 * Secrets may be given as `<NAME>_FILE`.
 */
export const storyConfigSchema = {
  ...serviceConfigSchema,
  ...callerConfigSchema,
  DATABASE_SCHEMA: str({ pattern: /^[a-z_][a-z0-9_]{0,62}$/ }).default('story'),
  SUBSCRIPTION_GRPC_URL: hostPort().default('127.0.0.1:7202').describe("subscription's gRPC server (CheckQuota before creating a story)"),
  ...analyserConfigSchema,
  STORY_ANALYSIS_WORKERS: int({ min: 0, max: 32 }).default(2).describe('concurrent analysis jobs per replica (0: this replica runs none)'),
  STORY_ANALYSIS_TIMEOUT_MS: int({ min: 100, max: 3_600_000 }).default(300_000).describe('time budget of one analyser call (an LLM adapter may retry and chunk inside it)'),
  STORY_ANALYSIS_LEASE_MS: int({ min: 1_000, max: 7_200_000 })
    .default(60_000)
    .describe('how long a claimed job is reserved without a renewal (the worker renews it every third of it while it works); a dead worker\'s job is taken over after it'),
  STORY_ANALYSIS_MAX_ATTEMPTS: int({ min: 1, max: 20 }).default(4).describe('analyser calls per job before the analysis fails'),
  STORY_ANALYSIS_RETRY_BASE_MS: int({ min: 10, max: 600_000 }).default(5_000).describe('first retry delay; doubles per attempt (jittered), at most 10 minutes'),
  STORY_ANALYSIS_POLL_MS: int({ min: 10, max: 60_000 }).default(1_000).describe('how often an idle worker looks for jobs'),
  STORY_ANALYSIS_JOB_RETENTION_MS: int({ min: 60_000 }).default(30 * 86_400_000).describe('how long a finished analysis job is kept (a story\'s newest failed job always stays)'),
};

export type StoryConfig = ConfigOf<typeof storyConfigSchema>;

/** loadConfig plus the rules that span variables; fails with every problem at once. */
export function loadStoryConfig(env: NodeJS.ProcessEnv = process.env): StoryConfig {
  const config = loadConfig(storyConfigSchema, { env, service: 'story' });
  const problems: { variable: string; problem: string }[] = [];
  try {
    analyserSettingsFrom(config);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    problems.push(...err.problems);
  }
  if (problems.length > 0) throw new ConfigError(problems, 'story');
  return config;
}

/** The analysis workers' settings; `analyserName` is recorded with stored analyses. */
export function analysisSettings(config: StoryConfig, analyserName: string): AnalysisSettings {
  return {
    workers: config.STORY_ANALYSIS_WORKERS,
    timeoutMs: config.STORY_ANALYSIS_TIMEOUT_MS,
    leaseMs: config.STORY_ANALYSIS_LEASE_MS,
    maxAttempts: config.STORY_ANALYSIS_MAX_ATTEMPTS,
    retryBaseMs: config.STORY_ANALYSIS_RETRY_BASE_MS,
    pollMs: config.STORY_ANALYSIS_POLL_MS,
    analyserName,
  };
}
