import {
  AnalyserError,
  type AnalysedCharacter,
  type AnalysedEmotion,
  type AnalysisResult,
  type StoryAnalyser,
  type StoryAnalysisInput,
} from '../../application/ports/story-analyser.js';
import { CHARACTER_ROLES } from '../../domain/character-role.js';
import { EMOTIONS } from '../../domain/emotion.js';
import { DEFAULT_LLM_MAX_RETRIES, DEFAULT_LLM_TIMEOUT_MS } from './config.js';
import { MalformedAnalysis, parseJsonContent, readAnalysis, type ChunkContext } from './llm-response.js';
import { splitSentences, type Sentence } from './segmentation.js';
import { abortReason, fold } from './text.js';

/** What the adapter logs through (pino's Logger fits). Never given the API key. */
export interface AnalyserLogger {
  warn(obj: object, msg?: string): void;
  debug?(obj: object, msg?: string): void;
}

export interface OpenAiCompatibleAnalyserOptions {
  /** e.g. https://api.openai.com/v1 — requests go to `${baseUrl}/chat/completions`. */
  baseUrl: string;
  apiKey: string;
  model: string;
  /** Per attempt (default 30,000 ms). */
  timeoutMs?: number;
  /** Retries per request on 429, 5xx, network errors and timeouts (default 3). */
  maxRetries?: number;
  /** First backoff (default 500 ms); doubles per retry, full jitter, at most maxBackoffMs. */
  retryBaseMs?: number;
  maxBackoffMs?: number;
  /** A Retry-After longer than this is not waited for: the call fails retryable at once (default 60 s). */
  maxRetryAfterMs?: number;
  /** Characters of story text per request (default 30,000; see the class comment). */
  chunkChars?: number;
  /** Requests per analysis (default 8): at most chunkChars × maxChunks characters are analysed. */
  maxChunks?: number;
  /** Requests in flight at once for one analysis (default 2). */
  concurrency?: number;
  fetch?: typeof fetch;
  logger?: AnalyserLogger;
  /** For tests: the jitter source (0..1). */
  random?: () => number;
}

export const DEFAULT_CHUNK_CHARS = 30_000;
export const DEFAULT_MAX_CHUNKS = 8;
/** Emotional moments asked for per request (the strongest ones). */
export const MAX_EMOTIONS_PER_CHUNK = 80;

/**
 * The LLM adapter: an OpenAI-compatible Chat Completions API (OpenAI, Azure OpenAI's v1 API,
 * vLLM, Ollama, LM Studio, ...), called with Node's fetch and `response_format: json_object`.
 *
 * - The story is split into the same sentences as everywhere (`splitSentences`) and sent as
 *   numbered lines (`[12] The wolf ...`), so the model's `segmentIndex` is a sentence index.
 * - Long stories are sent in chunks of whole sentences of at most `chunkChars` (30,000)
 *   characters, at most `maxChunks` (8) of them — 240,000 characters, more than the 200,000 a
 *   story may have; anything beyond is not analysed (logged). Chunks are analysed 2 at a time;
 *   characters are merged by name (first description/personality, strongest role, traits
 *   united), emotions concatenated (one per sentence, the most intense).
 * - Each request: a timeout per attempt (`timeoutMs`) combined with the caller's signal; retries
 *   on 429, 5xx, network errors and timeouts with exponential backoff and full jitter, honouring
 *   Retry-After (seconds or HTTP date), at most `maxRetries` times → AnalyserError retryable
 *   ANALYSER_UNAVAILABLE. Other 4xx → non-retryable ANALYSER_REJECTED. A reply that is not an
 *   analysis (no JSON, no choices, truncated, neither array) → non-retryable
 *   ANALYSER_BAD_RESPONSE. Bad items inside a good reply are normalised or dropped
 *   (llm-response.ts).
 * - The caller's abort rejects at once with the signal's reason (no retry).
 * - The API key only ever goes into the Authorization header; error messages and logs never
 *   contain it (provider error bodies are scrubbed of it too).
 */
export class OpenAiCompatibleAnalyser implements StoryAnalyser {
  private readonly endpoint: string;
  private readonly timeoutMs: number;
  private readonly maxRetries: number;
  private readonly retryBaseMs: number;
  private readonly maxBackoffMs: number;
  private readonly maxRetryAfterMs: number;
  private readonly chunkChars: number;
  private readonly maxChunks: number;
  private readonly concurrency: number;
  private readonly fetchImpl: typeof fetch;
  private readonly random: () => number;

