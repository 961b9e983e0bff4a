import { subscriptionCommands } from '@storytelling/contracts';
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

  it('a used-up quota (CheckQuota) is 422 QUOTA_EXCEEDED and nothing is stored', async () => {
    const w = narrationWorld();
    const story = w.stories.add(lighthouse());
    w.plans.narrationQuota = false;
    expect(await errorCode(w.request(ANN, { storyId: story.storyId }))).toBe('QUOTA_EXCEEDED');
    expect(w.plans.asked).toEqual([ANN.userId]);
    expect(w.uow.tables.narrations.size).toBe(0);
  });
});
