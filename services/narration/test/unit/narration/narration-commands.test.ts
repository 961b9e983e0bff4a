import { uuidv7 } from '@storytelling/kernel';
import { MalformedMessageError } from '@storytelling/platform';
import { DiscardNarrationCommand, EraseUserNarrationsCommand, GenerateNarrationCommand, GetNarrationQuery, ListNarrationsQuery, RegenerateSegmentCommand } from '../../../src/application/index.js';
import { STOCK_VOICE_ID } from '../../../src/domain/index.js';
import { errorCode, lighthouse, narrationWorld, type NarrationWorld } from '../../support/narration-world.js';
import { ANN, BOB, recording } from '../../support/voice-in-memory.js';

/** A narration a saga asked for, generated to the end. */
async function generated(w: NarrationWorld, owner = ANN): Promise<{ id: string; sagaId: string; storyId: string }> {
  const story = w.stories.add(lighthouse(owner.userId));
  const ids = { id: uuidv7(), sagaId: uuidv7(), storyId: story.storyId };
  await w.handlers.generate.execute(new GenerateNarrationCommand({ sagaId: ids.sagaId, narrationId: ids.id, storyId: story.storyId, ownerId: owner.userId, voiceId: '', characterVoices: {} }));
  await w.drain();
  return ids;
}

const generate = (w: NarrationWorld, input: Partial<{ sagaId: string; narrationId: string; storyId: string; ownerId: string; voiceId: string }>) =>
  w.handlers.generate.execute(new GenerateNarrationCommand({ sagaId: uuidv7(), narrationId: uuidv7(), storyId: uuidv7(), ownerId: ANN.userId, voiceId: '', characterVoices: {}, ...input }));

describe('GenerateNarration (unit)', () => {
  it('is idempotent by narration id: one narration, one job; a resent command while it is made only redirects the replies', async () => {
    const w = narrationWorld();
    const narrationId = uuidv7();
    const first = uuidv7();
    const second = uuidv7();
    expect(await generate(w, { sagaId: first, narrationId })).toBe('queued');
    expect(await generate(w, { sagaId: second, narrationId })).toBe('already-queued');
    expect(w.uow.jobs()).toHaveLength(1);
    expect(w.uow.stored(narrationId).state.sagaId).toBe(second);
    expect(w.uow.eventNames(narrationId)).toEqual(['requested']);
    expect(w.uow.events(narrationId)[0]!.data).toMatchObject({ narrationId, ownerId: ANN.userId, voiceId: STOCK_VOICE_ID, sagaId: first });
    expect(w.wakeup.count).toBe(1);
  });

  it('a finished narration is answered again to the asking saga: NarrationGenerated, or NarrationFailed with its reason', async () => {
    const w = narrationWorld();
    const done = await generated(w);
    const again = uuidv7();
    expect(await generate(w, { sagaId: again, narrationId: done.id })).toBe('answered-again');
    expect(w.uow.eventNames(done.id)).toEqual(['requested', 'generated', 'generated']);
    expect(w.uow.events(done.id).at(-1)!.data).toMatchObject({ sagaId: again, segments: 5 });

    const collecting = await w.collectingVoice();
    const refused = uuidv7();
    expect(await generate(w, { narrationId: refused, voiceId: collecting })).toBe('failed');
    expect(w.uow.stored(refused).state.failureReason).toMatch(/^VOICE_NOT_READY/);
    expect(await generate(w, { narrationId: refused, sagaId: again })).toBe('answered-again');
    expect(w.uow.events(refused).at(-1)!.data).toMatchObject({ sagaId: again, reason: expect.stringMatching(/^VOICE_NOT_READY/) });
    expect(w.uow.jobs().filter((j) => j.narrationId === refused)).toEqual([]);
  });

  it("someone else's voice fails the narration at once; malformed ids are dead-lettered", async () => {
    const w = narrationWorld();
    const bobs = await w.readyVoice(BOB);
    const id = uuidv7();
    expect(await generate(w, { narrationId: id, voiceId: bobs })).toBe('failed');
    expect(w.uow.eventNames(id)).toEqual(['requested', 'failed']);
    await expect(generate(w, { narrationId: 'not-a-uuid' })).rejects.toBeInstanceOf(MalformedMessageError);
  });
});

