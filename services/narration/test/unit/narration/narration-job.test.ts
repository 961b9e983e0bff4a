import { DomainError, uuidv7 } from '@storytelling/kernel';
import { DiscardNarrationCommand, GenerateNarrationCommand, GetNarrationQuery, RegenerateSegmentCommand, RunNarrationJobCommand } from '../../../src/application/index.js';
import { STOCK_VOICE_ID, StoryNotAnalysedError } from '../../../src/domain/index.js';
import { MIRA, lighthouse, narrationWorld, type NarrationWorld } from '../../support/narration-world.js';
import { ANN } from '../../support/voice-in-memory.js';

/** The author asks; the quota saga's GenerateNarration arrives; answers the narration id and saga id. */
async function requested(w: NarrationWorld, input: { voiceId?: string; characterVoices?: Record<string, string> } = {}): Promise<{ id: string; sagaId: string }> {
  const story = w.stories.add(lighthouse());
  const view = await w.request(ANN, { storyId: story.storyId, ...input });
  const saga = w.sagas.all.find((s) => s.state.narrationId === view.id)!;
  await w.handlers.generate.execute(new GenerateNarrationCommand({ sagaId: saga.id, narrationId: view.id, storyId: story.storyId, ownerId: ANN.userId, voiceId: view.voiceId, characterVoices: input.characterVoices ?? {} }));
  return { id: view.id, sagaId: saga.id };
}

const prefix = (id: string) => `narrations/${ANN.userId}/${id}/`;

