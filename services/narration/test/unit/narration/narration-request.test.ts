import { subscriptionCommands } from '@storytelling/contracts';
import { runWithContext } from '@storytelling/platform';
import { STOCK_VOICE_ID, StoryNotAnalysedError } from '../../../src/domain/index.js';
import { MIRA, errorCode, lighthouse, narrationWorld } from '../../support/narration-world.js';
import { ANN, BOB } from '../../support/voice-in-memory.js';

describe('RequestNarration (unit)', () => {
  it('stores the segmented narration (pending) with NarrationRequested and starts the quota saga in one unit', async () => {
    const w = narrationWorld();
    const story = w.stories.add(lighthouse());
    const mum = await w.readyVoice();
    const view = await w.request(ANN, { storyId: story.storyId, voiceId: mum, characterVoices: { [MIRA]: STOCK_VOICE_ID }, narratorProfile: 'grandma', conversationStyle: 'parent_to_child' });

    expect(view).toMatchObject({ storyId: story.storyId, ownerId: ANN.userId, voiceId: mum, status: 'pending', narratorProfile: 'grandma', conversationStyle: 'parent_to_child', progress: { done: 0, total: 6 }, audioObjectKey: '' });
    expect(view.segments.map((s) => [s.emotion, s.voiceId, s.characterId])).toEqual([
      ['neutral', mum, null],
      ['fear', mum, null],
      ['curiosity', STOCK_VOICE_ID, MIRA],
      ['curiosity', mum, null],
      ['neutral', mum, null],
      ['joy', mum, null],
    ]);
    expect(w.stories.reads).toEqual([{ storyId: story.storyId, reader: 'caller' }]);
    expect(w.uow.eventNames(view.id)).toEqual(['requested']);
    const [saga] = w.sagas.all;
    expect(saga).toMatchObject({ key: `narration:${view.id}`, status: 'running', step: 'reserve-quota', state: { narrationId: view.id, ownerId: ANN.userId, voiceId: mum } });
    expect(w.uow.events(view.id)[0]!.data).toMatchObject({ narrationId: view.id, voiceId: mum, sagaId: saga!.id });
    expect(w.sagas.sent(subscriptionCommands.ReserveUsage)).toEqual([{ sagaId: saga!.id, reservationId: saga!.state.reservationId, userId: ANN.userId, resource: 'narrations', amount: 1, ttlSeconds: 3_600 }]);
    expect(w.uow.commits).toBe(1);
  });

  it('without a voice: the most recently trained ready voice, else the stock voice; defaults for profile and style', async () => {
    const w = narrationWorld();
    const story = w.stories.add(lighthouse());
    expect((await w.request(ANN, { storyId: story.storyId })).voiceId).toBe(STOCK_VOICE_ID);
    await w.readyVoice(ANN, 'Old');
    w.clock.advance(60_000);
    const newer = await w.readyVoice(ANN, 'New');
    const view = await w.request(ANN, { storyId: story.storyId });
    expect(view).toMatchObject({ voiceId: newer, narratorProfile: 'neutral', conversationStyle: 'respectful' });
  });

  it('refuses what it cannot narrate, before storing anything', async () => {
    const w = narrationWorld();
    const story = w.stories.add(lighthouse());
    const collecting = await w.collectingVoice();
    const bobs = await w.readyVoice(BOB);
    expect(await errorCode(w.request(ANN, { storyId: 'nope' }))).toBe('VALIDATION_FAILED');
    expect(await errorCode(w.request(ANN, { storyId: story.storyId, narratorProfile: 'pirate' }))).toBe('VALIDATION_FAILED');
    expect(await errorCode(w.request(ANN, { storyId: story.storyId, conversationStyle: 'shouting' }))).toBe('VALIDATION_FAILED');
    expect(await errorCode(w.request(ANN, { storyId: story.storyId, characterVoices: { 'not-a-character': STOCK_VOICE_ID } }))).toBe('VALIDATION_FAILED');
    expect(await errorCode(w.request(ANN, { storyId: '0190a0d0-0000-7000-8000-0000000000ff' }))).toBe('STORY_NOT_FOUND');
    expect(await errorCode(w.request(BOB, { storyId: story.storyId }))).toBe('NOT_STORY_AUTHOR');
    expect(await errorCode(w.request(ANN, { storyId: story.storyId, voiceId: collecting }))).toBe('VOICE_NOT_READY');
    expect(await errorCode(w.request(ANN, { storyId: story.storyId, voiceId: bobs }))).toBe('VOICE_NOT_FOUND');
    expect(await errorCode(w.request(ANN, { storyId: story.storyId, characterVoices: { [MIRA]: collecting } }))).toBe('VOICE_NOT_READY');
    w.stories.failure = new StoryNotAnalysedError();
    expect(await errorCode(w.request(ANN, { storyId: story.storyId }))).toBe('STORY_NOT_ANALYSED');
    expect(w.uow.tables.narrations.size).toBe(0);
    expect(w.sagas.all).toEqual([]);
  });

  it('Idempotency-Key: the same key and request answer the first narration (dates revived) without asking story or subscription again; another request is IDEMPOTENCY_KEY_REUSED', async () => {
    const w = narrationWorld();
    const story = w.stories.add(lighthouse());
    const withKey = <T>(key: string, work: () => Promise<T>) => runWithContext({ correlationId: 'c', idempotencyKey: key }, work);
    const first = await withKey('k-1', () => w.request(ANN, { storyId: story.storyId, narratorProfile: 'grandma' }));
    // The first request used the last narration of the month: a retry must still get its narration.
    w.plans.narrationQuota = false;
    const replay = await withKey('k-1', () => w.request(ANN, { storyId: story.storyId.toUpperCase(), narratorProfile: ' Grandma ' }));
    expect(replay).toEqual(first);
    expect(replay.createdAt).toBeInstanceOf(Date);
    expect(w.stories.reads).toHaveLength(1);
    expect(w.plans.asked).toEqual([ANN.userId]);
    expect(w.uow.tables.narrations.size).toBe(1);
    expect(w.sagas.all).toHaveLength(1);
    expect(await errorCode(withKey('k-1', () => w.request(ANN, { storyId: story.storyId, narratorProfile: 'kid' })))).toBe('IDEMPOTENCY_KEY_REUSED');
    // Another caller's key of the same name is another key; no key, no guard.
    w.plans.narrationQuota = true;
    const bobs = w.stories.add(lighthouse(BOB.userId));
    await withKey('k-1', () => w.request(BOB, { storyId: bobs.storyId }));
    await w.request(ANN, { storyId: story.storyId });
    expect(w.uow.tables.narrations.size).toBe(3);
    expect(w.uow.tables.idempotencyKeys.size).toBe(2);
  });

  it('Idempotency-Key: a refused request is not remembered, its retry runs again', async () => {
    const w = narrationWorld();
    const story = w.stories.add(lighthouse());
    const withKey = <T>(work: () => Promise<T>) => runWithContext({ correlationId: 'c', idempotencyKey: 'k-2' }, work);
    w.plans.narrationQuota = false;
    expect(await errorCode(withKey(() => w.request(ANN, { storyId: story.storyId })))).toBe('QUOTA_EXCEEDED');
    w.plans.narrationQuota = true;
    expect((await withKey(() => w.request(ANN, { storyId: story.storyId }))).status).toBe('pending');
    expect(w.uow.tables.narrations.size).toBe(1);
  });

  it('a used-up quota (CheckQuota) is 422 QUOTA_EXCEEDED and nothing is stored', async () => {
    const w = narrationWorld();
    const story = w.stories.add(lighthouse());
    w.plans.narrationQuota = false;
    expect(await errorCode(w.request(ANN, { storyId: story.storyId }))).toBe('QUOTA_EXCEEDED');
    expect(w.plans.asked).toEqual([ANN.userId]);
    expect(w.uow.tables.narrations.size).toBe(0);
  });
});