  constructor(private readonly options: OpenAiCompatibleAnalyserOptions) {
    if (!options.baseUrl) throw new Error('OpenAiCompatibleAnalyser needs a base URL');
    if (!options.apiKey) throw new Error('OpenAiCompatibleAnalyser needs an API key');
    if (!options.model) throw new Error('OpenAiCompatibleAnalyser needs a model');
    this.endpoint = `${options.baseUrl.replace(/\/+$/, '')}/chat/completions`;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_LLM_TIMEOUT_MS;
    this.maxRetries = options.maxRetries ?? DEFAULT_LLM_MAX_RETRIES;
    this.retryBaseMs = options.retryBaseMs ?? 500;
    this.maxBackoffMs = options.maxBackoffMs ?? 8_000;
    this.maxRetryAfterMs = options.maxRetryAfterMs ?? 60_000;
    this.chunkChars = options.chunkChars ?? DEFAULT_CHUNK_CHARS;
    this.maxChunks = options.maxChunks ?? DEFAULT_MAX_CHUNKS;
    this.concurrency = Math.max(1, options.concurrency ?? 2);
    this.fetchImpl = options.fetch ?? fetch;
    this.random = options.random ?? Math.random;
  }

  /** For logs: where and which model, never the key. */
  toJSON(): object {
    return { endpoint: this.endpoint, model: this.options.model };
  }

  async analyse(input: StoryAnalysisInput, signal?: AbortSignal): Promise<AnalysisResult> {
    if (signal?.aborted) throw abortReason(signal);
    const content = input.content ?? '';
    const sentences = splitSentences(content);
    if (sentences.length === 0) return { characters: [], emotions: [] };
    const chunks = chunkSentences(sentences, this.chunkChars);
    if (chunks.length > this.maxChunks) {
      const skipped = chunks.slice(this.maxChunks).reduce((n, c) => n + c.length, 0);
      this.options.logger?.warn({ sentences: sentences.length, skippedSentences: skipped, maxChunks: this.maxChunks }, 'story longer than the LLM analyser sends; the end is not analysed');
      chunks.length = this.maxChunks;
    }
    // The first failing chunk stops the others.
    const stop = new AbortController();
    const linked = signal ? AbortSignal.any([signal, stop.signal]) : stop.signal;
    try {
      const results = await mapLimit(chunks, this.concurrency, (chunk, i) => this.analyseChunk(input, content, chunk, i, chunks.length, linked));
      return mergeResults(results);
    } catch (err) {
      stop.abort();
      if (signal?.aborted) throw abortReason(signal);
      throw err;
    }
  }

  private async analyseChunk(input: StoryAnalysisInput, content: string, chunk: Sentence[], index: number, total: number, signal?: AbortSignal): Promise<AnalysisResult> {
    const first = chunk[0]!;
    const last = chunk[chunk.length - 1]!;
    const body = {
      model: this.options.model,
      temperature: 0,
      response_format: { type: 'json_object' },
      messages: [
        { role: 'system', content: SYSTEM_PROMPT },
        { role: 'user', content: userPrompt(input, chunk, index, total) },
      ],
    };
    const reply = await this.post(body, signal);
    const context: ChunkContext = { content: content.slice(first.start, last.end), sentences: chunk };
    try {
      const parsed = readAnalysis(parseJsonContent(messageContent(reply)), context);
      if (parsed.dropped > 0) this.options.logger?.warn({ dropped: parsed.dropped, chunk: index }, 'LLM analysis items dropped as invalid');
      return { characters: parsed.characters, emotions: parsed.emotions };
    } catch (err) {
      if (err instanceof MalformedAnalysis) throw new AnalyserError(`LLM analyser: ${err.message}`, { retryable: false, code: 'ANALYSER_BAD_RESPONSE' });
      throw err;
    }
  }