describe('RunNarrationJob (unit)', () => {
  it('synthesises every segment (emotion, profile, style, voice), stores each under its own key, joins the whole file with pauses: NarrationGenerated', async () => {
    const w = narrationWorld();
    const mum = await w.readyVoice();
    const { id, sagaId } = await requested(w, { voiceId: mum, characterVoices: { [MIRA]: STOCK_VOICE_ID } });
    expect(w.wakeup.count).toBe(1);

    const [outcome, ...rest] = await w.drain();
    expect(rest).toEqual([]);
    const n = w.uow.stored(id);
    const durations = n.segments.map((s) => s.audio!.durationSeconds);
    expect(outcome).toMatchObject({ kind: 'generated', narrationId: id, segments: 6 });
    expect(n.state).toMatchObject({ status: 'completed', audioRevision: 1, audio: { objectKey: `${prefix(id)}narration-1.ogg` } });
    expect(n.state.audio!.durationSeconds).toBeCloseTo(durations.reduce((a, b) => a + b, 0) + 5 * 0.4, 5);
    expect(n.segments.map((s) => s.audio!.objectKey)).toEqual([0, 1, 2, 3, 4, 5].map((i) => `${prefix(id)}segments/${i}-1.ogg`));
    expect(w.media.keys(prefix(id))).toEqual([...n.segments.map((s) => s.audio!.objectKey), `${prefix(id)}narration-1.ogg`].sort());
    expect(n.progress).toEqual({ done: 6, total: 6 });

    expect(w.engine.requests.map((r) => [r.emotion, r.voice.provider])).toEqual([
      ['neutral', 'local'],
      ['fear', 'local'],
      ['curiosity', 'stock'],
      ['curiosity', 'local'],
      ['neutral', 'local'],
      ['joy', 'local'],
    ]);
    expect(w.engine.requests[0]).toMatchObject({ narratorProfile: 'neutral', conversationStyle: 'respectful', voice: { profile: { f0MedianHz: 210 } } });
    expect(w.joiner.joins).toEqual([{ inputs: 6, pauseMs: 400 }]);
    expect(w.uow.eventNames(id)).toEqual(['requested', 'generated']);
    expect(w.uow.events(id)[1]!.data).toEqual({ narrationId: id, storyId: n.state.storyId, ownerId: ANN.userId, segments: 6, durationSeconds: n.state.audio!.durationSeconds, sagaId });
    expect(w.uow.jobs()).toMatchObject([{ kind: 'generate', status: 'succeeded', attempts: 1 }]);
  });

  it('synthesises `segmentConcurrency` segments at a time; a failure stops new ones and waits for those in flight', async () => {
    const w = narrationWorld();
    w.settings.segmentConcurrency = 2;
    w.engine.delayMs = 20;
    const { id } = await requested(w);
    expect((await w.drain())[0]).toMatchObject({ kind: 'generated', segments: 5 });
    expect(w.engine.maxInFlight).toBe(2);
    expect(w.uow.stored(id).segments.every((s) => s.audio !== null)).toBe(true);

    const other = await requested(w);
    const texts = w.uow.stored(other.id).segments.map((s) => s.text);
    w.engine.failures.set(texts[1]!, Infinity);
    const before = w.engine.requests.length;
    const [outcome] = await w.drain();
    expect(outcome).toMatchObject({ kind: 'failed', reason: expect.stringMatching(/^SEGMENT_FAILED: segment 1 failed 3 times/) });
    expect(w.uow.stored(other.id).status).toBe('failed');
    expect(w.engine.requests.length - before).toBeLessThan(3 + 5);
  });

  it('a segment that fails is synthesised again; one that keeps failing fails the narration with a reason, never completed with a hole', async () => {
    const w = narrationWorld();
    const { id } = await requested(w);
    const texts = w.uow.stored(id).segments.map((s) => s.text);
    w.engine.failures.set(texts[1]!, 2); // fails twice, third attempt works
    w.engine.failures.set(texts[3]!, Infinity);
    w.engine.silentTexts.add(texts[2]!); // silence is a failure too

    const [outcome] = await w.drain();
    const n = w.uow.stored(id);
    expect(outcome).toMatchObject({ kind: 'failed', reason: expect.stringMatching(/^SEGMENT_FAILED: segment 2 failed 3 times: the speech engine wrote silence/) });
    expect(n.state).toMatchObject({ status: 'failed', audio: null, failureReason: expect.stringMatching(/^SEGMENT_FAILED/) });
    expect(n.progress).toEqual({ done: 2, total: 5 });
    expect(w.engine.requests.map((r) => texts.indexOf(r.text))).toEqual([0, 1, 1, 1, 2, 2, 2]);
    expect(w.uow.eventNames(id)).toEqual(['requested', 'failed']);
    expect(w.joiner.joins).toEqual([]);
    expect(w.uow.jobs()[0]).toMatchObject({ status: 'failed', lastErrorCode: 'SEGMENT_FAILED' });
  });

  it('progress survives an interruption: a shutdown hands the job back, the next turn goes on from the next segment', async () => {
    const w = narrationWorld();
    const { id } = await requested(w);
    const stop = new AbortController();
    w.engine.onRequest = (count) => (count === 2 ? stop.abort() : undefined);
    const first = await w.handlers.run.execute(new RunNarrationJobCommand('worker-a', stop.signal));
    expect(first).toMatchObject({ kind: 'released' });
    expect(w.uow.stored(id).progress).toEqual({ done: 2, total: 5 });
    expect(w.uow.stored(id).status).toBe('processing');
    expect(w.uow.jobs()[0]).toMatchObject({ status: 'pending', attempts: 0 });

    w.engine.onRequest = undefined;
    const [second] = await w.drain('worker-b');
    expect(second).toMatchObject({ kind: 'generated' });
    expect(w.engine.requests).toHaveLength(5);
    expect(w.uow.stored(id).segments.every((s) => s.revision === 1)).toBe(true);
  });

  it('a worker that died: its lease expires, another claims the job and finishes; one claimed too often fails the narration (JOB_ABANDONED)', async () => {
    const w = narrationWorld();
    const { id } = await requested(w);
    await w.uow.run((repos) => repos.narrationJobs.claim('dead-worker', w.settings.leaseMs));
    expect(await w.handlers.run.execute(new RunNarrationJobCommand('worker-b'))).toEqual({ kind: 'idle' });
    w.clock.advance(w.settings.leaseMs + 1);
    expect((await w.drain('worker-b'))[0]).toMatchObject({ kind: 'generated' });
    expect(w.uow.jobs()[0]!.attempts).toBe(2);

    const other = await requested(w);
    for (let i = 0; i < w.settings.maxJobAttempts; i++) {
      await w.uow.run((repos) => repos.narrationJobs.claim(`dead-${i}`, w.settings.leaseMs));
      w.clock.advance(w.settings.leaseMs + 1);
    }
    const [outcome] = await w.drain('worker-c');
    expect(outcome).toMatchObject({ kind: 'failed', reason: expect.stringMatching(/^JOB_ABANDONED/) });
    expect(w.uow.stored(other.id).status).toBe('failed');
    expect(w.uow.eventNames(other.id)).toEqual(['requested', 'failed']);
    expect(w.uow.stored(id).status).toBe('completed');
  });

  it('regeneration changes that segment and the whole file only, under new keys; the replaced objects are deleted', async () => {
    const w = narrationWorld();
    const { id } = await requested(w);
    await w.drain();
    const before = w.uow.stored(id);
    await w.handlers.regenerate.execute(new RegenerateSegmentCommand(ANN, id, 2));
    const [outcome] = await w.drain();
    const after = w.uow.stored(id);

    expect(outcome).toMatchObject({ kind: 'regenerated', indexes: [2] });
    expect(after.segments.map((s) => s.audio!.objectKey)).toEqual(before.segments.map((s, i) => (i === 2 ? `${prefix(id)}segments/2-2.ogg` : s.audio!.objectKey)));
    expect(after.state).toMatchObject({ status: 'completed', audioRevision: 2, audio: { objectKey: `${prefix(id)}narration-2.ogg` } });
    expect(w.media.deleted).toEqual([`${prefix(id)}segments/2-1.ogg`, `${prefix(id)}narration-1.ogg`]);
    expect(w.media.keys(prefix(id))).toHaveLength(6);
    expect(w.engine.requests.at(-1)!.text).toBe(before.segments[2]!.text);
    expect(w.uow.eventNames(id)).toEqual(['requested', 'generated', 'regenerated']);
    expect(w.uow.events(id).at(-1)!.data).toMatchObject({ index: 2, durationSeconds: after.state.audio!.durationSeconds });
  });

  it('regenerations asked for while one waits join it; one that keeps failing keeps the audio, emits nothing and says why until the next succeeds', async () => {
    const w = narrationWorld();
    const { id } = await requested(w);
    await w.drain();
    const before = w.uow.stored(id);
    await w.handlers.regenerate.execute(new RegenerateSegmentCommand(ANN, id, 4));
    await w.handlers.regenerate.execute(new RegenerateSegmentCommand(ANN, id, 0));
    expect(w.uow.jobs().filter((j) => j.kind === 'regenerate')).toMatchObject([{ status: 'pending', segmentIndexes: [0, 4] }]);
    w.engine.failures.set(before.segments[4]!.text, Infinity);

    const [outcome] = await w.drain();
    expect(outcome).toMatchObject({ kind: 'failed', reason: expect.stringMatching(/^SEGMENT_FAILED: segment 4/) });
    const after = w.uow.stored(id);
    expect(after.state).toMatchObject({ status: 'completed', audio: before.state.audio });
    // All or nothing: segment 0 was made again, but the whole file could not be, so 0 keeps its
    // old audio too (the whole file and its segments say the same), and the new object is gone.
    expect(after.segments.map((s) => s.audio)).toEqual(before.segments.map((s) => s.audio));
    expect(w.media.keys(prefix(id))).toEqual([...before.segments.map((s) => s.audio!.objectKey), before.state.audio!.objectKey].sort());
    expect(w.uow.eventNames(id)).toEqual(['requested', 'generated']);
    // GET /narrations/:id shows it: still completed, with the regeneration's failure.
    const shown = await w.handlers.get.execute(new GetNarrationQuery(ANN, id));
    expect(shown).toMatchObject({ status: 'completed', audioObjectKey: before.state.audio!.objectKey });
    expect(shown.failureReason).toMatch(/^REGENERATION_FAILED: SEGMENT_FAILED: segment 4 failed 3 times: engine exited with 1/);
    expect(w.uow.jobs().find((j) => j.kind === 'regenerate')).toMatchObject({ status: 'failed', lastErrorCode: 'SEGMENT_FAILED' });

    // The next regeneration that succeeds clears it.
    w.engine.failures.delete(before.segments[4]!.text);
    await w.handlers.regenerate.execute(new RegenerateSegmentCommand(ANN, id, 4));
    expect(await w.drain()).toMatchObject([{ kind: 'regenerated', indexes: [4] }]);
    expect(w.uow.stored(id).state).toMatchObject({ status: 'completed', failureReason: null });
    expect(w.uow.eventNames(id)).toEqual(['requested', 'generated', 'regenerated']);
  });

  it("a saga's narration (no segments yet): the worker reads the story with the service's token, segments it and narrates", async () => {
    const w = narrationWorld();
    const story = w.stories.add(lighthouse());
    const narrationId = uuidv7();
    const sagaId = uuidv7();
    await w.handlers.generate.execute(new GenerateNarrationCommand({ sagaId, narrationId, storyId: story.storyId, ownerId: ANN.userId, voiceId: '', characterVoices: {} }));
    expect(w.uow.stored(narrationId).state).toMatchObject({ status: 'pending', voiceId: STOCK_VOICE_ID, segments: [] });

    const [outcome] = await w.drain();
    expect(outcome).toMatchObject({ kind: 'generated', segments: 5 });
    expect(w.stories.reads).toEqual([{ storyId: story.storyId, reader: 'service' }]);
    expect(w.uow.events(narrationId).at(-1)!.data).toMatchObject({ sagaId });
  });

  it('story unavailable: the job waits and is tried again, then fails the narration; a story without analysis fails it at once', async () => {
    const w = narrationWorld();
    const story = w.stories.add(lighthouse());
    const one = uuidv7();
    w.stories.failure = new DomainError('unavailable', 'DEPENDENCY_UNAVAILABLE', 'story could not be read');
    await w.handlers.generate.execute(new GenerateNarrationCommand({ sagaId: uuidv7(), narrationId: one, storyId: story.storyId, ownerId: ANN.userId, voiceId: '', characterVoices: {} }));
    const outcomes = [];
    for (let i = 0; i < w.settings.maxJobAttempts; i++) {
      outcomes.push(await w.handlers.run.execute(new RunNarrationJobCommand('worker-a')));
      w.clock.advance(60_000);
    }
    expect(outcomes.map((o) => o.kind)).toEqual(['retry', 'retry', 'failed']);
    expect(w.uow.stored(one).state.failureReason).toMatch(/^STORY_UNAVAILABLE/);

    w.stories.failure = new StoryNotAnalysedError();
    const two = uuidv7();
    await w.handlers.generate.execute(new GenerateNarrationCommand({ sagaId: uuidv7(), narrationId: two, storyId: story.storyId, ownerId: ANN.userId, voiceId: '', characterVoices: {} }));
    expect((await w.drain())[0]).toMatchObject({ kind: 'failed', reason: 'STORY_NOT_ANALYSED' });
  });

  it('a narration discarded while the worker synthesises: the worker loses the job and deletes what it uploaded', async () => {
    const w = narrationWorld();
    const { id } = await requested(w);
    let discarded: Promise<unknown> | undefined;
    w.engine.onRequest = (count) => {
      if (count === 2) discarded = w.handlers.discard.execute(new DiscardNarrationCommand({ sagaId: uuidv7(), narrationId: id, reason: 'publication_failed' }));
    };
    const outcome = await w.handlers.run.execute(new RunNarrationJobCommand('worker-a'));
    await discarded;
    expect(outcome).toMatchObject({ kind: 'lost' });
    expect(w.media.keys(prefix(id))).toEqual([]);
    expect(w.uow.stored(id).status).toBe('discarded');
    expect(w.uow.jobs()[0]).toMatchObject({ status: 'cancelled' });
  });

  it('nothing due: idle', async () => {
    const w = narrationWorld();
    expect(await w.handlers.run.execute(new RunNarrationJobCommand('worker-a'))).toEqual({ kind: 'idle' });
  });
});