describe('DiscardNarration (unit)', () => {
  it('deletes the audio and the segments, cancels jobs, answers NarrationDiscarded to the saga; again and again', async () => {
    const w = narrationWorld();
    const done = await generated(w);
    const compensating = uuidv7();
    w.media.put(`narrations/${ANN.userId}/${done.id}/segments/9-9.ogg`, recording({ durationSeconds: 1 })); // an orphan from a lost worker
    const result = await w.handlers.discard.execute(new DiscardNarrationCommand({ sagaId: compensating, narrationId: done.id, reason: 'publication_failed' }));
    expect(result).toEqual({ objects: 7 });
    expect(w.media.keys(`narrations/${ANN.userId}/`)).toEqual([]);
    expect(w.uow.stored(done.id).state).toMatchObject({ status: 'discarded', segments: [], audio: null });
    expect(w.uow.events(done.id).at(-1)).toMatchObject({ type: 'storytelling.narration.narration.discarded.v1', data: { narrationId: done.id, reason: 'publication_failed', sagaId: compensating } });

    await w.handlers.discard.execute(new DiscardNarrationCommand({ sagaId: compensating, narrationId: done.id, reason: 'publication_failed' }));
    expect(w.uow.eventNames(done.id)).toEqual(['requested', 'generated', 'discarded', 'discarded']);
    expect(await errorCode(w.handlers.get.execute(new GetNarrationQuery(ANN, done.id)))).toBe('NARRATION_NOT_FOUND');
    // A GenerateNarration resent after the discard cannot bring it back.
    expect(await generate(w, { narrationId: done.id })).toBe('answered-again');
    expect(w.uow.events(done.id).at(-1)!.data).toMatchObject({ reason: 'NARRATION_DISCARDED' });
  });

  it('a narration it does not hold is answered by a tombstone, its event stream going on from the outbox', async () => {
    const w = narrationWorld();
    const unknown = uuidv7();
    const sagaId = uuidv7();
    await w.handlers.discard.execute(new DiscardNarrationCommand({ sagaId, narrationId: unknown, reason: '' }));
    expect(w.uow.events(unknown)).toMatchObject([{ aggregateVersion: 1, data: { narrationId: unknown, storyId: '', ownerId: '', reason: 'discarded', sagaId } }]);
  });
});

describe('RegenerateSegment (unit)', () => {
  it("queues a regeneration of the owner's completed narration and wakes the worker", async () => {
    const w = narrationWorld();
    const done = await generated(w);
    const view = await w.handlers.regenerate.execute(new RegenerateSegmentCommand(ANN, done.id, 1));
    expect(view).toMatchObject({ id: done.id, status: 'completed' });
    expect(w.uow.jobs().filter((j) => j.kind === 'regenerate')).toMatchObject([{ segmentIndexes: [1], status: 'pending' }]);
    expect(w.wakeup.count).toBe(2);
  });

  it("refuses someone else's, an unknown index, and a narration still being made", async () => {
    const w = narrationWorld();
    const done = await generated(w);
    expect(await errorCode(w.handlers.regenerate.execute(new RegenerateSegmentCommand(BOB, done.id, 1)))).toBe('NARRATION_NOT_FOUND');
    expect(await errorCode(w.handlers.regenerate.execute(new RegenerateSegmentCommand(ANN, done.id, 5)))).toBe('SEGMENT_NOT_FOUND');
    expect(await errorCode(w.handlers.regenerate.execute(new RegenerateSegmentCommand(ANN, done.id, -1)))).toBe('SEGMENT_NOT_FOUND');
    expect(await errorCode(w.handlers.regenerate.execute(new RegenerateSegmentCommand(ANN, 'x', 1)))).toBe('NARRATION_NOT_FOUND');
    const pending = uuidv7();
    await generate(w, { narrationId: pending });
    expect(await errorCode(w.handlers.regenerate.execute(new RegenerateSegmentCommand(ANN, pending, 0)))).toBe('NARRATION_NOT_COMPLETED');
  });
});

