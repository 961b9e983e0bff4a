// The voice half of NarrationService over gRPC, with narration in process against real
// PostgreSQL and Kafka, identity's real tokens, real audio (Piper speech, ffmpeg tones and
// silence) and a filesystem object store shared with the test as the gateway shares it.
import { join } from 'node:path';
import { CommandBus } from '@nestjs/cqrs';
import { narrationEvents } from '@storytelling/contracts';
import { isSilent, measureSignal, pitchOf, probeAudio } from '@storytelling/platform';
import { EventProbe, waitUntil } from '@storytelling/testing';
import { EraseUserVoicesCommand } from '../../../src/application/index.js';
import { STOCK_VOICE_ID } from '../../../src/domain/index.js';
import { SAMPLE_LINES, audioTools, silence, speakerSample, speech, textFile, tone, voiceScratch } from '../../support/voice-audio.js';
import { as, exists, outcome, registerUser, startVoiceStack, upload, type TestUser, type VoiceStack } from '../../support/voice-harness.js';

const { dir, cleanup } = voiceScratch('grpc');
let stack: VoiceStack;
let ann: TestUser;
let bob: TestUser;
/** Piper's speech an octave up: "Ann's" recordings, one per emotion. */
const annSamples: Record<string, string> = {};

const createVoice = async (user: TestUser, name = 'Grandma') => (await stack.client.createVoice({ name }, as(user))).voice!;
const addSample = async (user: TestUser, voiceId: string, emotion: string, path: string, text = 'The storm came at night.') =>
  stack.client.addSample({ voiceId, emotion, text, uploadObjectKey: await upload(stack, path), declaredContentType: 'audio/wav' }, as(user));
const getVoice = async (user: TestUser, voiceId: string) => (await stack.client.getVoice({ voiceId }, as(user))).voice!;
const local = (key: string) => join(stack.objectsDir, key);

beforeAll(async () => {
  stack = await startVoiceStack('voices');
  [ann, bob] = await Promise.all([registerUser(stack, 'Ann'), registerUser(stack, 'Bob')]);
  for (const emotion of ['joy', 'sadness', 'anger', 'fear', 'neutral']) annSamples[emotion] = await speakerSample(dir, `ann-${emotion}.wav`, SAMPLE_LINES[emotion]!, 12);
}, 180_000);

afterAll(async () => {
  await stack?.close();
  cleanup();
});

