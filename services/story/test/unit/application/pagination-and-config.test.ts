import { DomainError } from '@storytelling/kernel';
import { ConfigError } from '@storytelling/platform';
import { decodeCursor, encodeCursor, pageSize, retryDelayMs, toPage } from '../../../src/application/index.js';
import { loadStoryConfig } from '../../../src/config.js';

const code = (fn: () => unknown): string => {
  try {
    fn();
    return 'ok';
  } catch (err) {
    return err instanceof DomainError ? err.code : 'other';
  }
};

describe('pagination', () => {
  it('limit 1..100, default 20', () => {
    expect(pageSize(undefined)).toBe(20);
    expect(pageSize(0)).toBe(20);
    expect(pageSize(1)).toBe(1);
    expect(pageSize(100)).toBe(100);
    expect(code(() => pageSize(101))).toBe('VALIDATION_FAILED');
    expect(code(() => pageSize(-1))).toBe('VALIDATION_FAILED');
  });

  it('cursor: opaque base64url of [time, id], round trip; anything else is INVALID_CURSOR', () => {
    const keyset = { at: new Date('2026-11-20T10:00:00.123Z'), id: '0190a0d0-0000-7000-8000-0000000000aa' };
    const cursor = encodeCursor(keyset);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(JSON.parse(Buffer.from(cursor, 'base64url').toString())).toEqual(['2026-11-20T10:00:00.123Z', keyset.id]);
    expect(decodeCursor(cursor)).toEqual(keyset);
    expect(decodeCursor('')).toBeUndefined();
    for (const bad of ['not base64!', Buffer.from('{}').toString('base64url'), Buffer.from('["yesterday","x"]').toString('base64url'), 'x'.repeat(300)]) {
      expect(code(() => decodeCursor(bad))).toBe('INVALID_CURSOR');
    }
  });

  it('a page of limit+1 rows has a next cursor at its last item; a short page has none', () => {
    const rows = [1, 2, 3].map((n) => ({ at: new Date(n * 1000), id: `0190a0d0-0000-7000-8000-00000000000${n}` }));
    const page = toPage(rows, 2, (r) => r, (r) => r.id);
    expect(page.items).toHaveLength(2);
    expect(decodeCursor(page.nextCursor)).toEqual(rows[1]);
    expect(toPage(rows, 3, (r) => r, (r) => r.id).nextCursor).toBeUndefined();
  });

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

  it('a lease not longer than the analyser timeout, and llm without URL and model, fail at start', () => {
    expect(() => loadStoryConfig({ ...base, STORY_ANALYSIS_TIMEOUT_MS: '5000', STORY_ANALYSIS_LEASE_MS: '5000' })).toThrow(ConfigError);
    expect(() => loadStoryConfig({ ...base, STORY_ANALYSER: 'llm' })).toThrow(/STORY_LLM_BASE_URL[\s\S]*STORY_LLM_API_KEY[\s\S]*STORY_LLM_MODEL/);
    expect(() => loadStoryConfig({ ...base, STORY_ANALYSER: 'llm', STORY_ANALYSIS_LEASE_MS: '1000', STORY_ANALYSIS_TIMEOUT_MS: '1000' })).toThrow(/4 problems/);
    const llm = { ...base, STORY_ANALYSER: 'llm', STORY_LLM_BASE_URL: 'https://llm.example/v1', STORY_LLM_MODEL: 'm', STORY_LLM_API_KEY: 'k' };
    expect(loadStoryConfig(llm).STORY_ANALYSER).toBe('llm');
  });
});
