// CreateVoice, ListVoices, GetVoice, AddSample and DeleteSample against the in-memory unit of
// work and fake media files: the rules of the handlers, not the audio tools (test/integration/voices).
import { runWithContext, type Caller } from '@storytelling/platform';
import {
  AddSampleCommand,
  AddSampleHandler,
  CreateVoiceCommand,
  CreateVoiceHandler,
  DeleteSampleCommand,
  DeleteSampleHandler,
  GetVoiceHandler,
  GetVoiceQuery,
  ListVoicesHandler,
  ListVoicesQuery,
} from '../../../src/application/index.js';
import { STOCK_VOICE_ID, VoiceEventTypes } from '../../../src/domain/index.js';
import { ANN, BOB, failure, FIVE_EMOTIONS, FakeMediaFiles, InMemoryVoiceUnitOfWork, recording, type FakeRecording } from '../../support/voice-in-memory.js';

describe('voices and samples (in memory)', () => {
  let uow: InMemoryVoiceUnitOfWork;
  let media: FakeMediaFiles;
  let uploads = 0;

  const create = (name = 'Grandma', who: Caller = ANN) => new CreateVoiceHandler(uow, uow.clock).execute(new CreateVoiceCommand(who, name));
  const list = (who: Caller = ANN) => new ListVoicesHandler(uow).execute(new ListVoicesQuery(who));
  const get = (voiceId: string, who: Caller = ANN) => new GetVoiceHandler(uow).execute(new GetVoiceQuery(who, voiceId));
  const upload = (content: FakeRecording | string): string => {
    const key = `uploads/upload-${++uploads}`;
    media.put(key, typeof content === 'string' ? Buffer.from(content) : recording(content));
    return key;
  };
  const add = (voiceId: string, emotion: string, key: string, who: Caller = ANN, text = 'The storm came at night.') =>
    new AddSampleHandler(uow, media, uow.clock).execute(new AddSampleCommand(who, voiceId, emotion, text, key));
  const remove = (voiceId: string, sampleId: string, who: Caller = ANN) => new DeleteSampleHandler(uow, media).execute(new DeleteSampleCommand(who, voiceId, sampleId));

  beforeEach(() => {
    uow = new InMemoryVoiceUnitOfWork();
    media = new FakeMediaFiles();
  });

  describe('CreateVoice, ListVoices, GetVoice', () => {
    it('creates a collecting voice (VoiceCreated) in one unit of work', async () => {
      const voice = await create('  Grandma ');
      expect(voice).toMatchObject({ name: 'Grandma', ownerId: ANN.userId, trainingStatus: 'collecting', provider: 'local', samples: [], profile: null, failureReason: null });
      expect(uow.commits).toBe(1);
      expect(uow.events(voice.id).map((e) => e.type)).toEqual([VoiceEventTypes.VoiceCreated]);
      expect(await failure(create(''))).toBe('VALIDATION_FAILED');
    });

    it('Idempotency-Key: the same key and name answer the first voice (dates revived); another name is IDEMPOTENCY_KEY_REUSED', async () => {
      const withKey = <T>(key: string, work: () => Promise<T>) => runWithContext({ correlationId: 'c', idempotencyKey: key }, work);
      const first = await withKey('k-1', () => create('Grandma'));
      const replay = await withKey('k-1', () => create(' Grandma '));
      expect(replay).toEqual(first);
      expect(replay.createdAt).toBeInstanceOf(Date);
      expect(await failure(withKey('k-1', () => create('Grandpa')))).toBe('IDEMPOTENCY_KEY_REUSED');
      await withKey('k-1', () => create('Grandma', BOB));
      await withKey('k-2', () => create('Grandma'));
      expect(uow.tables.voices.size).toBe(3);
      expect(uow.events().map((e) => e.type)).toEqual([VoiceEventTypes.VoiceCreated, VoiceEventTypes.VoiceCreated, VoiceEventTypes.VoiceCreated]);
    });

    it('lists the stock voice first, then only the caller\'s own voices, oldest first', async () => {
      const first = await create('First');
      uow.clock.advance(1000);
      const second = await create('Second');
      await create('Bob\'s', BOB);
      const voices = await list();
      expect(voices.map((v) => v.id)).toEqual([STOCK_VOICE_ID, first.id, second.id]);
      expect(voices[0]).toMatchObject({ ownerId: 'stock', provider: 'stock', trainingStatus: 'ready', samples: [] });
      expect((await list(BOB)).map((v) => v.name)).toEqual(['Storyteller', "Bob's"]);
    });

    it('gets an own voice or the stock voice; someone else\'s, an unknown or a malformed id is VOICE_NOT_FOUND', async () => {
      const voice = await create();
      expect((await get(voice.id)).id).toBe(voice.id);
      expect((await get(STOCK_VOICE_ID, BOB)).provider).toBe('stock');
      expect(await failure(get(voice.id, BOB))).toBe('VOICE_NOT_FOUND');
      expect(await failure(get('0190a0d0-0000-7000-8000-00000000ffff'))).toBe('VOICE_NOT_FOUND');
      expect(await failure(get('not-a-uuid'))).toBe('VOICE_NOT_FOUND');
    });
  });

  describe('AddSample', () => {
    it('checks the upload, stores the normalised audio under its own key, records it and deletes the upload', async () => {
      const voice = await create();
      const key = upload({ durationSeconds: 4.2, f0: 190 });
      const sample = await add(voice.id, 'Joy', key);
      expect(sample).toMatchObject({ emotion: 'joy', text: 'The storm came at night.', durationSeconds: 4.2, locked: false, contentType: 'audio/ogg' });
      expect(sample.audioObjectKey).toBe(`voices/${ANN.userId}/${voice.id}/samples/${sample.id}.ogg`);
      expect(media.keys()).toEqual([sample.audioObjectKey]);
      expect(media.deleted).toContain(key);
      expect(uow.events(voice.id).at(-1)).toMatchObject({
        type: VoiceEventTypes.VoiceSampleRecorded,
        data: { voiceId: voice.id, ownerId: ANN.userId, sampleId: sample.id, emotion: 'joy', durationSeconds: 4.2 },
      });
      expect((await get(voice.id)).samples.map((s) => s.id)).toEqual([sample.id]);
    });

    it.each([
      ['a text file', 'just some text, named sample.wav', 'AUDIO_NOT_AUDIO'],
      ['half a second', { durationSeconds: 0.5, f0: 200 }, 'AUDIO_TOO_SHORT'],
      ['61 seconds', { durationSeconds: 61, f0: 200 }, 'AUDIO_TOO_LONG'],
      ['silence', { durationSeconds: 3, silent: true }, 'AUDIO_SILENT'],
    ] as const)('refuses %s with %s, stores nothing and still deletes the upload', async (_what, content, expected) => {
      const voice = await create();
      const key = upload(content);
      expect(await failure(add(voice.id, 'joy', key))).toBe(expected);
      expect(media.keys()).toEqual([]);
      expect(media.deleted).toEqual([key]);
      expect((await get(voice.id)).samples).toEqual([]);
    });

    it('an unknown emotion, an empty text, a key outside uploads/ or a missing upload is refused before any audio work', async () => {
      const voice = await create();
      const key = upload({ durationSeconds: 3, f0: 200 });
      expect(await failure(add(voice.id, 'rage', key))).toBe('UNKNOWN_EMOTION');
      expect(await failure(add(voice.id, 'joy', key, ANN, '  '))).toBe('VALIDATION_FAILED');
      expect(await failure(add(voice.id, 'joy', `voices/${BOB.userId}/x/samples/y.ogg`))).toBe('VALIDATION_FAILED');
      expect(await failure(add(voice.id, 'joy', 'uploads/nothing-here'))).toBe('VALIDATION_FAILED');
      expect(media.deleted).toEqual([]);
    });

    it('Idempotency-Key: a retry (same voice, emotion, text and audio, a new upload) answers the first sample without audio work and deletes its upload', async () => {
      const voice = await create();
      const withKey = <T>(key: string, work: () => Promise<T>) => runWithContext({ correlationId: 'c', idempotencyKey: key }, work);
      const audio = { durationSeconds: 4.2, f0: 190 };
      const first = await withKey('s-1', () => add(voice.id, 'joy', upload(audio)));
      const stored = media.keys();
      // Training has started since: the retry still gets its sample.
      for (const emotion of FIVE_EMOTIONS) await add(voice.id, emotion, upload({ durationSeconds: 3, f0: 200 }));
      const state = uow.tables.voices.get(voice.id)!;
      uow.tables.voices.set(voice.id, { ...state, trainingStatus: 'training' });
      const retryUpload = upload(audio);
      const replay = await withKey('s-1', () => add(voice.id, ' Joy ', retryUpload));
      expect(replay).toEqual(first);
      expect(replay.createdAt).toBeInstanceOf(Date);
      expect(media.keys()).toEqual(expect.arrayContaining(stored));
      expect(media.keys('uploads/')).toEqual([]);
      expect(media.deleted).toContain(retryUpload);
      expect(uow.tables.voices.get(voice.id)!.samples).toHaveLength(6);

      // Another recording, emotion or text under the same key is another request.
      uow.tables.voices.set(voice.id, state);
      const other = upload({ durationSeconds: 5, f0: 190 });
      expect(await failure(withKey('s-1', () => add(voice.id, 'joy', other)))).toBe('IDEMPOTENCY_KEY_REUSED');
      expect(await failure(withKey('s-1', () => add(voice.id, 'sadness', upload(audio))))).toBe('IDEMPOTENCY_KEY_REUSED');
      expect(media.deleted).toContain(other);
      expect(media.keys('uploads/')).toEqual([]);
      expect(uow.tables.voices.get(voice.id)!.samples).toHaveLength(6);
    });

    it('Idempotency-Key: two retries racing past the first look-up record one sample; the loser answers it and deletes its own audio', async () => {
      const voice = await create();
      const audio = { durationSeconds: 3, f0: 200 };
      const [a, b] = await runWithContext({ correlationId: 'c', idempotencyKey: 's-race' }, () => Promise.all([add(voice.id, 'joy', upload(audio)), add(voice.id, 'joy', upload(audio))]));
      expect(a).toEqual(b);
      expect(uow.tables.voices.get(voice.id)!.samples.map((s) => s.id)).toEqual([a.id]);
      expect(media.keys()).toEqual([a.audioObjectKey]);
      // Both normalised and stored their audio; the loser's went again.
      expect(media.deleted.filter((k) => k.startsWith('voices/'))).toHaveLength(1);
    });

    it("someone else's voice is VOICE_NOT_FOUND; a voice in training is VOICE_TRAINING", async () => {
      const voice = await create();
      expect(await failure(add(voice.id, 'joy', upload({ durationSeconds: 3, f0: 200 }), BOB))).toBe('VOICE_NOT_FOUND');
      expect(await failure(add(STOCK_VOICE_ID, 'joy', upload({ durationSeconds: 3, f0: 200 })))).toBe('VOICE_NOT_FOUND');
      for (const emotion of FIVE_EMOTIONS) await add(voice.id, emotion, upload({ durationSeconds: 3, f0: 200 }));
      const state = uow.tables.voices.get(voice.id)!;
      uow.tables.voices.set(voice.id, { ...state, trainingStatus: 'training' });
      expect(await failure(add(voice.id, 'joy', upload({ durationSeconds: 3, f0: 200 })))).toBe('VOICE_TRAINING');
    });
  });

  describe('DeleteSample', () => {
    it('deletes an unlocked sample and then its audio', async () => {
      const voice = await create();
      const sample = await add(voice.id, 'joy', upload({ durationSeconds: 3, f0: 200 }));
      await remove(voice.id, sample.id);
      expect((await get(voice.id)).samples).toEqual([]);
      expect(media.keys()).toEqual([]);
      expect(media.deleted).toContain(sample.audioObjectKey);
    });

    it('a locked sample is SAMPLE_LOCKED and stays; an unknown one SAMPLE_NOT_FOUND; someone else\'s voice VOICE_NOT_FOUND', async () => {
      const voice = await create();
      const sample = await add(voice.id, 'joy', upload({ durationSeconds: 3, f0: 200 }));
      const state = uow.tables.voices.get(voice.id)!;
      uow.tables.voices.set(voice.id, { ...state, samples: state.samples.map((s) => ({ ...s, locked: true })) });
      expect(await failure(remove(voice.id, sample.id))).toBe('SAMPLE_LOCKED');
      expect(media.keys()).toEqual([sample.audioObjectKey]);
      expect(await failure(remove(voice.id, '0190a0d0-0000-7000-8000-00000000ffff'))).toBe('SAMPLE_NOT_FOUND');
      expect(await failure(remove(voice.id, sample.id, BOB))).toBe('VOICE_NOT_FOUND');
    });
  });
});
