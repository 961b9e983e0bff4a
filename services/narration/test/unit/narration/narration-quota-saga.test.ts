import { narrationCommands, narrationEvents, subscriptionCommands, subscriptionEvents } from '@storytelling/contracts';
import { uuidv7 } from '@storytelling/kernel';
import { sagaTest, type SagaTest } from '@storytelling/testing';
import { narrationQuotaSaga, type NarrationQuotaDeps, type NarrationQuotaState } from '../../../src/application/index.js';
import { Narration, STOCK_VOICE_ID, segmentStory, voiceSegments } from '../../../src/domain/index.js';
import { InMemoryNarrationUnitOfWork } from '../../support/narration-in-memory.js';
import { lighthouse } from '../../support/narration-world.js';
import { ANN, InMemoryVoiceUnitOfWork } from '../../support/voice-in-memory.js';

// The narration-quota saga against in-memory repositories and the in-memory saga port: every path
// of its spec (reserved → generated → committed; QuotaExceeded; generation failed → released).

interface World {
  t: SagaTest<NarrationQuotaState, NarrationQuotaDeps>;
  uow: InMemoryNarrationUnitOfWork;
  state: NarrationQuotaState;
  reserve: subscriptionCommands.ReserveUsage;
}

async function world(): Promise<World> {
  const voices = new InMemoryVoiceUnitOfWork();
  const uow = new InMemoryNarrationUnitOfWork(voices.clock, () => voices.reader.voices);
  const story = lighthouse();
  const narrationId = uuidv7();
  const sagaId = uuidv7();
  await uow.run((repos) =>
    repos.narrations.add(
      Narration.request(
        {
          id: narrationId,
          storyId: story.storyId,
          ownerId: ANN.userId,
          voiceId: STOCK_VOICE_ID,
          characterVoices: {},
          narratorProfile: 'neutral',
          conversationStyle: 'respectful',
          segments: voiceSegments(segmentStory(story), STOCK_VOICE_ID, {}),
          sagaId,
        },
        voices.clock,
      ),
    ),
  );
  const state: NarrationQuotaState = {
    narrationId,
    storyId: story.storyId,
    ownerId: ANN.userId,
    voiceId: STOCK_VOICE_ID,
    characterVoices: {},
    reservationId: uuidv7(),
    reservationTtlSeconds: 3_600,
  };
  const deps: NarrationQuotaDeps = {
    get repos() {
      return uow.reader;
    },
  };
  const t = sagaTest(narrationQuotaSaga, deps, voices.clock);
  await t.start({ id: sagaId, state, key: `narration:${narrationId}` });
  const reserve = t.expectCommand(subscriptionCommands.ReserveUsage);
  return { t, uow, state, reserve };
}

const SUBSCRIPTION = uuidv7();
const usage = (s: NarrationQuotaState) => ({ subscriptionId: SUBSCRIPTION, userId: s.ownerId, reservationId: s.reservationId, resource: 'narrations', amount: 1 });
const reserved = (s: NarrationQuotaState) => subscriptionEvents.UsageReserved.fromJSON({ ...usage(s), periodStart: '2026-12-01T00:00:00Z', expiresAt: '2026-12-01T11:00:00Z' });
const generated = (s: NarrationQuotaState, sagaId: string) =>
  narrationEvents.NarrationGenerated.fromJSON({ narrationId: s.narrationId, storyId: s.storyId, ownerId: s.ownerId, segments: 5, durationSeconds: 9.5, sagaId });
const failed = (s: NarrationQuotaState, sagaId: string, reason: string) => narrationEvents.NarrationFailed.fromJSON({ narrationId: s.narrationId, storyId: s.storyId, ownerId: s.ownerId, reason, sagaId });

