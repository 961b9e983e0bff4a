import { ConfigError, int, oneOf, str, url, type ConfigOf } from '@storytelling/platform/config/index.js';

export const ANALYSER_KINDS = ['local', 'llm'] as const;
export type AnalyserKind = (typeof ANALYSER_KINDS)[number];

export const DEFAULT_LLM_TIMEOUT_MS = 30_000;
export const DEFAULT_LLM_MAX_RETRIES = 3;

/**
 * The analyser's environment, for the story service to merge into its schema
 * (`{ ...serviceConfigSchema, ...analyserConfigSchema }`). `analyserSettingsFrom(config)` then
 * checks the rule that spans variables (llm needs a base URL, a key and a model) and builds what
 * `createStoryAnalyser` takes.
 */
export const analyserConfigSchema = {
  STORY_ANALYSER: oneOf(ANALYSER_KINDS).default('local').describe('story analyser adapter: local (heuristic, offline) or llm (OpenAI-compatible API)'),
  STORY_LLM_BASE_URL: url(['http:', 'https:']).optional().describe('base URL of the OpenAI-compatible API, e.g. https://api.openai.com/v1 (required with STORY_ANALYSER=llm)'),
  STORY_LLM_API_KEY: str({ minLength: 1 }).secret().optional().describe('bearer API key of the LLM provider, or STORY_LLM_API_KEY_FILE (required with STORY_ANALYSER=llm)'),
  STORY_LLM_MODEL: str({ minLength: 1 }).optional().describe('model name, e.g. gpt-4o-mini (required with STORY_ANALYSER=llm)'),
  STORY_LLM_TIMEOUT_MS: int({ min: 1000, max: 600_000 }).default(DEFAULT_LLM_TIMEOUT_MS).describe('timeout of one LLM request attempt (ms)'),
  STORY_LLM_MAX_RETRIES: int({ min: 0, max: 10 }).default(DEFAULT_LLM_MAX_RETRIES).describe('retries of one LLM request on 429, 5xx, network errors and timeouts'),
};

export type AnalyserConfig = ConfigOf<typeof analyserConfigSchema>;

export interface LlmAnalyserSettings {
  baseUrl: string;
  apiKey: string;
  model: string;
  timeoutMs: number;
  maxRetries: number;
}

export interface StoryAnalyserSettings {
  kind: AnalyserKind;
  llm?: LlmAnalyserSettings;
}

/**
 * The analyser variables as a config object holds them. Every field but STORY_ANALYSER may be
 * missing, so a service config that has only some of them (or older ones) still fits.
 */
export interface AnalyserEnvironment {
  readonly STORY_ANALYSER: AnalyserKind;
  readonly STORY_LLM_BASE_URL?: string | undefined;
  readonly STORY_LLM_API_KEY?: string | undefined;
  readonly STORY_LLM_MODEL?: string | undefined;
  readonly STORY_LLM_TIMEOUT_MS?: number | undefined;
  readonly STORY_LLM_MAX_RETRIES?: number | undefined;
}

/** Settings from loaded configuration; with `llm`, fails fast (ConfigError) without base URL, key or model. */
export function analyserSettingsFrom(config: AnalyserEnvironment): StoryAnalyserSettings {
  if (config.STORY_ANALYSER !== 'llm') return { kind: 'local' };
  const problems: { variable: string; problem: string }[] = [];
  for (const name of ['STORY_LLM_BASE_URL', 'STORY_LLM_API_KEY', 'STORY_LLM_MODEL'] as const) {
    if (config[name] === undefined || config[name] === '') problems.push({ variable: name, problem: 'required with STORY_ANALYSER=llm' });
  }
  if (problems.length > 0) throw new ConfigError(problems, 'story');
  return {
    kind: 'llm',
    llm: {
      baseUrl: config.STORY_LLM_BASE_URL!,
      apiKey: config.STORY_LLM_API_KEY!,
      model: config.STORY_LLM_MODEL!,
      timeoutMs: config.STORY_LLM_TIMEOUT_MS ?? DEFAULT_LLM_TIMEOUT_MS,
      maxRetries: config.STORY_LLM_MAX_RETRIES ?? DEFAULT_LLM_MAX_RETRIES,
    },
  };
}