  /** One chat completion with timeout, retries and backoff; returns the parsed JSON body. */
  private async post(body: object, signal?: AbortSignal): Promise<unknown> {
    const payload = JSON.stringify(body);
    let lastProblem = 'no attempt made';
    for (let attempt = 0; ; attempt++) {
      if (signal?.aborted) throw abortReason(signal);
      const outcome = await this.attempt(payload, signal);
      if (outcome.kind === 'ok') return outcome.body;
      if (outcome.kind === 'fatal') throw outcome.error;
      lastProblem = outcome.problem;
      if (attempt >= this.maxRetries) break;
      let delay = this.backoff(attempt);
      if (outcome.retryAfterMs !== undefined) {
        if (outcome.retryAfterMs > this.maxRetryAfterMs) {
          throw new AnalyserError(`LLM analyser unavailable: ${lastProblem}; asked to retry after ${Math.ceil(outcome.retryAfterMs / 1000)} s`, { retryable: true, code: 'ANALYSER_UNAVAILABLE' });
        }
        delay = Math.max(outcome.retryAfterMs, 0);
      }
      this.options.logger?.warn({ attempt: attempt + 1, delayMs: Math.round(delay), problem: lastProblem }, 'LLM request failed; retrying');
      await sleep(delay, signal);
    }
    throw new AnalyserError(`LLM analyser unavailable after ${this.maxRetries + 1} attempts: ${lastProblem}`, { retryable: true, code: 'ANALYSER_UNAVAILABLE' });
  }

  private async attempt(payload: string, signal?: AbortSignal): Promise<Outcome> {
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort(new DOMException('LLM request timed out', 'TimeoutError'));
    }, this.timeoutMs);
    const onAbort = (): void => controller.abort(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      let response: Response;
      let text: string;
      try {
        response = await this.fetchImpl(this.endpoint, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json', authorization: `Bearer ${this.options.apiKey}` },
          body: payload,
          signal: controller.signal,
        });
        text = await response.text();
      } catch (err) {
        if (signal?.aborted) throw abortReason(signal);
        if (timedOut) return { kind: 'retry', problem: `no answer within ${this.timeoutMs} ms` };
        return { kind: 'retry', problem: `network error (${this.scrub(describeError(err))})` };
      }
      const status = response.status;
      if (status >= 200 && status < 300) {
        try {
          return { kind: 'ok', body: JSON.parse(text) as unknown };
        } catch {
          return { kind: 'fatal', error: new AnalyserError(`LLM analyser: HTTP ${status} with a body that is not JSON`, { retryable: false, code: 'ANALYSER_BAD_RESPONSE' }) };
        }
      }
      const detail = this.scrub(providerMessage(text));
      const problem = `HTTP ${status}${detail ? ` (${detail})` : ''}`;
      if (status === 429 || status === 408 || status >= 500) {
        return { kind: 'retry', problem, retryAfterMs: parseRetryAfter(response.headers.get('retry-after')) };
      }
      return { kind: 'fatal', error: new AnalyserError(`LLM analyser rejected the request: ${problem}`, { retryable: false, code: 'ANALYSER_REJECTED' }) };
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
  }

  private backoff(attempt: number): number {
    const ceiling = Math.min(this.maxBackoffMs, this.retryBaseMs * 2 ** attempt);
    return Math.round(ceiling / 2 + (this.random() * ceiling) / 2);
  }

  /** Removes the API key from text that came from elsewhere (provider errors echo keys). */
  private scrub(text: string): string {
    const key = this.options.apiKey;
    let out = key.length >= 4 ? text.split(key).join('[redacted]') : text;
    out = out.replace(/\b(sk|rk|pk)-[A-Za-z0-9_*-]{6,}/g, '[redacted]');
    return out.length > 300 ? `${out.slice(0, 300)}…` : out;
  }
}

type Outcome = { kind: 'ok'; body: unknown } | { kind: 'retry'; problem: string; retryAfterMs?: number | undefined } | { kind: 'fatal'; error: AnalyserError };

export const SYSTEM_PROMPT = [
  'You analyse stories for a narration app. Reply with ONE JSON object and nothing else, exactly this shape:',
  '{"characters": [{"name": string, "description": string, "personality": string, "role": "protagonist"|"antagonist"|"supporting"|"narrator"|"other", "traits": string[]}],',
  ' "emotions": [{"emotion": string, "intensity": integer 1..10, "context": string, "quote": string, "segmentIndex": integer}]}',
  `- "emotion" is one of: ${EMOTIONS.join(', ')} (use neutral only for plain narration worth marking).`,
  `- "role" is one of: ${CHARACTER_ROLES.join(', ')}.`,
  '- The story comes as numbered sentences "[n] text". "segmentIndex" is the number n of the sentence the moment is in; "quote" is copied verbatim from that sentence (at most 200 characters); "context" says in a few words what happens.',
  `- List the emotionally marked sentences (at most ${MAX_EMOTIONS_PER_CHUNK}, the strongest), at most one entry per sentence.`,
  '- Characters: people, animals or beings that act or speak, each once, under the name the text uses. Use only what the text says: no invented names, ages, places or facts. "description" and "personality" are one or two sentences each, "traits" a few single words.',
  '- Write names, quotes and traits in the language of the story. If part of a longer story is sent, analyse only that part.',
].join('\n');