describe('narration-quota saga (unit)', () => {
  it('reserves one narration for the owner, with its TTL, correlated by the reservation', async () => {
    const { t, state, reserve } = await world();
    expect(reserve).toEqual({ sagaId: t.saga.id, reservationId: state.reservationId, userId: ANN.userId, resource: 'narrations', amount: 1, ttlSeconds: 3_600 });
    t.expectStatus('running', 'reserve-quota');
    expect(t.saga.deadlineAt).toBeNull();
  });

  it('reserved → GenerateNarration to narration.commands → generated → CommitUsage → committed: completed', async () => {
    const { t, state } = await world();
    await t.reply(subscriptionEvents.UsageReserved, reserved(state));
    const generate = t.expectCommand(narrationCommands.GenerateNarration);
    expect(narrationCommands.GenerateNarration.topic).toBe('narration.commands');
    expect(generate).toEqual({ sagaId: t.saga.id, narrationId: state.narrationId, storyId: state.storyId, ownerId: ANN.userId, voiceId: STOCK_VOICE_ID, characterVoices: {} });
    t.expectStatus('running', 'generate');

    await t.reply(narrationEvents.NarrationGenerated, generated(state, t.saga.id));
    expect(t.expectCommand(subscriptionCommands.CommitUsage)).toEqual({ sagaId: t.saga.id, reservationId: state.reservationId });
    await t.reply(subscriptionEvents.UsageCommitted, subscriptionEvents.UsageCommitted.fromJSON({ ...usage(state), periodStart: '2026-12-01T00:00:00Z' }));
    t.expectStatus('completed', 'commit-quota');
    t.expectNoCommand();
    expect(t.log).toEqual(['reserve-quota:started', 'reserve-quota:completed', 'generate:completed', 'commit-quota:completed']);
  });

  it('QuotaExceeded → the narration fails with QUOTA_EXCEEDED and the saga fails; nothing to undo', async () => {
    const { t, uow, state } = await world();
    await t.reply(
      subscriptionEvents.QuotaExceeded,
      subscriptionEvents.QuotaExceeded.fromJSON({ subscriptionId: SUBSCRIPTION, userId: ANN.userId, tier: 'free', resource: 'narrations', requested: 1, used: 3, limit: 3, reservationId: state.reservationId }),
    );
    t.expectStatus('failed', 'reserve-quota');
    t.expectNoCommand();
    expect(uow.stored(state.narrationId).state).toMatchObject({ status: 'failed', failureReason: 'QUOTA_EXCEEDED' });
    expect(uow.eventNames(state.narrationId)).toEqual(['requested', 'failed']);
    expect(uow.events(state.narrationId).at(-1)!.data).toMatchObject({ reason: 'QUOTA_EXCEEDED', sagaId: t.saga.id });
  });

  it('generation failed → ReleaseUsage, confirmed by UsageReleased: compensated', async () => {
    const { t, state } = await world();
    await t.reply(subscriptionEvents.UsageReserved, reserved(state));
    t.expectCommand(narrationCommands.GenerateNarration);
    await t.reply(narrationEvents.NarrationFailed, failed(state, t.saga.id, 'SEGMENT_FAILED: segment 2 failed 3 times'));
    expect(t.expectCommand(subscriptionCommands.ReleaseUsage)).toEqual({ sagaId: t.saga.id, reservationId: state.reservationId });
    t.expectStatus('compensating', 'release-quota');
    await t.reply(subscriptionEvents.UsageReleased, subscriptionEvents.UsageReleased.fromJSON({ ...usage(state), reason: 'released' }));
    t.expectStatus('compensated');
    t.expectNoCommand();
    expect(t.port.steps.find((s) => s.name === 'release-quota' && s.status === 'started')?.error).toBe('SEGMENT_FAILED: segment 2 failed 3 times');
  });

  it('replies about another reservation or another narration change nothing', async () => {
    const { t, state } = await world();
    await t.reply(subscriptionEvents.UsageReserved, { ...reserved(state), reservationId: uuidv7() });
    t.expectStatus('running', 'reserve-quota');
    await t.reply(subscriptionEvents.UsageReserved, reserved(state));
    t.expectCommand(narrationCommands.GenerateNarration);
    await t.reply(narrationEvents.NarrationGenerated, { ...generated(state, t.saga.id), narrationId: uuidv7() });
    t.expectStatus('running', 'generate');
    t.expectNoCommand();
  });
});
