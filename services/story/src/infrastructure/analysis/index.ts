import type { StoryAnalyser } from '../../application/ports/story-analyser.js';
import { analyserSettingsFrom, type AnalyserEnvironment, type StoryAnalyserSettings } from './config.js';
import { LocalStoryAnalyser, type LocalStoryAnalyserOptions } from './local-story-analyser.js';
import { OpenAiCompatibleAnalyser, type AnalyserLogger } from './openai-compatible-analyser.js';

export {
  ANALYSER_KINDS,
  DEFAULT_LLM_MAX_RETRIES,
  DEFAULT_LLM_TIMEOUT_MS,
  analyserConfigSchema,
  analyserSettingsFrom,
  type AnalyserConfig,
  type AnalyserEnvironment,
  type AnalyserKind,
  type LlmAnalyserSettings,
  type StoryAnalyserSettings,
} from './config.js';
export { LocalStoryAnalyser, type LocalStoryAnalyserOptions } from './local-story-analyser.js';
export {
  DEFAULT_CHUNK_CHARS,
  DEFAULT_MAX_CHUNKS,
  OpenAiCompatibleAnalyser,
  type AnalyserLogger,
  type OpenAiCompatibleAnalyserOptions,
} from './openai-compatible-analyser.js';
export { MAX_SENTENCE_CHARS, splitSentences, type Sentence } from './segmentation.js';

export interface CreateStoryAnalyserDependencies {
  logger?: AnalyserLogger;
  /** For the LLM adapter (tests). */
  fetch?: typeof fetch;
  local?: LocalStoryAnalyserOptions;
}

/**
 * The analyser STORY_ANALYSER selects. Takes either settings (`{kind: 'local'}` /
 * `{kind: 'llm', llm: {baseUrl, apiKey, model, timeoutMs, maxRetries}}`) or the loaded service
 * configuration (anything with STORY_ANALYSER and the STORY_LLM_* variables). `llm` without a
 * base URL, key or model fails fast: a ConfigError from configuration, an Error from settings.
 */
export function createStoryAnalyser(config: StoryAnalyserSettings | AnalyserEnvironment, deps: CreateStoryAnalyserDependencies = {}): StoryAnalyser {
  const settings = 'kind' in config ? config : analyserSettingsFrom(config);
  if (settings.kind === 'local') return new LocalStoryAnalyser(deps.local);
  if (settings.kind !== 'llm') throw new Error(`unknown story analyser kind: ${String(settings.kind)}`);
  const llm = settings.llm;
  if (!llm?.baseUrl || !llm.apiKey || !llm.model) throw new Error('the llm story analyser needs llm.baseUrl, llm.apiKey and llm.model');
  return new OpenAiCompatibleAnalyser({
    baseUrl: llm.baseUrl,
    apiKey: llm.apiKey,
    model: llm.model,
    timeoutMs: llm.timeoutMs,
    maxRetries: llm.maxRetries,
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
    ...(deps.logger ? { logger: deps.logger } : {}),
  });
}