function userPrompt(input: StoryAnalysisInput, chunk: readonly Sentence[], index: number, total: number): string {
  const header = [
    `Title: ${input.title}`,
    `Language: ${input.language}`,
    total > 1 ? `Part ${index + 1} of ${total} (sentences ${chunk[0]!.index}..${chunk[chunk.length - 1]!.index}).` : undefined,
    'Story:',
  ].filter((l): l is string => l !== undefined);
  return `${header.join('\n')}\n${chunk.map((s) => `[${s.index}] ${s.text}`).join('\n')}`;
}

/** Whole sentences, at most `maxChars` of text per chunk (a longer sentence is a chunk alone). */
export function chunkSentences(sentences: readonly Sentence[], maxChars: number): Sentence[][] {
  const chunks: Sentence[][] = [];
  let current: Sentence[] = [];
  let size = 0;
  for (const s of sentences) {
    const cost = s.text.length + 8;
    if (current.length > 0 && size + cost > maxChars) {
      chunks.push(current);
      current = [];
      size = 0;
    }
    current.push(s);
    size += cost;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

function messageContent(reply: unknown): string {
  const choices = field(reply, 'choices');
  const choice = Array.isArray(choices) ? (choices[0] as unknown) : undefined;
  const message = field(choice, 'message');
  const refusal = field(message, 'refusal');
  if (typeof refusal === 'string' && refusal.trim() !== '') throw new MalformedAnalysis(`the model refused: ${refusal.slice(0, 200)}`);
  const content = field(message, 'content');
  if (field(choice, 'finish_reason') === 'length') throw new MalformedAnalysis('the model reply was cut off (finish_reason "length")');
  if (typeof content !== 'string' || content.trim() === '') throw new MalformedAnalysis('the reply has no message content');
  return content;
}

const ROLE_STRENGTH: Record<string, number> = { protagonist: 4, antagonist: 4, narrator: 3, supporting: 2, other: 1 };

/** Characters merged by name across chunks; emotions one per sentence (the most intense). */
export function mergeResults(results: readonly AnalysisResult[]): AnalysisResult {
  const characters = new Map<string, AnalysedCharacter>();
  for (const r of results) {
    for (const c of r.characters) {
      const key = fold(c.name).replace(/^(the|el|la)\s+/, '').trim();
      const existing = characters.get(key);
      if (!existing) {
        characters.set(key, { ...c, traits: [...c.traits] });
        continue;
      }
      if (!existing.description) existing.description = c.description;
      if (!existing.personality) existing.personality = c.personality;
      if ((ROLE_STRENGTH[c.role] ?? 0) > (ROLE_STRENGTH[existing.role] ?? 0)) existing.role = c.role;
      for (const t of c.traits) if (existing.traits.length < 10 && !existing.traits.some((x) => x.toLowerCase() === t.toLowerCase())) existing.traits.push(t);
    }
  }
  const emotions = new Map<number, AnalysedEmotion>();
  for (const r of results) {
    for (const e of r.emotions) {
      const existing = emotions.get(e.segmentIndex);
      if (!existing || e.intensity > existing.intensity) emotions.set(e.segmentIndex, e);
    }
  }
  return { characters: [...characters.values()], emotions: [...emotions.values()].sort((a, b) => a.segmentIndex - b.segmentIndex) };
}

/** Retry-After in ms: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

function providerMessage(body: string): string {
  try {
    const parsed = JSON.parse(body) as unknown;
    const error = field(parsed, 'error');
    const message = field(error, 'message') ?? field(parsed, 'message') ?? (typeof error === 'string' ? error : undefined);
    if (typeof message === 'string') return message.replace(/\s+/g, ' ').trim();
  } catch {
    // not JSON: fall through
  }
  return body.replace(/\s+/g, ' ').trim().slice(0, 200);
}

function describeError(err: unknown): string {
  if (err instanceof Error) {
    const cause = (err as Error & { cause?: unknown }).cause;
    const code = typeof cause === 'object' && cause !== null ? (cause as { code?: unknown }).code : undefined;
    return typeof code === 'string' ? `${err.message}: ${code}` : err.message;
  }
  return String(err);
}

function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortReason(signal));
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortReason(signal!));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (!failed && next < items.length) {
      const i = next++;
      try {
        results[i] = await fn(items[i]!, i);
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