describe('EraseUserNarrations (unit)', () => {
  it("deletes the user's narrations and objects; one still being made fails first (its saga releases the quota)", async () => {
    const w = narrationWorld();
    const done = await generated(w);
    const bobs = await generated(w, BOB);
    const making = uuidv7();
    await generate(w, { narrationId: making });

    expect(await w.handlers.erase.execute(new EraseUserNarrationsCommand(ANN.userId))).toEqual({ narrations: 2, objects: 6 });
    expect([...w.uow.tables.narrations.keys()]).toEqual([bobs.id]);
    expect(w.uow.jobs().map((j) => j.narrationId)).toEqual([bobs.id]);
    expect(w.media.keys(`narrations/${ANN.userId}/`)).toEqual([]);
    expect(w.media.keys(`narrations/${BOB.userId}/`)).toHaveLength(6);
    expect(w.uow.eventNames(done.id)).toEqual(['requested', 'generated', 'discarded']);
    expect(w.uow.eventNames(making)).toEqual(['requested', 'failed', 'discarded']);
    expect(w.uow.events(making)[1]!.data).toMatchObject({ reason: 'USER_ERASED' });

    expect(await w.handlers.erase.execute(new EraseUserNarrationsCommand(ANN.userId))).toEqual({ narrations: 0, objects: 0 });
    expect(await errorCode(w.handlers.erase.execute(new EraseUserNarrationsCommand('nope')))).toBe('VALIDATION_FAILED');
  });
});

describe('GetNarration (unit)', () => {
  it("the owner's, with progress and keys; someone else's only once completed and its story published", async () => {
    const w = narrationWorld();
    const done = await generated(w);
    const view = await w.handlers.get.execute(new GetNarrationQuery(ANN, done.id));
    expect(view).toMatchObject({ id: done.id, status: 'completed', progress: { done: 5, total: 5 }, contentType: 'audio/ogg', audioObjectKey: `narrations/${ANN.userId}/${done.id}/narration-1.ogg` });
    expect(view.segments.every((s) => s.audioObjectKey !== '' && s.durationSeconds > 0 && s.contentType === 'audio/ogg')).toBe(true);

    expect(await errorCode(w.handlers.get.execute(new GetNarrationQuery(BOB, done.id)))).toBe('NARRATION_NOT_FOUND');
    w.stories.stories.get(done.storyId)!.published = true;
    expect((await w.handlers.get.execute(new GetNarrationQuery(BOB, done.id))).id).toBe(done.id);
    expect(await errorCode(w.handlers.get.execute(new GetNarrationQuery(ANN, uuidv7())))).toBe('NARRATION_NOT_FOUND');
  });
});

describe('ListNarrations (unit)', () => {
  it("the caller's own narrations, newest first, in pages, with their segments; discarded ones and other people's never show", async () => {
    const w = narrationWorld();
    const older = await generated(w);
    w.clock.advance(1000);
    const discarded = await generated(w);
    await w.handlers.discard.execute(new DiscardNarrationCommand({ sagaId: uuidv7(), narrationId: discarded.id, reason: 'publication_failed' }));
    w.clock.advance(1000);
    const newer = await generated(w);
    const bobs = await generated(w, BOB);

    const first = await w.handlers.list.execute(new ListNarrationsQuery(ANN, { limit: 1 }));
    expect(first.items.map((n) => n.id)).toEqual([newer.id]);
    expect(first.items[0]!.segments.length).toBe(5);
    expect(first.items[0]!.segments.every((s) => s.audioObjectKey.startsWith(`narrations/${ANN.userId}/${newer.id}/`))).toBe(true);
    const second = await w.handlers.list.execute(new ListNarrationsQuery(ANN, { limit: 1, cursor: first.nextCursor! }));
    expect(second.items.map((n) => n.id)).toEqual([older.id]);
    expect(second.nextCursor).toBeUndefined();
    expect((await w.handlers.list.execute(new ListNarrationsQuery(BOB, {}))).items.map((n) => n.id)).toEqual([bobs.id]);
    expect(await errorCode(w.handlers.list.execute(new ListNarrationsQuery(ANN, { cursor: 'nope' })))).toBe('INVALID_CURSOR');
    expect(await errorCode(w.handlers.list.execute(new ListNarrationsQuery(ANN, { limit: 101 })))).toBe('VALIDATION_FAILED');
  });
});
