import { normaliseEmotion, normaliseIntensity, normaliseRole, parseJsonContent } from '../../../src/infrastructure/analysis/llm-response.js';
import { chunkSentences, parseRetryAfter } from '../../../src/infrastructure/analysis/openai-compatible-analyser.js';
import { splitSentences } from '../../../src/infrastructure/analysis/segmentation.js';

describe('LLM reply normalisation', () => {
  it('maps emotion names and synonyms onto the emotion set, and nothing else', () => {
    expect(normaliseEmotion('Fear')).toBe('fear');
    expect(normaliseEmotion(' happiness ')).toBe('joy');
    expect(normaliseEmotion('SCARED')).toBe('fear');
    expect(normaliseEmotion('tristeza')).toBe('sadness');
    expect(normaliseEmotion('calm')).toBe('neutral');
    expect(normaliseEmotion('bemused')).toBeUndefined();
    expect(normaliseEmotion(3)).toBeUndefined();
  });

  it('maps role synonyms and refuses unknown roles', () => {
    expect(normaliseRole('Main character')).toBe('protagonist');
    expect(normaliseRole('villain')).toBe('antagonist');
    expect(normaliseRole('minor_character')).toBe('supporting');
    expect(normaliseRole('narrator')).toBe('narrator');
    expect(normaliseRole('mentor')).toBeUndefined();
    expect(normaliseRole(undefined)).toBeUndefined();
  });

  it('accepts intensities 1..10 (rounded, numeric strings too) and nothing outside', () => {
    expect(normaliseIntensity(7)).toBe(7);
    expect(normaliseIntensity(6.5)).toBe(7);
    expect(normaliseIntensity('3')).toBe(3);
    for (const bad of [0, 0.8, 11, -2, Number.NaN, 'high', null, '']) expect(normaliseIntensity(bad)).toBeUndefined();
  });

  it('reads JSON with or without a code fence', () => {
    expect(parseJsonContent('{"a": 1}')).toEqual({ a: 1 });
    expect(parseJsonContent('```json\n{"a": 1}\n```')).toEqual({ a: 1 });
    expect(() => parseJsonContent('{"a": ')).toThrow(/not valid JSON/);
  });
});

describe('LLM request helpers', () => {
  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2026-11-20T12:00:00Z');
    expect(parseRetryAfter('2', now)).toBe(2000);
    expect(parseRetryAfter('0.5', now)).toBe(500);
    expect(parseRetryAfter('Fri, 20 Nov 2026 12:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Fri, 20 Nov 2026 11:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
  });

  it('chunks whole sentences, in order, within the size', () => {
    const sentences = splitSentences('One two three. Four five six. Seven eight nine. Ten eleven twelve.');
    const chunks = chunkSentences(sentences, 40);
    expect(chunks.flat().map((s) => s.index)).toEqual([0, 1, 2, 3]);
    expect(chunks.length).toBeGreaterThan(1);
    for (const c of chunks) expect(c.reduce((n, s) => n + s.text.length + 8, 0)).toBeLessThanOrEqual(40);
  });
});