describe('voices over gRPC', () => {
  it('CreateVoice answers a collecting voice; ListVoices puts the stock voice first; GetVoice hides other people\'s voices', async () => {
    const voice = await createVoice(ann, 'Grandma Rose');
    expect(voice).toMatchObject({ name: 'Grandma Rose', ownerId: ann.id, trainingStatus: 'collecting', provider: 'local', samples: [] });
    const listed = (await stack.client.listVoices({}, as(ann))).voices;
    expect(listed[0]).toMatchObject({ id: STOCK_VOICE_ID, ownerId: 'stock', provider: 'stock', trainingStatus: 'ready', samples: [] });
    expect(listed.map((v) => v.id)).toContain(voice.id);
    expect((await stack.client.listVoices({}, as(bob))).voices.map((v) => v.id)).toEqual([STOCK_VOICE_ID]);
    expect((await getVoice(bob, STOCK_VOICE_ID)).name).toBe('Storyteller');
    expect(await outcome(stack.client.getVoice({ voiceId: voice.id }, as(bob)))).toBe('NOT_FOUND:VOICE_NOT_FOUND');
    expect(await outcome(stack.client.getVoice({ voiceId: 'nonsense' }, as(ann)))).toBe('NOT_FOUND:VOICE_NOT_FOUND');
    expect(await outcome(stack.client.createVoice({ name: '' }, as(ann)))).toBe('INVALID_ARGUMENT:VALIDATION_FAILED');
    expect(await outcome(stack.client.listVoices({}))).toMatch(/^UNAUTHENTICATED:/);
  });

  it('AddSample checks real audio by content, stores it normalised (Opus, decoded duration) under voices/<owner>/ and deletes the upload', async () => {
    const voice = await createVoice(ann);
    const recorded = await speech(dir, 'recorded.wav', SAMPLE_LINES.neutral!);
    const input = await probeAudio(recorded, audioTools);
    const key = await upload(stack, recorded);
    const { sample } = await stack.client.addSample({ voiceId: voice.id, emotion: 'neutral', text: SAMPLE_LINES.neutral!, uploadObjectKey: key, declaredContentType: 'audio/wav' }, as(ann));
    expect(sample).toMatchObject({ emotion: 'neutral', text: SAMPLE_LINES.neutral, locked: false, contentType: 'audio/ogg' });
    expect(sample!.audioObjectKey).toBe(`voices/${ann.id}/${voice.id}/samples/${sample!.id}.ogg`);
    expect(await exists(stack, key)).toBe(false);

    const stored = await probeAudio(local(sample!.audioObjectKey), audioTools);
    expect(stored).toMatchObject({ container: 'ogg', codec: 'opus', sampleRate: 48000, channels: 1 });
    expect(Math.abs(stored.durationSec - input.durationSec)).toBeLessThan(0.1);
    expect(Math.abs(sample!.durationSeconds - stored.durationSec)).toBeLessThan(0.01);
    expect(isSilent(await measureSignal(local(sample!.audioObjectKey), audioTools))).toBe(false);
    expect((await stack.storage.head(sample!.audioObjectKey)).contentType).toBe('audio/ogg');

    // An MP3 (a 2 s tone from lavfi), whatever the client claims it is.
    const mp3 = await addSample(ann, voice.id, 'joy', await tone(dir, 'tone.mp3', 2, 330));
    expect(Math.abs(mp3.sample!.durationSeconds - 2)).toBeLessThan(0.1);
    expect((await getVoice(ann, voice.id)).samples.map((s) => s.id)).toEqual([sample!.id, mp3.sample!.id]);
  }, 60_000);

  it('refuses what is not a usable recording, each with its code, and keeps no upload', async () => {
    const voice = await createVoice(ann);
    const cases: Array<[string, Promise<string>, string]> = [
      ['a text file named .wav', Promise.resolve(textFile(dir, 'minutes.wav')), 'INVALID_ARGUMENT:AUDIO_NOT_AUDIO'],
      ['0.5 s', tone(dir, 'half.wav', 0.5), 'INVALID_ARGUMENT:AUDIO_TOO_SHORT'],
      ['61 s', tone(dir, 'long.wav', 61), 'INVALID_ARGUMENT:AUDIO_TOO_LONG'],
      ['3 s of silence', silence(dir, 'silent.wav', 3), 'INVALID_ARGUMENT:AUDIO_SILENT'],
    ];
    for (const [what, file, expected] of cases) {
      const key = await upload(stack, await file);
      const result = await outcome(stack.client.addSample({ voiceId: voice.id, emotion: 'joy', text: 'Hello there.', uploadObjectKey: key, declaredContentType: 'audio/wav' }, as(ann)));
      expect([what, result]).toEqual([what, expected]);
      expect([what, await exists(stack, key)]).toEqual([what, false]);
    }
    expect(await outcome(addSample(ann, voice.id, 'rage', annSamples.joy!))).toBe('INVALID_ARGUMENT:UNKNOWN_EMOTION');
    expect(await outcome(addSample(bob, voice.id, 'joy', annSamples.joy!))).toBe('NOT_FOUND:VOICE_NOT_FOUND');
    expect((await getVoice(ann, voice.id)).samples).toEqual([]);
    expect(await stack.storage.deleteByPrefix(`voices/${ann.id}/${voice.id}/`)).toBe(0);
  }, 90_000);

  it('Idempotency-Key (gRPC metadata, as the gateway forwards it): CreateVoice and AddSample answer a retry with the first result; another body is IDEMPOTENCY_KEY_REUSED', async () => {
    const keyed = (key: string, user = ann) => ({ metadata: { ...as(user).metadata, 'idempotency-key': key } });
    const voiceKey = `voice-${Date.now()}`;
    const voice = (await stack.client.createVoice({ name: 'Nana' }, keyed(voiceKey))).voice!;
    expect((await stack.client.createVoice({ name: 'Nana' }, keyed(voiceKey))).voice).toEqual(voice);
    expect(await outcome(stack.client.createVoice({ name: 'Papa' }, keyed(voiceKey)))).toBe('ALREADY_EXISTS:IDEMPOTENCY_KEY_REUSED');
    expect((await stack.client.listVoices({}, as(ann))).voices.filter((v) => v.name === 'Nana')).toHaveLength(1);

    // The retry streams the same recording again: a new upload, answered with the first sample and deleted.
    const sampleKey = `sample-${Date.now()}`;
    const request = async (path: string, emotion = 'joy') => ({ voiceId: voice.id, emotion, text: SAMPLE_LINES[emotion]!, uploadObjectKey: await upload(stack, path), declaredContentType: 'audio/wav' });
    const first = await request(annSamples.joy!);
    const { sample } = await stack.client.addSample(first, keyed(sampleKey));
    const retry = await request(annSamples.joy!);
    expect((await stack.client.addSample(retry, keyed(sampleKey))).sample).toEqual(sample);
    expect(await exists(stack, retry.uploadObjectKey)).toBe(false);
    const other = await request(annSamples.sadness!);
    expect(await outcome(stack.client.addSample(other, keyed(sampleKey)))).toBe('ALREADY_EXISTS:IDEMPOTENCY_KEY_REUSED');
    expect(await exists(stack, other.uploadObjectKey)).toBe(false);
    expect((await getVoice(ann, voice.id)).samples.map((s) => s.id)).toEqual([sample!.id]);
    expect(await stack.storage.deleteByPrefix(`voices/${ann.id}/${voice.id}/`)).toBe(1);
    // Bob's key of the same name is his own.
    expect((await stack.client.createVoice({ name: 'Papa' }, keyed(voiceKey, bob))).voice!.ownerId).toBe(bob.id);
    const keys: Array<{ scope: string }> = await stack.ds.query(`SELECT scope FROM idempotency_keys WHERE key = ANY($1::text[]) ORDER BY scope`, [[voiceKey, sampleKey]]);
    expect(keys.map((k) => k.scope)).toEqual(['narration.AddSample', 'narration.CreateVoice', 'narration.CreateVoice']);
  }, 90_000);

  it('TrainVoice: a free tier is VOICE_CLONING_NOT_IN_TIER, fewer than five emotions NOT_ENOUGH_EMOTIONS', async () => {
    const voice = await createVoice(ann);
    for (const emotion of ['joy', 'sadness', 'anger', 'fear']) await addSample(ann, voice.id, emotion, annSamples[emotion]!);
    stack.subscription.tiers.set(ann.id, 'gold');
    expect(await outcome(stack.client.trainVoice({ voiceId: voice.id }, as(ann)))).toBe('FAILED_PRECONDITION:NOT_ENOUGH_EMOTIONS');
    await addSample(ann, voice.id, 'neutral', annSamples.neutral!);
    stack.subscription.tiers.set(ann.id, 'free');
    expect(await outcome(stack.client.trainVoice({ voiceId: voice.id }, as(ann)))).toBe('FAILED_PRECONDITION:VOICE_CLONING_NOT_IN_TIER');
    expect((await getVoice(ann, voice.id)).trainingStatus).toBe('collecting');
  }, 60_000);

  it('trains by voice matching: training → ready with the measured profile, samples locked, VoiceProfileTrained on Kafka', async () => {
    const probe = await EventProbe.start(narrationEvents.VoiceProfileTrained.topic, { topicPrefix: stack.topicPrefix });
    try {
      stack.subscription.tiers.set(ann.id, 'gold');
      const voice = await createVoice(ann, 'Ann');
      for (const [emotion, path] of Object.entries(annSamples)) await addSample(ann, voice.id, emotion, path, SAMPLE_LINES[emotion]);
      const training = (await stack.client.trainVoice({ voiceId: voice.id }, as(ann))).voice!;
      expect(training.trainingStatus).toBe('training');
      expect(await outcome(stack.client.trainVoice({ voiceId: voice.id }, as(ann)))).toBe('ALREADY_EXISTS:VOICE_TRAINING');

      await waitUntil(async () => (await getVoice(ann, voice.id)).trainingStatus !== 'training', 60_000);
      const trained = await getVoice(ann, voice.id);
      expect(trained).toMatchObject({ trainingStatus: 'ready', provider: 'local', failureReason: '' });
      expect(trained.samples.every((s) => s.locked)).toBe(true);
      const profile = trained.profile!;
      // The samples are the stock voice (about 93 Hz) an octave up.
      expect(profile.f0MedianHz).toBeGreaterThan(150);
      expect(profile.f0MedianHz).toBeLessThan(240);
      expect(profile.charsPerSecond).toBeGreaterThan(8);
      // The profile's median is the median of what pitchOf measures on the stored samples.
      const medians: number[] = [];
      for (const s of trained.samples) medians.push((await pitchOf(local(s.audioObjectKey), audioTools)).f0MedianHz);
      expect(profile.f0MedianHz).toBeCloseTo([...medians].sort((a, b) => a - b)[2]!, 1);

      const event = await probe.waitFor((e) => e.envelope.subject === voice.id && e.envelope.type === narrationEvents.VoiceProfileTrained.type, 20_000);
      expect(narrationEvents.VoiceProfileTrained.fromJSON(event.envelope.data)).toEqual({ voiceId: voice.id, ownerId: ann.id, provider: 'local', f0MedianHz: profile.f0MedianHz });

      const types: Array<{ type: string }> = await stack.ds.query(`SELECT type FROM domain_events WHERE aggregate_id = $1 ORDER BY version`, [voice.id]);
      expect(types.map((t) => t.type.split('.')[3])).toEqual(['created', 'sample_recorded', 'sample_recorded', 'sample_recorded', 'sample_recorded', 'sample_recorded', 'profile_trained']);

      // Locked samples stay; an unlocked one recorded after training can go.
      expect(await outcome(stack.client.deleteSample({ voiceId: voice.id, sampleId: trained.samples[0]!.id }, as(ann)))).toBe('ALREADY_EXISTS:SAMPLE_LOCKED');
      const later = (await addSample(ann, voice.id, 'surprise', annSamples.joy!)).sample!;
      expect(await outcome(stack.client.deleteSample({ voiceId: voice.id, sampleId: later.id }, as(ann)))).toBe('ok');
      expect(await exists(stack, later.audioObjectKey)).toBe(false);
      expect(await outcome(stack.client.deleteSample({ voiceId: voice.id, sampleId: later.id }, as(ann)))).toBe('NOT_FOUND:SAMPLE_NOT_FOUND');
    } finally {
      await probe.close();
    }
  }, 120_000);

  it("EraseUserVoices deletes the user's voices, samples, objects and published events, and nobody else's", async () => {
    const user = await registerUser(stack, 'Cleo');
    const voice = await createVoice(user);
    const { sample } = await addSample(user, voice.id, 'joy', annSamples.joy!);
    const bobs = await createVoice(bob);
    const bobSample = (await addSample(bob, bobs.id, 'joy', annSamples.joy!)).sample!;

    // the outbox relay has published the voices' events (they name the voice)
    const unpublished = async (id: string) => (await stack.ds.query(`SELECT 1 FROM domain_events WHERE aggregate_id = $1 AND published_at IS NULL`, [id])).length;
    await waitUntil(async () => (await unpublished(voice.id)) === 0 && (await unpublished(bobs.id)) === 0, 20_000);
    const eventsOf = async (id: string) => (await stack.ds.query(`SELECT 1 FROM domain_events WHERE aggregate_id = $1`, [id])).length;
    expect(await eventsOf(voice.id)).toBeGreaterThan(0);

    const commands = stack.narration.app.get(CommandBus);
    expect(await commands.execute(new EraseUserVoicesCommand(user.id))).toEqual({ voices: 1, objects: 1, providerVoices: 0 });
    expect(await eventsOf(voice.id)).toBe(0);
    expect(await eventsOf(bobs.id)).toBeGreaterThan(0);
    expect(await exists(stack, sample!.audioObjectKey)).toBe(false);
    expect(await stack.ds.query(`SELECT id FROM voices WHERE owner_id = $1`, [user.id])).toEqual([]);
    expect(await stack.ds.query(`SELECT id FROM voice_samples WHERE voice_id = $1`, [voice.id])).toEqual([]);
    expect(await outcome(stack.client.getVoice({ voiceId: voice.id }, as(user)))).toBe('NOT_FOUND:VOICE_NOT_FOUND');
    expect(await exists(stack, bobSample.audioObjectKey)).toBe(true);
  }, 60_000);
});
