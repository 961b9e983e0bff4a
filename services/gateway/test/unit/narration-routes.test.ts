/**
 * The narration routes' HTTP layer against a fake NarrationPort and a real filesystem media store
 * in a temp folder: validation, status codes, shapes, Location, problem codes passed through,
 * the multipart upload streamed into the store (413 while streaming, the partial object gone),
 * signed audio URLs on every read and their round trip through /files (200, 206, 416, 403).
 * The real narration rules run in the e2e test.
 */
import { request as httpRequest, type ClientRequest, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { uuidv7 } from '@storytelling/kernel';
import { UrlSigner } from '@storytelling/platform';
import { STOCK_VOICE_ID } from '../../src/domain/narrations.js';
import { fakeGatewayWithMember, TEST_FILES_SECRET, type FakeGateway } from '../support/app.js';
import { grpcError } from '../support/fake-identity.js';
import { expectProblem, fieldsOf } from '../support/http.js';

const API = '/api/v1';
const MB = 1024 * 1024;

/** Bytes that the fake narration takes for audio (a RIFF header), `size` long. */
function wav(size = 64): Buffer {
  const bytes = Buffer.alloc(size, 7);
  bytes.write('RIFF', 0, 'latin1');
  for (let i = 4; i < Math.min(size, 1024); i++) bytes[i] = i % 251;
  return bytes;
}

const BOUNDARY = 'gateway-test-boundary';
/** The multipart head of a sample upload up to the first byte of its audio part. */
const multipartHead = (emotion = 'joy'): string =>
  [
    `--${BOUNDARY}\r\nContent-Disposition: form-data; name="emotion"\r\n\r\n${emotion}\r\n`,
    `--${BOUNDARY}\r\nContent-Disposition: form-data; name="text"\r\n\r\nHello there\r\n`,
    `--${BOUNDARY}\r\nContent-Disposition: form-data; name="audio"; filename="take.wav"\r\nContent-Type: audio/wav\r\n\r\n`,
  ].join('');

async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Writes `chunk` respecting backpressure. */
const write = (req: ClientRequest, chunk: Buffer | string): Promise<void> => new Promise((resolve) => (req.write(chunk) ? resolve() : req.once('drain', resolve)));

/** The path and query of an absolute signed link, for supertest. */
const pathOf = (url: string): string => {
  const u = new URL(url);
  expect(u.origin).toBe('http://gateway.test');
  return `${u.pathname}${u.search}`;
};

describe('narration routes (fake narration service)', () => {
  let gw: FakeGateway;
  let token: string;
  let otherToken: string;

  beforeAll(async () => {
    ({ gw, token } = await fakeGatewayWithMember());
    otherToken = await gw.identity.tokenFor('member', uuidv7());
  });
  afterAll(() => gw.app.close());
  beforeEach(() => {
    gw.narration.reset();
    gw.storage.reset();
  });

  const as = (r: request.Test, t = token) => r.set('authorization', `Bearer ${t}`);
  const post = (path: string, body?: object, t = token) => as(request(gw.server).post(`${API}${path}`), t).send(body);
  const get = (path: string, t = token) => as(request(gw.server).get(`${API}${path}`), t);

  async function newVoice(name = 'Grandma Rose'): Promise<string> {
    const res = await post('/voices', { name });
    expect(res.status).toBe(201);
    return res.body.id as string;
  }

  function upload(voiceId: string, parts: { emotion?: string; text?: string; audio?: Buffer; audioFirst?: boolean } = {}, t = token): request.Test {
    const r = as(request(gw.server).post(`${API}/voices/${voiceId}/samples`), t);
    const audio = (): void => {
      if (parts.audio) r.attach('audio', parts.audio, { filename: 'take.wav', contentType: 'audio/wav' });
    };
    if (parts.audioFirst) audio();
    if (parts.emotion !== undefined) r.field('emotion', parts.emotion);
    if (parts.text !== undefined) r.field('text', parts.text);
    if (!parts.audioFirst) audio();
    return r;
  }

  /** Nothing is left under uploads/ (no object, no sidecar, no temp file). */
  async function expectNoUploads(): Promise<void> {
    expect((await gw.storage.files()).filter((f) => f.startsWith('uploads'))).toEqual([]);
  }

  describe('POST /voices', () => {
    it('201 with the new voice and Location, forwarding the token and the Idempotency-Key', async () => {
      const res = await as(request(gw.server).post(`${API}/voices`)).set('idempotency-key', 'voice-1').send({ name: '  Grandma Rose ' });
      expect(res.status).toBe(201);
      expect(res.body).toEqual({
        id: expect.any(String),
        name: 'Grandma Rose',
        trainingStatus: 'collecting',
        samples: [],
        provider: 'local',
        failureReason: null,
        profile: null,
        createdAt: expect.any(String),
      });
      expect(res.headers.location).toBe(`${API}/voices/${res.body.id}`);
      const call = gw.narration.calls.find((c) => c.method === 'createVoice')!;
      expect(call.args).toEqual(['Grandma Rose']);
      expect(call.context).toMatchObject({ bearerToken: token, idempotencyKey: 'voice-1' });
    });

    it('400 for a missing, blank, too long or extra field; 401 without a token', async () => {
      expect(fieldsOf(await post('/voices', {}))).toEqual({ name: 'must be a string' });
      expect(fieldsOf(await post('/voices', { name: '   ' }))).toEqual({ name: 'must be 1..100 characters (after trimming)' });
      expect(fieldsOf(await post('/voices', { name: 'x'.repeat(101) }))).toEqual({ name: 'must be 1..100 characters (after trimming)' });
      const extra = await post('/voices', { name: 'ok', provider: 'elevenlabs' });
      expectProblem(extra, 400, 'VALIDATION_FAILED');
      expect(fieldsOf(extra)).toEqual({ provider: 'is not an allowed field' });
      expectProblem(await request(gw.server).post(`${API}/voices`).send({ name: 'ok' }), 401, 'UNAUTHENTICATED');
      expect(gw.narration.calls).toEqual([]);
    });
  });

  describe('GET /voices and /voices/:id', () => {
    it('lists the stock narrator first, then the caller’s voices only', async () => {
      const mine = await newVoice('Mine');
      await post('/voices', { name: 'Theirs' }, otherToken);
      const res = await get('/voices');
      expect(res.status).toBe(200);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.body.nextCursor).toBeNull();
      expect(res.body.items[0]).toMatchObject({ id: STOCK_VOICE_ID, trainingStatus: 'ready', provider: 'stock', samples: [] });
      expect(res.body.items.map((v: { id: string }) => v.id)).toContain(mine);
      expect(res.body.items.map((v: { name: string }) => v.name)).not.toContain('Theirs');
      expectProblem(await get('/voices?limit=5'), 400, 'VALIDATION_FAILED');
    });

    it('answers one voice (or the stock one); 404 VOICE_NOT_FOUND for another user’s; 400 for a non-UUID id', async () => {
      const id = await newVoice();
      const res = await get(`/voices/${id}`);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ id, name: 'Grandma Rose', trainingStatus: 'collecting', samples: [] });
      expect((await get(`/voices/${STOCK_VOICE_ID}`)).body.provider).toBe('stock');
      expectProblem(await get(`/voices/${id}`, otherToken), 404, 'VOICE_NOT_FOUND');
      const bad = await get('/voices/nope');
      expectProblem(bad, 400, 'VALIDATION_FAILED');
      expect(fieldsOf(bad)).toEqual({ id: 'must be a UUID' });
    });
  });

  describe('POST /voices/:id/samples (multipart, streamed)', () => {
    it('201: the audio is streamed to uploads/<uuid>, narration takes it over, the sample answers a signed URL', async () => {
      const voiceId = await newVoice();
      const audio = wav(5000);
      const res = await upload(voiceId, { emotion: 'joy', text: 'What a lovely day!', audio }).set('idempotency-key', 'sample-1');
      expect(res.status).toBe(201);
      expect(res.body).toEqual({
        id: expect.any(String),
        emotion: 'joy',
        text: 'What a lovely day!',
        durationSeconds: 1.5,
        locked: false,
        audioUrl: expect.stringMatching(/^http:\/\/gateway\.test\/api\/v1\/files\/voices\/.+\.wav\?expires=\d+&signature=[\w-]+$/),
        contentType: 'audio/wav',
      });
      expect(gw.storage.puts[0]).toEqual({ key: expect.stringMatching(/^uploads\/[0-9a-f-]{36}$/), contentType: 'audio/wav', outcome: { size: 5000 } });
      const call = gw.narration.calls.find((c) => c.method === 'addSample')!;
      expect(call.args[0]).toEqual({ voiceId, emotion: 'joy', text: 'What a lovely day!', uploadKey: gw.storage.puts[0]!.key, declaredContentType: 'audio/wav' });
      expect(call.context).toMatchObject({ bearerToken: token, idempotencyKey: 'sample-1' });
      await expectNoUploads();
      // The stored copy comes back, byte for byte, through the signed link.
      const file = await request(gw.server).get(pathOf(res.body.audioUrl)).buffer(true);
      expect(file.status).toBe(200);
      expect(Buffer.compare(file.body as Buffer, audio)).toBe(0);
      // And the voice lists the sample, with a freshly signed URL.
      const voice = await get(`/voices/${voiceId}`);
      expect(voice.body.samples).toEqual([expect.objectContaining({ id: res.body.id, emotion: 'joy', audioUrl: expect.stringContaining('/api/v1/files/voices/') })]);
    });

    it('accepts the parts in any order and an audio part of exactly 10 MB', async () => {
      const voiceId = await newVoice();
      const res = await upload(voiceId, { emotion: 'sadness', text: 'Oh no.', audio: wav(10 * MB), audioFirst: true });
      expect(res.status).toBe(201);
      expect(gw.storage.puts[0]!.outcome).toEqual({ size: 10 * MB });
      await expectNoUploads();
    });

    it('413 PAYLOAD_TOO_LARGE for 11 MB, found while streaming: the partial upload is aborted and deleted, narration never called', async () => {
      const voiceId = await newVoice();
      gw.narration.reset();
      const res = await upload(voiceId, { emotion: 'joy', text: 'Too long', audio: wav(11 * MB) });
      expectProblem(res, 413, 'PAYLOAD_TOO_LARGE');
      expect(gw.storage.puts).toEqual([{ key: expect.stringMatching(/^uploads\//), contentType: 'audio/wav', outcome: { error: expect.stringContaining('larger than') } }]);
      expect(gw.storage.deletes).toEqual([gw.storage.puts[0]!.key]);
      await expectNoUploads();
      expect(gw.narration.calls).toEqual([]);
      // The connection is still good for the next request.
      expect((await get(`/voices/${voiceId}`)).status).toBe(200);
    });

    describe('over a raw connection (chunked, no Content-Length)', () => {
      let port: number;
      let listened = false;
      beforeAll(async () => {
        const server = gw.server as Server;
        if (!server.listening) {
          await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
          listened = true;
        }
        port = (server.address() as AddressInfo).port;
      });
      // The app's close() stops only what it started listening itself: this listen is the test's.
      afterAll(async () => {
        if (!listened) return;
        const server = gw.server as Server;
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      });

      const open = (voiceId: string): { req: ClientRequest; response: Promise<{ status: number; body: Record<string, unknown> }> } => {
        const req = httpRequest({
          host: '127.0.0.1',
          port,
          method: 'POST',
          path: `${API}/voices/${voiceId}/samples`,
          headers: { authorization: `Bearer ${token}`, 'content-type': `multipart/form-data; boundary=${BOUNDARY}` },
        });
        const response = new Promise<{ status: number; body: Record<string, unknown> }>((resolve, reject) => {
          req.on('response', (res: IncomingMessage) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString() || '{}') as Record<string, unknown> }));
          });
          req.on('error', reject);
        });
        return { req, response };
      };

      it('answers 413 as soon as the audio passes 10 MB, while the client is still sending', async () => {
        const voiceId = await newVoice();
        const { req, response } = open(voiceId);
        // The status line is the answer; the body may trail it on a loaded machine.
        let answered = false;
        req.once('response', () => (answered = true));
        await write(req, multipartHead());
        await write(req, wav(MB));
        const chunk = Buffer.alloc(MB, 1);
        const CLIENT_BODY = 256 * MB;
        let sent = MB;
        const settled = response.then(() => undefined, () => undefined);
        while (!answered && sent < CLIENT_BODY) {
          // A server that has answered may stop reading: 'drain' then never comes.
          await Promise.race([write(req, chunk), settled]);
          sent += MB;
          await new Promise((r) => setImmediate(r));
        }
        // The answer came before the client finished its body. How far the client got depends on
        // socket buffers and machine load, so the bound is on the client's whole body, not on 40 MB.
        expect(answered).toBe(true);
        expect(sent).toBeLessThan(CLIENT_BODY);
        req.end(`\r\n--${BOUNDARY}--\r\n`);
        const res = await response;
        expect({ status: res.status, code: res.body.code }).toEqual({ status: 413, code: 'PAYLOAD_TOO_LARGE' });
        // The store was cut off at the limit while streaming.
        await until(() => gw.storage.puts[0]?.outcome !== undefined);
        expect(gw.storage.puts[0]!.outcome).toEqual({ error: expect.stringContaining('larger than') });
        await until(() => gw.storage.deletes.length === 1);
        await expectNoUploads();
      });

      it('leaves nothing behind when the client hangs up in the middle of the audio', async () => {
        const voiceId = await newVoice();
        const { req, response } = open(voiceId);
        response.catch(() => undefined);
        await write(req, multipartHead());
        await write(req, wav(512 * 1024));
        await until(() => gw.storage.puts.length === 1);
        req.destroy();
        await until(() => gw.storage.puts[0]!.outcome !== undefined && gw.storage.deletes.length === 1);
        expect(gw.storage.puts[0]!.outcome).toEqual({ error: expect.any(String) });
        await expectNoUploads();
        expect(gw.narration.calls.filter((c) => c.method === 'addSample')).toEqual([]);
      });
    });

    it('400 VALIDATION_FAILED for missing parts, unknown parts, audio sent as text; nothing is left stored', async () => {
      const voiceId = await newVoice();
      const none = await upload(voiceId, { text: 'Hi' });
      expectProblem(none, 400, 'VALIDATION_FAILED');
      expect(fieldsOf(none)).toEqual({ emotion: 'is required', audio: 'is required (a file part)' });

      const noText = await upload(voiceId, { emotion: 'joy', audio: wav() });
      expect(fieldsOf(noText)).toEqual({ text: 'is required' });
      const blank = await upload(voiceId, { emotion: 'joy', text: '  ', audio: wav() });
      expect(fieldsOf(blank)).toEqual({ text: 'must not be empty' });

      // The gateway's one rule for strings holds in multipart fields too (issue 12, item 5).
      const nul = await upload(voiceId, { emotion: 'joy', text: 'Hi\u0000there', audio: wav() });
      expect(fieldsOf(nul)).toEqual({ text: 'must not contain control characters' });
      const escape = await upload(voiceId, { emotion: 'jo\u001by', text: 'Hi', audio: wav() });
      expect(fieldsOf(escape)).toEqual({ emotion: 'must not contain control characters' });

      const extra = await upload(voiceId, { emotion: 'joy', text: 'Hi', audio: wav() }).field('speaker', 'me');
      expect(fieldsOf(extra)).toEqual({ speaker: 'is not an allowed field' });

      const asText = await as(request(gw.server).post(`${API}/voices/${voiceId}/samples`)).field('emotion', 'joy').field('text', 'Hi').field('audio', 'RIFF');
      expect(fieldsOf(asText)).toEqual({ audio: 'must be a file part' });

      const empty = await upload(voiceId, { emotion: 'joy', text: 'Hi', audio: Buffer.alloc(0) });
      expect(fieldsOf(empty)).toEqual({ audio: 'must not be empty' });

      await expectNoUploads();
      expect(gw.narration.calls.filter((c) => c.method === 'addSample')).toEqual([]);
    });

    it('400 UNKNOWN_EMOTION for an emotion outside the set, whether it comes before the audio (nothing stored) or after it (deleted)', async () => {
      const voiceId = await newVoice();
      const before = await upload(voiceId, { emotion: 'boredom', text: 'Meh', audio: wav() });
      expectProblem(before, 400, 'UNKNOWN_EMOTION');
      expect(fieldsOf(before).emotion).toMatch(/^must be one of joy, sadness, .*neutral$/);
      expect(gw.storage.puts).toEqual([]);

      const after = await upload(voiceId, { emotion: 'boredom', text: 'Meh', audio: wav(), audioFirst: true });
      expectProblem(after, 400, 'UNKNOWN_EMOTION');
      expect(gw.storage.deletes).toEqual([gw.storage.puts[0]!.key]);
      await expectNoUploads();
    });

    it('415 for a body that is not multipart/form-data, 400 for a broken one', async () => {
      const voiceId = await newVoice();
      expectProblem(await post(`/voices/${voiceId}/samples`, { emotion: 'joy', text: 'Hi' }), 415, 'UNSUPPORTED_MEDIA_TYPE');
      const broken = await as(request(gw.server).post(`${API}/voices/${voiceId}/samples`))
        .set('content-type', 'multipart/form-data; boundary=xyz')
        .send('--xyz\r\nContent-Disposition: form-data; name="emotion"\r\n\r\njoy\r\n--xy');
      expectProblem(broken, 400, 'VALIDATION_FAILED');
      const noBoundary = await as(request(gw.server).post(`${API}/voices/${voiceId}/samples`)).set('content-type', 'multipart/form-data; charset=utf-8').send('x');
      expectProblem(noBoundary, 400, 'VALIDATION_FAILED');
      await expectNoUploads();
    });

    it('deletes the upload when narration refuses it (AUDIO_NOT_AUDIO) or the voice is not the caller’s (VOICE_NOT_FOUND)', async () => {
      const voiceId = await newVoice();
      const notAudio = await upload(voiceId, { emotion: 'joy', text: 'Hi', audio: Buffer.from('<html>not audio</html>') });
      expectProblem(notAudio, 400, 'AUDIO_NOT_AUDIO');
      expect(gw.storage.deletes).toEqual([gw.storage.puts[0]!.key]);

      const stranger = await upload(voiceId, { emotion: 'joy', text: 'Hi', audio: wav() }, otherToken);
      expectProblem(stranger, 404, 'VOICE_NOT_FOUND');
      await expectNoUploads();
    });

    it('503 SERVICE_UNAVAILABLE with Retry-After when the media store refuses the upload; narration is not called', async () => {
      const voiceId = await newVoice();
      gw.storage.failPuts = new Error('connect ECONNREFUSED 10.0.0.9:9000');
      const res = await upload(voiceId, { emotion: 'joy', text: 'Hi', audio: wav(300 * 1024) });
      expectProblem(res, 503, 'SERVICE_UNAVAILABLE');
      expect(res.headers['retry-after']).toBe('5');
      expect(JSON.stringify(res.body)).not.toContain('ECONNREFUSED');
      expect(gw.narration.calls.filter((c) => c.method === 'addSample')).toEqual([]);
    });

    it('checks the voice id before reading the body, and the token before anything', async () => {
      expectProblem(await upload('nope', { emotion: 'joy', text: 'Hi', audio: wav() }), 400, 'VALIDATION_FAILED');
      const anonymous = await request(gw.server).post(`${API}/voices/${uuidv7()}/samples`).field('emotion', 'joy').field('text', 'Hi').attach('audio', wav(), 'a.wav');
      expectProblem(anonymous, 401, 'UNAUTHENTICATED');
      expect(gw.storage.puts).toEqual([]);
    });
  });

  describe('DELETE /voices/:id/samples/:sampleId and POST /voices/:id/train', () => {
    const EMOTIONS = ['joy', 'sadness', 'anger', 'fear', 'surprise'];

    async function voiceWithSamples(emotions: string[]): Promise<{ voiceId: string; sampleIds: string[] }> {
      const voiceId = await newVoice();
      const sampleIds: string[] = [];
      for (const emotion of emotions) {
        const res = await upload(voiceId, { emotion, text: `A ${emotion} line.`, audio: wav() });
        expect(res.status).toBe(201);
        sampleIds.push(res.body.id as string);
      }
      return { voiceId, sampleIds };
    }

    it('204 for an unlocked sample; 404 SAMPLE_NOT_FOUND once gone; 400 for non-UUID ids', async () => {
      const { voiceId, sampleIds } = await voiceWithSamples(['joy']);
      const del = await as(request(gw.server).delete(`${API}/voices/${voiceId}/samples/${sampleIds[0]}`));
      expect(del.status).toBe(204);
      expect(del.text).toBe('');
      expectProblem(await as(request(gw.server).delete(`${API}/voices/${voiceId}/samples/${sampleIds[0]}`)), 404, 'SAMPLE_NOT_FOUND');
      const bad = await as(request(gw.server).delete(`${API}/voices/${voiceId}/samples/x`));
      expect(fieldsOf(bad)).toEqual({ sampleId: 'must be a UUID' });
    });

    it('train: 422 NOT_ENOUGH_EMOTIONS below five emotions; 202 with Location otherwise; then the samples are locked (delete → 409 SAMPLE_LOCKED)', async () => {
      const few = await voiceWithSamples(['joy', 'fear']);
      expectProblem(await post(`/voices/${few.voiceId}/train`), 422, 'NOT_ENOUGH_EMOTIONS');

      const { voiceId, sampleIds } = await voiceWithSamples(EMOTIONS);
      const res = await post(`/voices/${voiceId}/train`);
      expect(res.status).toBe(202);
      expect(res.body).toMatchObject({ id: voiceId, trainingStatus: 'training' });
      expect(res.headers.location).toBe(`${API}/voices/${voiceId}`);

      gw.narration.finishTraining(voiceId);
      const ready = await get(`/voices/${voiceId}`);
      expect(ready.body).toMatchObject({ trainingStatus: 'ready', profile: { f0MedianHz: 180, f0MinHz: 120, f0MaxHz: 260, charsPerSecond: 14 } });
      expect(ready.body.samples.every((s: { locked: boolean }) => s.locked)).toBe(true);
      expectProblem(await as(request(gw.server).delete(`${API}/voices/${voiceId}/samples/${sampleIds[0]}`)), 409, 'SAMPLE_LOCKED');
    });

    it('train takes no body; maps the tier rule and a training voice from narration', async () => {
      const voiceId = await newVoice();
      expectProblem(await post(`/voices/${voiceId}/train`, { now: true }), 400, 'VALIDATION_FAILED');
      gw.narration.failWith = grpcError(9, 'your tier has no voice cloning', 'VOICE_CLONING_NOT_IN_TIER');
      expectProblem(await post(`/voices/${voiceId}/train`), 422, 'VOICE_CLONING_NOT_IN_TIER');
      gw.narration.failWith = grpcError(6, 'already training', 'VOICE_TRAINING');
      expectProblem(await post(`/voices/${voiceId}/train`), 409, 'VOICE_TRAINING');
    });
  });

  describe('narrations', () => {
    const storyId = uuidv7();

    it('POST /stories/:id/narrations: 202 pending with Location, forwarding body, token and Idempotency-Key', async () => {
      const character = uuidv7();
      const res = await as(request(gw.server).post(`${API}/stories/${storyId}/narrations`))
        .set('idempotency-key', 'narrate-1')
        .send({ voiceId: STOCK_VOICE_ID, characterVoices: { [character]: STOCK_VOICE_ID }, narratorProfile: 'grandma', conversationStyle: 'parent_to_child' });
      expect(res.status).toBe(202);
      expect(res.headers.location).toBe(`${API}/narrations/${res.body.id}`);
      expect(res.body).toEqual({
        id: expect.any(String),
        storyId,
        status: 'pending',
        segments: [
          { index: 0, text: 'Once upon a time.', emotion: 'neutral', voiceId: STOCK_VOICE_ID, characterId: null, audioUrl: null, durationSeconds: null },
          { index: 1, text: '"Hello!" said Mara.', emotion: 'joy', voiceId: STOCK_VOICE_ID, characterId: null, audioUrl: null, durationSeconds: null },
        ],
        voiceId: STOCK_VOICE_ID,
        characterVoices: { [character]: STOCK_VOICE_ID },
        narratorProfile: 'grandma',
        conversationStyle: 'parent_to_child',
        progress: { done: 0, total: 2 },
        audioUrl: null,
        durationSeconds: null,
        failureReason: null,
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
      });
      const call = gw.narration.calls.find((c) => c.method === 'requestNarration')!;
      expect(call.args[0]).toEqual({ storyId, voiceId: STOCK_VOICE_ID, characterVoices: { [character]: STOCK_VOICE_ID }, narratorProfile: 'grandma', conversationStyle: 'parent_to_child' });
      expect(call.context).toMatchObject({ bearerToken: token, idempotencyKey: 'narrate-1' });
    });

    it('400 for a bad body; 422 VOICE_NOT_READY, STORY_NOT_ANALYSED and QUOTA_EXCEEDED from narration; 404 STORY_NOT_FOUND', async () => {
      const missing = await post(`/stories/${storyId}/narrations`, {});
      expect(fieldsOf(missing)).toEqual({ voiceId: 'must be a UUID' });
      const bad = await post(`/stories/${storyId}/narrations`, { voiceId: STOCK_VOICE_ID, characterVoices: { mara: 'x' }, narratorProfile: 'pirate', conversationStyle: 'rude' });
      expectProblem(bad, 400, 'VALIDATION_FAILED');
      expect(Object.keys(fieldsOf(bad)).sort()).toEqual(['characterVoices', 'conversationStyle', 'narratorProfile']);
      expect(fieldsOf(await post(`/stories/${storyId}/narrations`, { voiceId: STOCK_VOICE_ID, characterVoices: [] })).characterVoices).toMatch(/^must be an object/);
      expectProblem(await post('/stories/nope/narrations', { voiceId: STOCK_VOICE_ID }), 400, 'VALIDATION_FAILED');
      expect(gw.narration.calls).toEqual([]);

      const untrained = await newVoice();
      expectProblem(await post(`/stories/${storyId}/narrations`, { voiceId: untrained }), 422, 'VOICE_NOT_READY');
      for (const [status, code] of [
        [9, 'STORY_NOT_ANALYSED'],
        [9, 'QUOTA_EXCEEDED'],
        [5, 'STORY_NOT_FOUND'],
      ] as const) {
        gw.narration.failWith = grpcError(status, code.toLowerCase(), code);
        expectProblem(await post(`/stories/${storyId}/narrations`, { voiceId: STOCK_VOICE_ID }), status === 5 ? 404 : 422, code);
      }
    });

    it('GET /narrations/:id signs every segment and the whole file afresh once synthesised; 404 for anyone else', async () => {
      const created = await post(`/stories/${storyId}/narrations`, { voiceId: STOCK_VOICE_ID });
      const id = created.body.id as string;
      expectProblem(await get(`/narrations/${id}`, otherToken), 404, 'NARRATION_NOT_FOUND');

      await gw.narration.complete(id, Buffer.from('the whole narration'));
      const res = await get(`/narrations/${id}`);
      expect(res.status).toBe(200);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.body).toMatchObject({ status: 'completed', progress: { done: 2, total: 2 }, durationSeconds: 2.5 });
      expect(res.body.audioUrl).toMatch(new RegExp(`^http://gateway\\.test/api/v1/files/narrations/[^/]+/${id}/narration-1\\.ogg\\?expires=\\d+&signature=`));
      expect(res.body.segments.map((s: { audioUrl: string; durationSeconds: number }) => [s.audioUrl.split('?')[0], s.durationSeconds])).toEqual([
        [expect.stringMatching(/\/segments\/0-1\.ogg$/), 1.25],
        [expect.stringMatching(/\/segments\/1-1\.ogg$/), 1.25],
      ]);
      const segment = await request(gw.server).get(pathOf(res.body.segments[1].audioUrl)).buffer(true);
      expect({ status: segment.status, type: segment.headers['content-type'], body: (segment.body as Buffer).toString() }).toEqual({ status: 200, type: 'audio/ogg', body: 'segment 1' });
    });

    it('POST /narrations/:id/segments/:index/regenerate: 202 with Location; 400 for a bad index or a body', async () => {
      const id = (await post(`/stories/${storyId}/narrations`, { voiceId: STOCK_VOICE_ID })).body.id as string;
      const res = await post(`/narrations/${id}/segments/1/regenerate`);
      expect(res.status).toBe(202);
      expect(res.headers.location).toBe(`${API}/narrations/${id}`);
      expect(res.body).toMatchObject({ id, status: 'processing' });
      expect(gw.narration.calls.find((c) => c.method === 'regenerateSegment')!.args).toEqual([id, 1]);
      for (const index of ['-1', 'one', '1.5', '99999999999']) {
        expect({ index, fields: fieldsOf(await post(`/narrations/${id}/segments/${index}/regenerate`)) }).toEqual({ index, fields: { index: 'must be a non-negative integer' } });
      }
      expectProblem(await post(`/narrations/${id}/segments/0/regenerate`, { force: true }), 400, 'VALIDATION_FAILED');
      expectProblem(await post(`/narrations/${id}/segments/7/regenerate`), 404, 'SEGMENT_NOT_FOUND');
    });

    it('GET /narrations/:id/audio: 409 NARRATION_AUDIO_NOT_READY before completion, then 302 to a fresh signed link that plays and seeks', async () => {
      const id = (await post(`/stories/${storyId}/narrations`, { voiceId: STOCK_VOICE_ID })).body.id as string;
      expectProblem(await get(`/narrations/${id}/audio`), 409, 'NARRATION_AUDIO_NOT_READY');
      expectProblem(await get(`/narrations/${id}/audio`, otherToken), 404, 'NARRATION_NOT_FOUND');

      const whole = Buffer.from('0123456789abcdefghij');
      await gw.narration.complete(id, whole);
      const res = await get(`/narrations/${id}/audio`);
      expect(res.status).toBe(302);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.headers.location).toMatch(new RegExp(`^http://gateway\\.test/api/v1/files/narrations/[^/]+/${id}/narration-1\\.ogg\\?expires=\\d+&signature=`));
      const file = await request(gw.server).get(pathOf(res.headers.location as string)).buffer(true);
      expect(file.status).toBe(200);
      expect(Buffer.compare(file.body as Buffer, whole)).toBe(0);
      const part = await request(gw.server).get(pathOf(res.headers.location as string)).set('range', 'bytes=10-').buffer(true);
      expect({ status: part.status, range: part.headers['content-range'], body: (part.body as Buffer).toString() }).toEqual({ status: 206, range: 'bytes 10-19/20', body: 'abcdefghij' });
    });
  });

  describe('GET /files/... (public, signed)', () => {
    const bytes = Buffer.from('ABCDEFGHIJKLMNOPQRSTUVWXYZ');
    const key = `narrations/${uuidv7()}/${uuidv7()}/narration-1.ogg`;
    const signer = (clock?: { now(): Date }) => new UrlSigner({ secrets: [TEST_FILES_SECRET], basePath: `${API}/files`, ...(clock ? { clock } : {}) });

    beforeAll(async () => {
      await gw.storage.put(key, bytes, { contentType: 'audio/ogg' });
    });

    it('200 with the real Content-Type, Accept-Ranges and length, without a bearer token; HEAD too', async () => {
      const link = signer().sign(key);
      const res = await request(gw.server).get(link).buffer(true);
      expect(res.status).toBe(200);
      expect(res.headers).toMatchObject({ 'content-type': 'audio/ogg', 'accept-ranges': 'bytes', 'content-length': String(bytes.length), 'x-content-type-options': 'nosniff' });
      expect(res.headers['cache-control']).toMatch(/^private, max-age=(8\d\d|900), immutable$/);
      expect(Buffer.compare(res.body as Buffer, bytes)).toBe(0);
      const head = await request(gw.server).head(link);
      expect({ status: head.status, length: head.headers['content-length'], type: head.headers['content-type'] }).toEqual({ status: 200, length: '26', type: 'audio/ogg' });
    });

    it('206 with Content-Range and exactly the asked bytes; 416 problem+json past the end', async () => {
      const link = signer().sign(key);
      const cases: Array<[string, string, string]> = [
        ['bytes=0-3', 'bytes 0-3/26', 'ABCD'],
        ['bytes=20-', 'bytes 20-25/26', 'UVWXYZ'],
        ['bytes=-2', 'bytes 24-25/26', 'YZ'],
        ['bytes=24-100', 'bytes 24-25/26', 'YZ'],
      ];
      for (const [range, contentRange, body] of cases) {
        const res = await request(gw.server).get(link).set('range', range).buffer(true);
        expect({ range, status: res.status, contentRange: res.headers['content-range'], length: res.headers['content-length'], body: (res.body as Buffer).toString() }).toEqual({
          range,
          status: 206,
          contentRange,
          length: String(body.length),
          body,
        });
      }
      const past = await request(gw.server).get(link).set('range', 'bytes=26-');
      expectProblem(past, 416, 'RANGE_NOT_SATISFIABLE');
      expect(past.headers['content-range']).toBe('bytes */26');
    });

    it('403 FILE_SIGNATURE_MISSING, FILE_SIGNATURE_INVALID (tampered signature, key, expiry or a repeated parameter) and FILE_LINK_EXPIRED', async () => {
      const link = signer().sign(key);
      const [path, query] = link.split('?') as [string, string];
      const params = new URLSearchParams(query);
      const sig = params.get('signature')!;
      const expires = params.get('expires')!;

      expectProblem(await request(gw.server).get(path), 403, 'FILE_SIGNATURE_MISSING');
      expectProblem(await request(gw.server).get(`${path}?expires=${expires}`), 403, 'FILE_SIGNATURE_MISSING');
      const flipped = `${sig.slice(0, -2)}${sig.at(-2) === 'A' ? 'B' : 'A'}${sig.at(-1)}`;
      expectProblem(await request(gw.server).get(`${path}?expires=${expires}&signature=${flipped}`), 403, 'FILE_SIGNATURE_INVALID');
      expectProblem(await request(gw.server).get(`${path}?expires=${Number(expires) + 3600}&signature=${sig}`), 403, 'FILE_SIGNATURE_INVALID');
      expectProblem(await request(gw.server).get(`${path.replace('narration-1', 'narration-2')}?${query}`), 403, 'FILE_SIGNATURE_INVALID');
      expectProblem(await request(gw.server).get(`${link}&signature=${sig}`), 403, 'FILE_SIGNATURE_INVALID');
      const forged = new UrlSigner({ secrets: ['another-secret-that-is-long-enough-0123456789'], basePath: `${API}/files` }).sign(key);
      expectProblem(await request(gw.server).get(forged), 403, 'FILE_SIGNATURE_INVALID');

      const anHourAgo = { now: () => new Date(Date.now() - 3_600_000) };
      const expired = await request(gw.server).get(signer(anHourAgo).sign(key, 60));
      expectProblem(expired, 403, 'FILE_LINK_EXPIRED');
      expect(expired.headers['cache-control']).toBe('no-store');
    });

    it('404 FILE_NOT_FOUND for a genuine link to an object deleted since (erasure)', async () => {
      const gone = `voices/${uuidv7()}/${uuidv7()}/samples/${uuidv7()}.ogg`;
      await gw.storage.put(gone, Buffer.from('x'), { contentType: 'audio/ogg' });
      const link = signer().sign(gone);
      expect((await request(gw.server).get(link)).status).toBe(200);
      await gw.storage.delete(gone);
      expectProblem(await request(gw.server).get(link), 404, 'FILE_NOT_FOUND');
    });
  });

  it('maps narration being down to 503 with Retry-After', async () => {
    gw.narration.failWith = grpcError(14, 'unavailable');
    const res = await get('/voices');
    expectProblem(res, 503, 'SERVICE_UNAVAILABLE');
    expect(res.headers['retry-after']).toBe('5');
  });

  it('documents the routes in OpenAPI, with the multipart body of a sample', async () => {
    const doc = (await request(gw.server).get('/openapi.json')).body as {
      paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: { $ref?: string } }> }; responses: Record<string, unknown>; security?: unknown }>>;
      components: { schemas: Record<string, { properties?: Record<string, { format?: string }> }> };
    };
    const ops = (path: string) => Object.keys(doc.paths[path] ?? {}).sort();
    expect(ops(`${API}/voices`)).toEqual(['get', 'post']);
    expect(ops(`${API}/voices/{id}`)).toEqual(['get']);
    expect(ops(`${API}/voices/{id}/samples`)).toEqual(['post']);
    expect(ops(`${API}/voices/{id}/samples/{sampleId}`)).toEqual(['delete']);
    expect(ops(`${API}/voices/{id}/train`)).toEqual(['post']);
    expect(ops(`${API}/stories/{id}/narrations`)).toEqual(['post']);
    expect(ops(`${API}/narrations/{id}`)).toEqual(['get']);
    expect(ops(`${API}/narrations/{id}/segments/{index}/regenerate`)).toEqual(['post']);
    expect(ops(`${API}/narrations/{id}/audio`)).toEqual(['get']);
    expect(ops(`${API}/files/{key}`)).toEqual(['get']);
    const samples = doc.paths[`${API}/voices/{id}/samples`]!.post!;
    expect(Object.keys(samples.requestBody!.content)).toEqual(['multipart/form-data']);
    expect(doc.components.schemas.AddSampleForm!.properties!.audio!.format).toBe('binary');
    expect(Object.keys(samples.responses)).toEqual(expect.arrayContaining(['201', '400', '413', '415']));
    expect(Object.keys(doc.paths[`${API}/narrations/{id}/audio`]!.get!.responses)).toEqual(expect.arrayContaining(['302', '409']));
    expect(doc.paths[`${API}/files/{key}`]!.get!.security).toBeUndefined();
  });
});
