import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AnalyserError } from '../../../src/application/ports/story-analyser.js';
import { EMOTIONS } from '../../../src/domain/emotion.js';
import { OpenAiCompatibleAnalyser, type AnalyserLogger, type OpenAiCompatibleAnalyserOptions } from '../../../src/infrastructure/analysis/index.js';

/**
 * The LLM adapter against a real HTTP server on 127.0.0.1 that speaks the Chat Completions API:
 * each test scripts the answers, the server records every request.
 */
const API_KEY = 'sk-test-0123456789abcdef';
const STORY = 'Little Red-Cap walked into the wood. A wolf met her, and she was not afraid. "What big teeth you have!" she cried, trembling. The huntsman saved her, and they were happy.';

interface Recorded {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: Record<string, unknown>;
  at: number;
}
type Handler = (req: Recorded, res: ServerResponse) => void;

let server: Server;
let baseUrl: string;
let handlers: Handler[] = [];
let requests: Recorded[] = [];
const open = new Set<ServerResponse>();

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const recorded: Recorded = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: raw ? (JSON.parse(raw) as Record<string, unknown>) : {}, at: Date.now() };
      requests.push(recorded);
      open.add(res);
      res.on('close', () => open.delete(res));
      const handler = handlers.shift();
      if (!handler) {
        res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":{"message":"no scripted answer"}}');
        return;
      }
      handler(recorded, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});

afterEach(() => {
  for (const res of open) res.destroy();
  open.clear();
  handlers = [];
  requests = [];
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function analyser(options: Partial<OpenAiCompatibleAnalyserOptions> = {}): OpenAiCompatibleAnalyser {
  return new OpenAiCompatibleAnalyser({ baseUrl, apiKey: API_KEY, model: 'story-model-1', timeoutMs: 2000, maxRetries: 3, retryBaseMs: 10, maxBackoffMs: 50, random: () => 0.5, ...options });
}

function completion(content: unknown, extra: Record<string, unknown> = {}): Handler {
  return (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' }).end(
      JSON.stringify({
        id: 'chatcmpl-1',
        object: 'chat.completion',
        model: 'story-model-1',
        choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content: typeof content === 'string' ? content : JSON.stringify(content) }, ...extra }],
      }),
    );
  };
}

function status(code: number, headers: Record<string, string> = {}, body: unknown = { error: { message: `status ${code}` } }): Handler {
  return (_req, res) => {
    res.writeHead(code, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
  };
}

const GOOD_REPLY = {
  characters: [
    { name: 'Little Red-Cap', description: 'A girl walking into the wood.', personality: 'Brave.', role: 'protagonist', traits: ['brave'] },
    { name: 'Wolf', description: 'Meets her in the wood.', personality: '', role: 'antagonist', traits: [] },
  ],
  emotions: [
    { emotion: 'fear', intensity: 7, context: 'The wolf shows its teeth', quote: '"What big teeth you have!" she cried, trembling.', segmentIndex: 2 },
    { emotion: 'joy', intensity: 6, context: 'Saved', quote: 'they were happy', segmentIndex: 3 },
  ],
};

const input = { title: 'Little Red-Cap', content: STORY, language: 'en' };

async function rejection(promise: Promise<unknown>): Promise<AnalyserError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(AnalyserError);
    return err as AnalyserError;
  }
  throw new Error('expected a rejection');
}

