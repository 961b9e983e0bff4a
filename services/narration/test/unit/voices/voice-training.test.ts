// TrainVoice, RunVoiceTrainingJob (voice matching with fake media and cloning) and
// EraseUserVoices against the in-memory unit of work.
import type { Caller } from '@storytelling/platform';
import {
  AddSampleCommand,
  AddSampleHandler,
  CreateVoiceCommand,
  CreateVoiceHandler,
  EraseUserVoicesCommand,
  EraseUserVoicesHandler,
  GetVoiceHandler,
  GetVoiceQuery,
  RunVoiceTrainingJobCommand,
  RunVoiceTrainingJobHandler,
  TrainVoiceCommand,
  TrainVoiceHandler,
  VoiceCloningError,
} from '../../../src/application/index.js';
import { VoiceEventTypes, type Emotion } from '../../../src/domain/index.js';
import { ANN, BOB, failure, FIVE_EMOTIONS, FakeMediaFiles, FakeSubscriptionPlans, FakeVoiceCloning, InMemoryVoiceUnitOfWork, TRAINING, recording } from '../../support/voice-in-memory.js';

describe('voice training (in memory)', () => {
  let uow: InMemoryVoiceUnitOfWork;
  let media: FakeMediaFiles;
  let plans: FakeSubscriptionPlans;
  let cloning: FakeVoiceCloning;
  let wakeups: number;
  let uploads: number;

  const create = async (who: Caller = ANN) => (await new CreateVoiceHandler(uow, uow.clock).execute(new CreateVoiceCommand(who, 'Grandma'))).id;
  /** One sample per emotion, each spoken at `f0` Hz (null: nothing voiced), 3 s for 42 characters (14 per second). */
  const record = async (voiceId: string, emotions: readonly Emotion[], f0: number | null = 200, who: Caller = ANN) => {
    for (const emotion of emotions) {
      const key = `uploads/u${++uploads}`;
      media.put(key, recording({ durationSeconds: 3, ...(f0 === null ? {} : { f0 }) }));
      await new AddSampleHandler(uow, media, uow.clock).execute(new AddSampleCommand(who, voiceId, emotion, 'The light held until dawn, and so did she.', key));
    }
  };
  const train = (voiceId: string, who: Caller = ANN) => new TrainVoiceHandler(uow, plans, { notify: () => void wakeups++ }, uow.clock).execute(new TrainVoiceCommand(who, voiceId));
  const run = (workerId = 'w1', stop?: AbortSignal) => new RunVoiceTrainingJobHandler(uow, media, cloning, TRAINING, uow.clock).execute(new RunVoiceTrainingJobCommand(workerId, stop));
  const get = (voiceId: string, who: Caller = ANN) => new GetVoiceHandler(uow).execute(new GetVoiceQuery(who, voiceId));
  const erase = (userId: string) => new EraseUserVoicesHandler(uow, media, cloning).execute(new EraseUserVoicesCommand(userId));
  const types = (voiceId: string) => uow.events(voiceId).map((e) => e.type);

  beforeEach(() => {
    uow = new InMemoryVoiceUnitOfWork();
    media = new FakeMediaFiles();
    plans = new FakeSubscriptionPlans(true);
    cloning = new FakeVoiceCloning('local');
    wakeups = 0;
    uploads = 0;
  });

  describe('TrainVoice', () => {
    it('a free tier is VOICE_CLONING_NOT_IN_TIER (422); nothing changes', async () => {
      const voice = await create();
      await record(voice, FIVE_EMOTIONS);
      plans.voiceCloning = false;
      expect(await failure(train(voice))).toBe('VOICE_CLONING_NOT_IN_TIER');
      expect(plans.asked).toEqual([ANN.userId]);
      expect((await get(voice)).trainingStatus).toBe('collecting');
      expect(uow.jobs()).toEqual([]);
    });

    it('fewer than five distinct emotions is NOT_ENOUGH_EMOTIONS (422), before subscription is asked', async () => {
      const voice = await create();
      await record(voice, ['joy', 'joy', 'sadness', 'anger', 'fear']);
      expect(await failure(train(voice))).toBe('NOT_ENOUGH_EMOTIONS');
      expect(plans.asked).toEqual([]);
    });

    it('moves the voice to training with one pending job and wakes the workers; again is VOICE_TRAINING', async () => {
      const voice = await create();
      await record(voice, FIVE_EMOTIONS);
      expect((await train(voice)).trainingStatus).toBe('training');
      expect(uow.jobs()).toMatchObject([{ voiceId: voice, status: 'pending', attempts: 0 }]);
      expect(wakeups).toBe(1);
      expect(await failure(train(voice))).toBe('VOICE_TRAINING');
      expect(await failure(train(voice, BOB))).toBe('VOICE_NOT_FOUND');
    });
  });

  describe('RunVoiceTrainingJob (voice matching)', () => {
    it('idle without a job', async () => {
      expect(await run()).toEqual({ kind: 'idle' });
    });

    it('measures every sample, stores the profile, locks the samples and records VoiceProfileTrained', async () => {
      const voice = await create();
      await record(voice, ['joy', 'sadness', 'anger'], 180);
      await record(voice, ['fear', 'neutral'], 220);
      await train(voice);
      const outcome = await run();
      expect(outcome).toMatchObject({ kind: 'trained', voiceId: voice, profile: { f0MedianHz: 180, f0MinHz: 144, f0MaxHz: 275, charsPerSecond: 14 } });
      const trained = await get(voice);
      expect(trained).toMatchObject({ trainingStatus: 'ready', provider: 'local', profile: { f0MedianHz: 180, charsPerSecond: 14 } });
      expect(trained.samples.every((s) => s.locked)).toBe(true);
      expect(uow.jobs()).toMatchObject([{ status: 'succeeded', leaseOwner: null }]);
      expect(types(voice).at(-1)).toBe(VoiceEventTypes.VoiceProfileTrained);
      expect(uow.events(voice).at(-1)!.data).toEqual({ voiceId: voice, ownerId: ANN.userId, provider: 'local', f0MedianHz: 180 });
      expect(cloning.clones).toHaveLength(1);
      expect(cloning.clones[0]!.samples.map((s) => s.emotion)).toEqual([...FIVE_EMOTIONS]);
    });

    it('with ElevenLabs the clone\'s id is kept; retraining replaces it and deletes the old one there', async () => {
      cloning = new FakeVoiceCloning('elevenlabs');
      const voice = await create();
      await record(voice, FIVE_EMOTIONS);
      await train(voice);
      await run();
      expect(uow.tables.voices.get(voice)).toMatchObject({ provider: 'elevenlabs', providerVoiceId: 'el-1' });
      await record(voice, ['love']);
      await train(voice);
      expect(await run()).toMatchObject({ kind: 'trained' });
      expect(uow.tables.voices.get(voice)).toMatchObject({ providerVoiceId: 'el-2' });
      expect(cloning.removed).toEqual(['el-1']);
    });

    it('a sample with no voiced speech fails training at once: failed, NO_VOICE_IN_SAMPLE, VoiceTrainingFailed, samples unlocked', async () => {
      const voice = await create();
      await record(voice, ['joy', 'sadness', 'anger', 'fear']);
      await record(voice, ['neutral'], null);
      await train(voice);
      expect(await run()).toMatchObject({ kind: 'failed', code: 'NO_VOICE_IN_SAMPLE' });
      const failed = await get(voice);
      expect(failed).toMatchObject({ trainingStatus: 'failed', failureReason: 'NO_VOICE_IN_SAMPLE', profile: null });
      expect(failed.samples.some((s) => s.locked)).toBe(false);
      expect(uow.events(voice).at(-1)).toMatchObject({ type: VoiceEventTypes.VoiceTrainingFailed, data: { reason: 'NO_VOICE_IN_SAMPLE' } });
    });

    it("the provider's voice limit fails training with VOICE_LIMIT_REACHED, not retried", async () => {
      cloning = new FakeVoiceCloning('elevenlabs');
      cloning.failure = new VoiceCloningError('VOICE_LIMIT_REACHED', 'limit 10/10', false);
      const voice = await create();
      await record(voice, FIVE_EMOTIONS);
      await train(voice);
      expect(await run()).toMatchObject({ kind: 'failed', code: 'VOICE_LIMIT_REACHED' });
      expect(await get(voice)).toMatchObject({ trainingStatus: 'failed', failureReason: 'VOICE_LIMIT_REACHED' });
      expect(uow.jobs()).toMatchObject([{ status: 'failed', attempts: 1, lastErrorCode: 'VOICE_LIMIT_REACHED' }]);
    });

    it('a provider that is down is retried with backoff, then fails after maxAttempts', async () => {
      cloning = new FakeVoiceCloning('elevenlabs');
      cloning.failure = new VoiceCloningError('PROVIDER_UNAVAILABLE', '503', true);
      const voice = await create();
      await record(voice, FIVE_EMOTIONS);
      await train(voice);
      expect(await run()).toMatchObject({ kind: 'retry', code: 'PROVIDER_UNAVAILABLE' });
      expect(await run()).toEqual({ kind: 'idle' });
      uow.clock.advance(TRAINING.retryBaseMs);
      expect(await run()).toMatchObject({ kind: 'failed', code: 'PROVIDER_UNAVAILABLE' });
      expect((await get(voice)).trainingStatus).toBe('failed');
    });

    it('a job whose lease another worker took over is lost: nothing is written, the clone is deleted', async () => {
      cloning = new FakeVoiceCloning('elevenlabs');
      const voice = await create();
      await record(voice, FIVE_EMOTIONS);
      await train(voice);
      const original = cloning.clone.bind(cloning);
      cloning.clone = async (input) => {
        // While w1 works, its lease runs out and w2 claims the job.
        uow.clock.advance(TRAINING.leaseMs + 1);
        await uow.reader.voiceTrainingJobs.claim('w2', TRAINING.leaseMs);
        return original(input);
      };
      expect(await run('w1')).toMatchObject({ kind: 'lost' });
      expect((await get(voice)).trainingStatus).toBe('training');
      expect(cloning.removed).toEqual(['el-1']);
    });

    it('interrupted by shutdown, the job is handed back without counting the attempt', async () => {
      const voice = await create();
      await record(voice, FIVE_EMOTIONS);
      await train(voice);
      const stop = new AbortController();
      stop.abort();
      expect(await run('w1', stop.signal)).toMatchObject({ kind: 'released' });
      expect(uow.jobs()).toMatchObject([{ status: 'pending', attempts: 0 }]);
      expect(await run('w2')).toMatchObject({ kind: 'trained' });
    });
  });

  describe('EraseUserVoices', () => {
    it("deletes the user's voices, samples, jobs, objects under voices/<user>/ and provider voices; others stay", async () => {
      cloning = new FakeVoiceCloning('elevenlabs');
      const voice = await create();
      await record(voice, FIVE_EMOTIONS);
      await train(voice);
      await run();
      const collecting = await create();
      await record(collecting, ['joy']);
      const bobs = await create(BOB);
      await record(bobs, ['joy'], 200, BOB);

      expect(await erase(ANN.userId)).toEqual({ voices: 2, objects: 6, providerVoices: 1 });
      expect([...uow.tables.voices.keys()]).toEqual([bobs]);
      expect(uow.jobs()).toEqual([]);
      expect(media.keys(`voices/${ANN.userId}/`)).toEqual([]);
      expect(media.keys(`voices/${BOB.userId}/`)).toHaveLength(1);
      expect(cloning.removed).toEqual(['el-1']);
      expect(await failure(get(voice))).toBe('VOICE_NOT_FOUND');

      // Again (a redelivered UserDeactivated): nothing left, nothing fails.
      expect(await erase(ANN.userId)).toEqual({ voices: 0, objects: 0, providerVoices: 0 });
    });

    it('a user id that is not a UUID is refused (the message is malformed)', async () => {
      expect(await failure(erase('../../etc'))).toBe('VALIDATION_FAILED');
    });
  });
});
