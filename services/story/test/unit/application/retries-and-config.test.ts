import { ConfigError } from '@storytelling/platform';
import { retryDelayMs } from '../../../src/application/index.js';
import { loadStoryConfig } from '../../../src/config.js';

describe('analysis retries', () => {
  it('retry delays double per attempt with ±20 % jitter, capped at 10 minutes', () => {
    expect(retryDelayMs(1000, 1, () => 0.5)).toBe(1000);
    expect(retryDelayMs(1000, 3, () => 0.5)).toBe(4000);
    expect(retryDelayMs(1000, 3, () => 0)).toBe(3200);
    expect(retryDelayMs(1000, 30, () => 1)).toBe(600_000);
  });
});

describe('story config', () => {
  const base = { HTTP_PORT: '7104', GRPC_PORT: '7204', DATABASE_URL: 'postgres://story:x@localhost:5432/storytelling', KAFKA_BROKERS: 'localhost:9092' };

  it('defaults: schema story, local analyser, two workers', () => {
    const c = loadStoryConfig(base);
    expect(c.DATABASE_SCHEMA).toBe('story');
    expect(c.STORY_ANALYSER).toBe('local');
    expect(c.STORY_ANALYSIS_WORKERS).toBe(2);
    expect(c.IDENTITY_GRPC_URL).toBe('127.0.0.1:7201');
  });

  it('the job lease: 60 s by default, renewed while the analysis runs, so it may be shorter than the analyser timeout; under 1 s is refused', () => {
    expect(loadStoryConfig(base).STORY_ANALYSIS_LEASE_MS).toBe(60_000);
    expect(loadStoryConfig({ ...base, STORY_ANALYSIS_TIMEOUT_MS: '300000', STORY_ANALYSIS_LEASE_MS: '5000' }).STORY_ANALYSIS_LEASE_MS).toBe(5000);
    expect(() => loadStoryConfig({ ...base, STORY_ANALYSIS_LEASE_MS: '999' })).toThrow(ConfigError);
  });

  it('llm without URL, key and model fails at start, every problem at once', () => {
    expect(() => loadStoryConfig({ ...base, STORY_ANALYSER: 'llm' })).toThrow(/STORY_LLM_BASE_URL[\s\S]*STORY_LLM_API_KEY[\s\S]*STORY_LLM_MODEL/);
    expect(() => loadStoryConfig({ ...base, STORY_ANALYSER: 'llm' })).toThrow(/3 problems/);
    const llm = { ...base, STORY_ANALYSER: 'llm', STORY_LLM_BASE_URL: 'https://llm.example/v1', STORY_LLM_MODEL: 'm', STORY_LLM_API_KEY: 'k' };
    expect(loadStoryConfig(llm).STORY_ANALYSER).toBe('llm');
  });
});