describe('OpenAiCompatibleAnalyser', () => {
  it('sends a chat completion request and returns the validated analysis', async () => {
    handlers.push(completion(GOOD_REPLY));
    const result = await analyser().analyse(input);

    expect(requests).toHaveLength(1);
    const req = requests[0]!;
    expect(req.method).toBe('POST');
    expect(req.url).toBe('/v1/chat/completions');
    expect(req.headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(req.headers['content-type']).toBe('application/json');
    expect(req.body['model']).toBe('story-model-1');
    expect(req.body['response_format']).toEqual({ type: 'json_object' });
    const messages = req.body['messages'] as { role: string; content: string }[];
    expect(messages.map((m) => m.role)).toEqual(['system', 'user']);
    for (const emotion of EMOTIONS) expect(messages[0]!.content).toContain(emotion);
    expect(messages[0]!.content).toContain('segmentIndex');
    expect(messages[1]!.content).toContain('Title: Little Red-Cap');
    expect(messages[1]!.content).toContain('[0] Little Red-Cap walked into the wood.');
    expect(messages[1]!.content).toContain('[3] The huntsman saved her, and they were happy.');

    expect(result.characters.map((c) => [c.name, c.role])).toEqual([
      ['Little Red-Cap', 'protagonist'],
      ['Wolf', 'antagonist'],
    ]);
    expect(result.emotions).toEqual([
      { emotion: 'fear', intensity: 7, context: 'The wolf shows its teeth', quote: '"What big teeth you have!" she cried, trembling.', segmentIndex: 2 },
      { emotion: 'joy', intensity: 6, context: 'Saved', quote: 'they were happy', segmentIndex: 3 },
    ]);
  });

  it('retries after a 500 and succeeds', async () => {
    handlers.push(status(500), completion(GOOD_REPLY));
    const result = await analyser().analyse(input);
    expect(requests).toHaveLength(2);
    expect(result.characters).toHaveLength(2);
  });

  it('waits as long as Retry-After says on 429', async () => {
    handlers.push(status(429, { 'retry-after': '1' }), completion(GOOD_REPLY));
    const result = await analyser({ retryBaseMs: 1, maxBackoffMs: 1 }).analyse(input);
    expect(requests).toHaveLength(2);
    expect(requests[1]!.at - requests[0]!.at).toBeGreaterThanOrEqual(950);
    expect(result.emotions).toHaveLength(2);
  });

  it('fails retryable at once when Retry-After is longer than it is willing to wait', async () => {
    handlers.push(status(429, { 'retry-after': '3600' }));
    const err = await rejection(analyser().analyse(input));
    expect(err).toMatchObject({ retryable: true, code: 'ANALYSER_UNAVAILABLE' });
    expect(requests).toHaveLength(1);
  });

  it('times out a hanging attempt, retries, then fails retryable', async () => {
    const hang: Handler = () => {
      /* never answers */
    };
    handlers.push(hang, hang);
    const started = Date.now();
    const err = await rejection(analyser({ timeoutMs: 200, maxRetries: 1 }).analyse(input));
    expect(err).toMatchObject({ retryable: true, code: 'ANALYSER_UNAVAILABLE' });
    expect(err.message).toMatch(/no answer within 200 ms/);
    expect(requests).toHaveLength(2);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('gives up after maxRetries on repeated 503s', async () => {
    handlers.push(status(503), status(502), status(503));
    const err = await rejection(analyser({ maxRetries: 2 }).analyse(input));
    expect(err).toMatchObject({ retryable: true, code: 'ANALYSER_UNAVAILABLE' });
    expect(err.message).toMatch(/after 3 attempts: HTTP 503/);
    expect(requests).toHaveLength(3);
  });

  it('retries network errors (connection reset)', async () => {
    handlers.push((_req, res) => res.destroy(), completion(GOOD_REPLY));
    const result = await analyser().analyse(input);
    expect(requests).toHaveLength(2);
    expect(result.characters).toHaveLength(2);
  });

  it('rejects malformed JSON content as a non-retryable bad response, without retrying', async () => {
    handlers.push(completion('{"characters": [ {"name": "Wolf", '));
    const err = await rejection(analyser().analyse(input));
    expect(err).toMatchObject({ retryable: false, code: 'ANALYSER_BAD_RESPONSE' });
    expect(requests).toHaveLength(1);
  });

  it('rejects replies that are not an analysis', async () => {
    handlers.push(completion({ answer: 'I like this story' }));
    expect(await rejection(analyser().analyse(input))).toMatchObject({ retryable: false, code: 'ANALYSER_BAD_RESPONSE' });
    handlers.push((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('<html>proxy error</html>'));
    expect(await rejection(analyser().analyse(input))).toMatchObject({ retryable: false, code: 'ANALYSER_BAD_RESPONSE' });
    handlers.push((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"choices": []}'));
    expect(await rejection(analyser().analyse(input))).toMatchObject({ retryable: false, code: 'ANALYSER_BAD_RESPONSE' });
    handlers.push(completion('{"characters": [', { finish_reason: 'length' }));
    expect((await rejection(analyser().analyse(input))).message).toMatch(/cut off/);
  });

  it('rejects a 401 as non-retryable without echoing the API key', async () => {
    const logs: unknown[] = [];
    const logger: AnalyserLogger = { warn: (obj, msg) => logs.push([obj, msg]) };
    handlers.push(status(401, {}, { error: { message: `Incorrect API key provided: ${API_KEY}. You can find your API key at ...` } }));
    const err = await rejection(analyser({ logger }).analyse(input));
    expect(err).toMatchObject({ retryable: false, code: 'ANALYSER_REJECTED' });
    expect(err.message).toMatch(/HTTP 401/);
    expect(err.message).not.toContain(API_KEY);
    expect(err.message).not.toContain('0123456789abcdef');
    expect(JSON.stringify(logs)).not.toContain(API_KEY);
    expect(JSON.stringify(analyser())).not.toContain(API_KEY);
    expect(requests).toHaveLength(1);
  });

  it('rejects other 4xx (400) as non-retryable', async () => {
    handlers.push(status(400, {}, { error: { message: 'response_format is not supported by this model' } }));
    const err = await rejection(analyser().analyse(input));
    expect(err).toMatchObject({ retryable: false, code: 'ANALYSER_REJECTED' });
    expect(err.message).toMatch(/response_format is not supported/);
  });

  it('normalises unambiguous items and drops the rest', async () => {
    const logs: unknown[] = [];
    handlers.push(
      completion(
        '```json\n' +
          JSON.stringify({
            characters: [
              { name: 'Little Red-Cap', role: 'Hero', traits: 'brave, curious', description: 'A girl.' },
              { name: 'Wolf', role: 'villain' },
              { name: 'Huntsman', role: 'mentor' }, // not a role: dropped
              { name: 'Prince Charming', role: 'supporting' }, // not in the story: dropped
              { role: 'other' }, // no name: dropped
            ],
            emotions: [
              { emotion: 'Happy', intensity: 6.6, context: 'x', quote: 'they were happy', segmentIndex: 3 }, // → joy, 7
              { emotion: 'bemused', intensity: 5, quote: 'x', segmentIndex: 1 }, // unknown emotion: dropped
              { emotion: 'fear', intensity: 15, quote: 'x', segmentIndex: 2 }, // out of range: dropped
              { emotion: 'fear', intensity: 0.8, quote: 'x', segmentIndex: 2 }, // another scale: dropped
              { emotion: 'SCARED', intensity: '8', quote: '"What big teeth you have!"', segmentIndex: 99 }, // placed by its quote
              { emotion: 'surprise', intensity: 4, quote: 'not in the story', segmentIndex: 1 }, // quote replaced by the sentence
              { emotion: 'anger', intensity: 4, quote: 'nowhere', segmentIndex: 42 }, // no sentence: dropped
            ],
          }) +
          '\n```',
      ),
    );
    const result = await analyser({ logger: { warn: (obj, msg) => logs.push([obj, msg]) } }).analyse(input);
    expect(result.characters).toEqual([
      { name: 'Little Red-Cap', description: 'A girl.', personality: '', role: 'protagonist', traits: ['brave', 'curious'] },
      { name: 'Wolf', description: '', personality: '', role: 'antagonist', traits: [] },
    ]);
    expect(result.emotions).toEqual([
      { emotion: 'surprise', intensity: 4, context: '', quote: 'A wolf met her, and she was not afraid.', segmentIndex: 1 },
      { emotion: 'fear', intensity: 8, context: '', quote: '"What big teeth you have!"', segmentIndex: 2 },
      { emotion: 'joy', intensity: 7, context: 'x', quote: 'they were happy', segmentIndex: 3 },
    ]);
    expect(logs).toEqual([[{ dropped: 7, chunk: 0 }, 'LLM analysis items dropped as invalid']]);
  });

  it('sends long stories in chunks of whole sentences and merges the answers', async () => {
    const sentences = Array.from({ length: 30 }, (_, i) => `Sentence number ${i} tells how Anna walked on.`);
    const content = sentences.join(' ');
    const reply = (first: number): Handler => (req, res) => {
      const user = (req.body['messages'] as { content: string }[])[1]!.content;
      const indexes = [...user.matchAll(/^\[(\d+)\]/gm)].map((m) => Number(m[1]));
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          choices: [
            {
              finish_reason: 'stop',
              message: {
                content: JSON.stringify({
                  characters: [{ name: 'Anna', role: first === 0 ? 'supporting' : 'protagonist', traits: [`t${first}`] }],
                  emotions: [{ emotion: 'joy', intensity: 5, quote: `Sentence number ${indexes[0]}`, segmentIndex: indexes[0] }],
                }),
              },
            },
          ],
        }),
      );
    };
    handlers.push(reply(0), reply(1), reply(2), reply(3), reply(4), reply(5));
    const result = await analyser({ chunkChars: 400, concurrency: 1 }).analyse({ title: 'Anna', content, language: 'en' });
    expect(requests).toHaveLength(5); // 30 sentences of ~45 characters, at most 400 characters a request
    const sent = requests.map((r) => [...(r.body['messages'] as { content: string }[])[1]!.content.matchAll(/^\[(\d+)\]/gm)].map((m) => Number(m[1])));
    expect(sent.flat()).toEqual(sentences.map((_, i) => i)); // every sentence once, in order
    expect(result.characters).toHaveLength(1);
    expect(result.characters[0]).toMatchObject({ name: 'Anna', role: 'protagonist' });
    expect(result.emotions.map((e) => e.segmentIndex)).toEqual(sent.map((s) => s[0]));
  });

  it('stops when the caller aborts, with the abort reason', async () => {
    handlers.push(() => {
      /* never answers */
    });
    const controller = new AbortController();
    const work = analyser({ timeoutMs: 10_000 }).analyse(input, controller.signal);
    await new Promise((r) => setTimeout(r, 100));
    const reason = new DOMException('budget spent', 'TimeoutError');
    controller.abort(reason);
    await expect(work).rejects.toBe(reason);
    expect(requests).toHaveLength(1);
  });

  it('does not call the API for blank content', async () => {
    expect(await analyser().analyse({ title: 'Blank', content: '  ', language: 'en' })).toEqual({ characters: [], emotions: [] });
    expect(requests).toHaveLength(0);
  });
});
