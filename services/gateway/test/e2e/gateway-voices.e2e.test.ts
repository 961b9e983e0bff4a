/**
 * End to end: the gateway in process in front of the REAL narration service (in process with
 * identity's real tokens, PostgreSQL, Kafka, ffmpeg and a fake of subscription's tiers; narration's
 * own voice harness) sharing one filesystem media store, over HTTP only: a real recording
 * uploaded as multipart is streamed to uploads/, checked by narration by its content, stored
 * normalised (Opus), served back through its signed /files link (200, 206), refused with
 * narration's codes when it is not a usable recording, and trained into a ready voice whose
 * samples are then locked. No upload is ever left behind.
 */
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { probeAudio } from '@storytelling/platform';
import { waitUntil } from '@storytelling/testing';
import { audioTools, silence, speech, textFile, tone, voiceScratch } from '../../../narration/test/support/voice-audio.js';
import { registerUser, startVoiceStack, type TestUser, type VoiceStack } from '../../../narration/test/support/voice-harness.js';
import { STOCK_VOICE_ID } from '../../src/domain/narrations.js';
import { startGateway } from '../support/app.js';
import { expectProblem, type HttpServer } from '../support/http.js';

const API = '/api/v1';
const { dir, cleanup } = voiceScratch('gateway-e2e');

