import { ConfigError, loadConfig, redactConfig, serviceConfigSchema } from '@storytelling/platform/config/index.js';
import {
  LocalStoryAnalyser,
  OpenAiCompatibleAnalyser,
  analyserConfigSchema,
  analyserSettingsFrom,
  createStoryAnalyser,
} from '../../../src/infrastructure/analysis/index.js';

const load = (env: Record<string, string>) => loadConfig(analyserConfigSchema, { env, service: 'story' });

describe('analyserConfigSchema', () => {
  it('defaults to the local analyser with 30 s timeouts and 3 retries', () => {
    const config = load({});
    expect(config).toMatchObject({ STORY_ANALYSER: 'local', STORY_LLM_TIMEOUT_MS: 30_000, STORY_LLM_MAX_RETRIES: 3 });
    expect(analyserSettingsFrom(config)).toEqual({ kind: 'local' });
  });

  it('merges into a service schema', () => {
    const schema = { ...serviceConfigSchema, ...analyserConfigSchema };
    expect(Object.keys(schema)).toEqual(expect.arrayContaining(['DATABASE_URL', 'STORY_ANALYSER', 'STORY_LLM_API_KEY']));
  });

  it('reads the llm settings and keeps the key secret', () => {
    const config = load({
      STORY_ANALYSER: 'llm',
      STORY_LLM_BASE_URL: 'https://llm.example/v1',
      STORY_LLM_API_KEY: 'sk-secret-value',
      STORY_LLM_MODEL: 'gpt-4o-mini',
      STORY_LLM_TIMEOUT_MS: '5000',
      STORY_LLM_MAX_RETRIES: '1',
    });
    expect(analyserSettingsFrom(config)).toEqual({
      kind: 'llm',
      llm: { baseUrl: 'https://llm.example/v1', apiKey: 'sk-secret-value', model: 'gpt-4o-mini', timeoutMs: 5000, maxRetries: 1 },
    });
    expect(JSON.stringify(redactConfig(config))).not.toContain('sk-secret-value');
  });

  it('rejects bad values without echoing the key', () => {
    expect(() => load({ STORY_ANALYSER: 'gpt' })).toThrow(/STORY_ANALYSER: must be one of local, llm/);
    expect(() => load({ STORY_LLM_BASE_URL: 'ftp://x' })).toThrow(/STORY_LLM_BASE_URL/);
    expect(() => load({ STORY_LLM_TIMEOUT_MS: '10' })).toThrow(/STORY_LLM_TIMEOUT_MS/);
  });

  it('fails fast when llm lacks its base URL, key or model, naming each', () => {
    let error: unknown;
    try {
      analyserSettingsFrom(load({ STORY_ANALYSER: 'llm' }));
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.map((p) => p.variable)).toEqual(['STORY_LLM_BASE_URL', 'STORY_LLM_API_KEY', 'STORY_LLM_MODEL']);
    expect(() => createStoryAnalyser(load({ STORY_ANALYSER: 'llm', STORY_LLM_BASE_URL: 'http://127.0.0.1:1/v1', STORY_LLM_MODEL: 'm' }))).toThrow(
      /STORY_LLM_API_KEY: required with STORY_ANALYSER=llm/,
    );
  });
});

describe('createStoryAnalyser', () => {
  it('builds the local analyser by default', () => {
    expect(createStoryAnalyser({ kind: 'local' })).toBeInstanceOf(LocalStoryAnalyser);
    expect(createStoryAnalyser(load({}))).toBeInstanceOf(LocalStoryAnalyser);
  });

  it('builds the LLM adapter from settings or from configuration', () => {
    const llm = { baseUrl: 'http://127.0.0.1:1/v1', apiKey: 'k', model: 'm', timeoutMs: 1000, maxRetries: 0 };
    expect(createStoryAnalyser({ kind: 'llm', llm })).toBeInstanceOf(OpenAiCompatibleAnalyser);
    expect(
      createStoryAnalyser(load({ STORY_ANALYSER: 'llm', STORY_LLM_BASE_URL: llm.baseUrl, STORY_LLM_API_KEY: 'k', STORY_LLM_MODEL: 'm' })),
    ).toBeInstanceOf(OpenAiCompatibleAnalyser);
    expect(() => createStoryAnalyser({ kind: 'llm' })).toThrow(/needs llm.baseUrl, llm.apiKey and llm.model/);
  });

  it('passes the fetch it is given to the LLM adapter', async () => {
    const calls: string[] = [];
    const fakeFetch = (async (url: string | URL | Request) => {
      calls.push(String(url));
      return new Response(JSON.stringify({ choices: [{ finish_reason: 'stop', message: { content: '{"characters": [], "emotions": []}' } }] }), { status: 200 });
    }) as typeof fetch;
    const analyser = createStoryAnalyser({ kind: 'llm', llm: { baseUrl: 'http://llm.invalid/v1/', apiKey: 'k', model: 'm', timeoutMs: 1000, maxRetries: 0 } }, { fetch: fakeFetch });
    expect(await analyser.analyse({ title: 'T', content: 'Anna sang.', language: 'en' })).toEqual({ characters: [], emotions: [] });
    expect(calls).toEqual(['http://llm.invalid/v1/chat/completions']);
  });
});