describe('gateway ⇄ narration: voices and samples (real narration and identity services, Postgres, Kafka, ffmpeg)', () => {
  let stack: VoiceStack;
  let gateway: INestApplication;
  let http: HttpServer;
  let ann: TestUser;
  let bob: TestUser;

  beforeAll(async () => {
    stack = await startVoiceStack('gateway-voices');
    gateway = await startGateway({
      IDENTITY_GRPC_URL: stack.identity.handle.grpcUrl!,
      NARRATION_GRPC_URL: stack.narration.grpcUrl!,
      OBJECT_STORAGE: 'fs',
      OBJECT_STORAGE_DIR: stack.objectsDir,
      PUBLIC_BASE_URL: 'http://gateway.test',
    });
    http = gateway.getHttpServer();
    [ann, bob] = await Promise.all([registerUser(stack, 'Ann'), registerUser(stack, 'Bob')]);
  }, 180_000);

  afterAll(async () => {
    await gateway?.close();
    await stack?.close();
    cleanup();
  });

  const as = (r: request.Test, user: TestUser) => r.set('authorization', `Bearer ${user.token}`);
  const get = (path: string, user = ann) => as(request(http).get(`${API}${path}`), user);
  const post = (path: string, body?: object, user = ann) => as(request(http).post(`${API}${path}`), user).send(body);
  const upload = (voiceId: string, emotion: string, file: string, user = ann, type = 'audio/wav') =>
    as(request(http).post(`${API}/voices/${voiceId}/samples`), user)
      .field('emotion', emotion)
      .field('text', `A line spoken in ${emotion}.`)
      .attach('audio', file, { filename: 'take.wav', contentType: type });
  /** The path and query of an absolute signed link. */
  const pathOf = (url: string): string => {
    const u = new URL(url);
    return `${u.pathname}${u.search}`;
  };
  const uploadsLeft = (): string[] => {
    try {
      return readdirSync(join(stack.objectsDir, 'uploads'));
    } catch {
      return [];
    }
  };

  async function newVoice(name = 'Grandma Rose', user = ann): Promise<string> {
    const res = await post('/voices', { name }, user);
    expect(res.status).toBe(201);
    return res.body.id as string;
  }

  it('creates and lists voices (the stock narrator first); another user’s voice is 404 VOICE_NOT_FOUND', async () => {
    const id = await newVoice();
    const list = await get('/voices');
    expect(list.status).toBe(200);
    expect(list.body.items[0]).toMatchObject({ id: STOCK_VOICE_ID, trainingStatus: 'ready', provider: 'stock', samples: [] });
    expect(list.body.items.map((v: { id: string }) => v.id)).toContain(id);
    expect((await get(`/voices/${id}`)).body).toMatchObject({ id, name: 'Grandma Rose', trainingStatus: 'collecting', samples: [] });
    expectProblem(await get(`/voices/${id}`, bob), 404, 'VOICE_NOT_FOUND');
  });

  it('a real recording goes in as multipart and comes back normalised (Opus) through its signed link, with Range', async () => {
    const voiceId = await newVoice();
    const recording = await speech(dir, 'hello.wav', 'Hello there, little one. It is time for a story.');
    const input = await probeAudio(recording, audioTools);
    const res = await upload(voiceId, 'joy', recording);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ emotion: 'joy', locked: false, contentType: 'audio/ogg', audioUrl: expect.stringMatching(/^http:\/\/gateway\.test\/api\/v1\/files\/voices\//) });
    expect(Math.abs(res.body.durationSeconds - input.durationSec)).toBeLessThan(0.15);
    expect(uploadsLeft()).toEqual([]);

    const file = await request(http).get(pathOf(res.body.audioUrl)).buffer(true);
    expect(file.status).toBe(200);
    expect(file.headers['content-type']).toBe('audio/ogg');
    expect(file.headers['accept-ranges']).toBe('bytes');
    const downloaded = join(dir, 'downloaded.ogg');
    writeFileSync(downloaded, file.body as Buffer);
    expect(await probeAudio(downloaded, audioTools)).toMatchObject({ container: 'ogg', codec: 'opus', channels: 1 });

    const head = await request(http).get(pathOf(res.body.audioUrl)).set('range', 'bytes=0-3').buffer(true);
    expect({ status: head.status, body: (head.body as Buffer).toString('latin1') }).toEqual({ status: 206, body: 'OggS' });

    // The voice lists the sample with a link signed afresh.
    const voice = await get(`/voices/${voiceId}`);
    expect(voice.body.samples).toEqual([expect.objectContaining({ id: res.body.id, audioUrl: expect.stringContaining('/api/v1/files/voices/') })]);
  }, 60_000);

  it('refuses what is not a usable recording with narration’s codes, by content, and keeps no upload', async () => {
    const voiceId = await newVoice();
    const cases: Array<[string, Promise<string> | string, number, string]> = [
      ['a text file declared audio/wav', textFile(dir, 'minutes.wav'), 400, 'AUDIO_NOT_AUDIO'],
      ['0.5 s', tone(dir, 'half.wav', 0.5), 400, 'AUDIO_TOO_SHORT'],
      ['3 s of silence', silence(dir, 'silent.wav', 3), 400, 'AUDIO_SILENT'],
    ];
    for (const [what, file, status, code] of cases) {
      const res = await upload(voiceId, 'fear', await file);
      expect({ what, status: res.status, code: res.body.code }).toEqual({ what, status, code });
    }
    expectProblem(await upload(voiceId, 'boredom', await tone(dir, 'ok.wav', 2)), 400, 'UNKNOWN_EMOTION');
    expectProblem(await upload(voiceId, 'joy', await tone(dir, 'theirs.wav', 2), bob), 404, 'VOICE_NOT_FOUND');
    expect(uploadsLeft()).toEqual([]);
    expect((await get(`/voices/${voiceId}`)).body.samples).toEqual([]);
  }, 60_000);

  it('trains by voice matching once five emotions are recorded and the tier allows it; the samples are then locked', async () => {
    const voiceId = await newVoice('Dad');
    const emotions = ['joy', 'sadness', 'anger', 'fear', 'neutral'];
    const sampleIds: string[] = [];
    for (const [i, emotion] of emotions.slice(0, 4).entries()) {
      const res = await upload(voiceId, emotion, await tone(dir, `dad-${emotion}.wav`, 2, 140 + i * 10));
      expect(res.status).toBe(201);
      sampleIds.push(res.body.id as string);
    }
    expectProblem(await post(`/voices/${voiceId}/train`), 422, 'NOT_ENOUGH_EMOTIONS');

    const fifth = await upload(voiceId, 'neutral', await tone(dir, 'dad-neutral.wav', 2, 150));
    expect(fifth.status).toBe(201);
    // An unlocked sample can go (and come back).
    expect((await as(request(http).delete(`${API}/voices/${voiceId}/samples/${fifth.body.id}`), ann)).status).toBe(204);
    expect((await upload(voiceId, 'neutral', await tone(dir, 'dad-neutral-2.wav', 2, 150))).status).toBe(201);
    // Ann is on the free tier: no voice cloning.
    expectProblem(await post(`/voices/${voiceId}/train`), 422, 'VOICE_CLONING_NOT_IN_TIER');
    stack.subscription.tiers.set(ann.id, 'gold');

    const training = await post(`/voices/${voiceId}/train`);
    expect(training.status).toBe(202);
    expect(training.headers.location).toBe(`${API}/voices/${voiceId}`);
    expect(training.body.trainingStatus).toBe('training');
    await waitUntil(async () => (await get(`/voices/${voiceId}`)).body.trainingStatus !== 'training', 60_000);
    const trained = await get(`/voices/${voiceId}`);
    expect(trained.body).toMatchObject({ trainingStatus: 'ready', provider: 'local', failureReason: null, profile: { f0MedianHz: expect.any(Number) } });
    expect(trained.body.samples.every((s: { locked: boolean }) => s.locked)).toBe(true);
    expectProblem(await as(request(http).delete(`${API}/voices/${voiceId}/samples/${sampleIds[0]}`), ann), 409, 'SAMPLE_LOCKED');
  }, 120_000);

  it('413 for an 11 MB upload before narration is asked; nothing is left in the store', async () => {
    const voiceId = await newVoice();
    const big = Buffer.alloc(11 * 1024 * 1024, 1);
    const res = await as(request(http).post(`${API}/voices/${voiceId}/samples`), ann)
      .field('emotion', 'joy')
      .field('text', 'Too long')
      .attach('audio', big, { filename: 'big.wav', contentType: 'audio/wav' });
    expectProblem(res, 413, 'PAYLOAD_TOO_LARGE');
    expect(uploadsLeft()).toEqual([]);
  });
});
