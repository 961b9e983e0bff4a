// Requesting, running and reading analyses against the in-memory unit of work and the fake
// analyser: job queue transitions, stored results, story status and the events appended.
import { SERVICE_TOKEN_ROLE, type Caller } from '@storytelling/platform';
import {
  ArchiveStoryCommand,
  ArchiveStoryHandler,
  CreateStoryCommand,
  CreateStoryHandler,
  GetAnalysisHandler,
  GetAnalysisQuery,
  GetCharactersHandler,
  GetCharactersQuery,
  RequestAnalysisCommand,
  RequestAnalysisHandler,
  RunAnalysisJobCommand,
  RunAnalysisJobHandler,
  UpdateStoryCommand,
  UpdateStoryHandler,
  type AnalysisSettings,
} from '../../../src/application/index.js';
import { StoryEventTypes } from '../../../src/domain/index.js';
import { FakeStoryAnalyser } from '../../support/fake-analyser.js';
import { UNLIMITED_QUOTA } from '../../support/fake-subscription.js';
import { InMemoryStoryUnitOfWork, outcomeOf } from '../../support/in-memory.js';

const ANN: Caller = { userId: '0190a0d0-0000-7000-8000-0000000000a1', role: 'member' };
const BOB: Caller = { userId: '0190a0d0-0000-7000-8000-0000000000b2', role: 'member' };
const TALE = 'Mira kept the lighthouse. The storm came at night. The light held until dawn.';
const SETTINGS: AnalysisSettings = { workers: 0, timeoutMs: 1000, leaseMs: 60_000, maxAttempts: 2, retryBaseMs: 1000, pollMs: 50, analyserName: 'fake' };

describe('analysis use cases (in memory)', () => {
  let uow: InMemoryStoryUnitOfWork;
  let analyser: FakeStoryAnalyser;
  let wakeups: number;

  const create = async (content = TALE) => new CreateStoryHandler(uow, uow.clock, UNLIMITED_QUOTA).execute(new CreateStoryCommand(ANN, 'The Lighthouse', content));
  const request = async (storyId: string, who: Caller = ANN) =>
    new RequestAnalysisHandler(uow, uow.clock, { notify: () => void wakeups++ }).execute(new RequestAnalysisCommand(who, storyId));
  const run = async (workerId = 'w1', stop?: AbortSignal) => new RunAnalysisJobHandler(uow, analyser, SETTINGS, uow.clock).execute(new RunAnalysisJobCommand(workerId, stop));
  const edit = async (storyId: string, content: string) => new UpdateStoryHandler(uow, uow.clock).execute(new UpdateStoryCommand(ANN, storyId, { content }));
  const analysis = async (storyId: string, who: Caller = ANN) => new GetAnalysisHandler(uow).execute(new GetAnalysisQuery(who, storyId));
  const characters = async (storyId: string, who: Caller = ANN) => new GetCharactersHandler(uow).execute(new GetCharactersQuery(who, storyId));
  const jobs = () => [...uow.tables.jobs.values()].map((j) => ({ status: j.status, attempts: j.attempts, leaseOwner: j.leaseOwner, lastErrorCode: j.lastErrorCode }));
  const types = (storyId: string) => uow.events(storyId).map((e) => e.type);

  beforeEach(() => {
    uow = new InMemoryStoryUnitOfWork();
    analyser = new FakeStoryAnalyser();
    wakeups = 0;
  });

  describe('RequestAnalysis', () => {
    it('a draft goes to analyzing with a pending job and StoryAnalysisRequested; the workers are woken; asking again changes nothing', async () => {
      const story = await create();
      const requested = await request(story.id);
      expect(requested.story.status).toBe('analyzing');
      expect(requested.analysis.status).toBe('analyzing');
      expect(jobs()).toEqual([{ status: 'pending', attempts: 0, leaseOwner: null, lastErrorCode: null }]);
      expect(wakeups).toBe(1);
      expect(types(story.id)).toEqual([StoryEventTypes.StoryCreated, StoryEventTypes.StoryAnalysisRequested]);

      await request(story.id);
      expect(jobs()).toHaveLength(1);
      expect(wakeups).toBe(1);
      expect(types(story.id)).toHaveLength(2);
    });

    it('only the author asks (404 for a draft of someone else); empty content is STORY_CONTENT_EMPTY', async () => {
      const story = await create();
      expect(await outcomeOf(request(story.id, BOB))).toBe('not_found:STORY_NOT_FOUND');
      const blank = await create('   ');
      expect(await outcomeOf(request(blank.id))).toBe('business_rule:STORY_CONTENT_EMPTY');
      expect(jobs()).toEqual([]);
    });

    it('content analysed before is reused at once: analysed, StoryAnalyzed{reused} + CharactersExtracted, no job, no analyser call', async () => {
      const story = await create();
      await request(story.id);
      await run();
      await edit(story.id, 'An entirely different night.');
      await edit(story.id, TALE);
      const calls = analyser.calls.length;

      const reused = await request(story.id);
      expect(reused.story.status).toBe('analyzed');
      expect(reused.analysis).toMatchObject({ status: 'analyzed', contentHash: story.contentHash });
      expect(analyser.calls).toHaveLength(calls);
      expect(jobs().map((j) => j.status)).toEqual(['succeeded']);
      const last = uow.events(story.id).slice(-2);
      expect(last.map((e) => e.type)).toEqual([StoryEventTypes.StoryAnalyzed, StoryEventTypes.CharactersExtracted]);
      expect(last[0]!.data).toMatchObject({ reused: true });
    });
  });

  describe('RunAnalysisJob', () => {
    it('idle without a due job', async () => {
      expect(await run()).toEqual({ kind: 'idle' });
    });

    it('claims the job, calls the analyser, stores the results and moves the story to analysed (StoryAnalyzed + CharactersExtracted)', async () => {
      const story = await create();
      await request(story.id);
      expect(await run()).toMatchObject({ kind: 'analyzed', storyId: story.id, reused: false });
      expect(analyser.calls).toEqual([{ title: 'The Lighthouse', content: TALE, language: 'en' }]);
      expect(uow.tables.stories.get(story.id)!.status).toBe('analyzed');
      expect(jobs()).toEqual([{ status: 'succeeded', attempts: 1, leaseOwner: null, lastErrorCode: null }]);
      expect(uow.tables.analyses.get(story.id)).toMatchObject({ contentHash: story.contentHash, analyser: 'fake' });
      expect(types(story.id).slice(-2)).toEqual([StoryEventTypes.StoryAnalyzed, StoryEventTypes.CharactersExtracted]);
      expect(uow.events(story.id).at(-1)!.data).toMatchObject({ characters: [{ name: 'Mira' }, { name: 'The Storm' }] });
    });

    it('a retryable failure reschedules with backoff; the last attempt fails: story back to draft, StoryAnalysisFailed', async () => {
      analyser.failNext(true, 'ANALYSER_UNAVAILABLE', 2);
      const story = await create();
      await request(story.id);
      const retry = await run();
      expect(retry).toMatchObject({ kind: 'retry', code: 'ANALYSER_UNAVAILABLE' });
      expect(retry.kind === 'retry' && retry.runAfter.getTime()).toBeGreaterThan(uow.clock.now().getTime());
      expect(jobs()).toEqual([{ status: 'pending', attempts: 1, leaseOwner: null, lastErrorCode: 'ANALYSER_UNAVAILABLE' }]);
      expect(await run()).toEqual({ kind: 'idle' }); // not due yet

      uow.clock.advance(10_000);
      expect(await run()).toMatchObject({ kind: 'failed', code: 'ANALYSER_UNAVAILABLE' });
      expect(uow.tables.stories.get(story.id)!.status).toBe('draft');
      expect(uow.events(story.id).at(-1)).toMatchObject({ type: StoryEventTypes.StoryAnalysisFailed, data: { errorCode: 'ANALYSER_UNAVAILABLE', status: 'draft', attempts: 2 } });
      expect(await analysis(story.id)).toMatchObject({ status: 'failed', errorCode: 'ANALYSER_UNAVAILABLE', contentHash: story.contentHash });
    });

    it('a non-retryable failure fails at once', async () => {
      analyser.failNext(false, 'CONTENT_REJECTED');
      const story = await create();
      await request(story.id);
      expect(await run()).toMatchObject({ kind: 'failed', code: 'CONTENT_REJECTED' });
      expect(jobs()).toEqual([{ status: 'failed', attempts: 1, leaseOwner: null, lastErrorCode: 'CONTENT_REJECTED' }]);
    });

    it('a job whose story moved on is cancelled without calling the analyser', async () => {
      const story = await create();
      await request(story.id);
      // the story changed without cancelling the job (another replica's edit raced the claim)
      const row = uow.tables.stories.get(story.id)!;
      uow.tables.stories.set(story.id, { ...row, contentHash: 'f'.repeat(64) });
      expect(await run()).toMatchObject({ kind: 'cancelled', reason: 'content changed' });
      expect(analyser.calls).toEqual([]);
      expect(jobs().map((j) => j.status)).toEqual(['cancelled']);
    });

    it('shutdown mid-call hands the job back (the attempt does not count); a worker whose lease was taken writes nothing', async () => {
      analyser.hangNext(true);
      const story = await create();
      await request(story.id);
      const stop = new AbortController();
      const turn = run('closing', stop.signal);
      await new Promise((r) => setTimeout(r, 20));
      stop.abort(new Error('shutting down'));
      expect(await turn).toMatchObject({ kind: 'released' });
      expect(jobs()).toEqual([{ status: 'pending', attempts: 0, leaseOwner: null, lastErrorCode: null }]);

      const release = analyser.holdNext();
      const slow = run('slow');
      await new Promise((r) => setTimeout(r, 20));
      const job = [...uow.tables.jobs.values()][0]!;
      uow.tables.jobs.set(job.id, { ...job, leaseOwner: 'someone-else' });
      release();
      expect(await slow).toMatchObject({ kind: 'lost' });
      expect(uow.tables.stories.get(story.id)!.status).toBe('analyzing');
      expect(uow.tables.analyses.size).toBe(0);
    });
  });

  describe('GetAnalysis and GetCharacters', () => {
    it('none → analyzing → analyzed → stale after an edit; characters only for the current content; same visibility as the story', async () => {
      const story = await create();
      expect(await analysis(story.id)).toMatchObject({ status: 'none', characters: [], completedAt: null });
      await request(story.id);
      expect((await analysis(story.id)).status).toBe('analyzing');
      await run();
      const done = await analysis(story.id);
      expect(done).toMatchObject({ status: 'analyzed', contentHash: story.contentHash, completedAt: uow.clock.now() });
      expect(done.emotions.map((e) => e.emotion)).toEqual(['fear', 'joy', 'fear']);
      expect((await characters(story.id)).characters.map((c) => c.name)).toEqual(['Mira', 'The Storm']);

      await edit(story.id, 'An entirely different night.');
      expect((await analysis(story.id)).status).toBe('stale');
      expect(await characters(story.id)).toEqual({ characters: [], contentHash: '' });
      expect(await outcomeOf(analysis(story.id, BOB))).toBe('not_found:STORY_NOT_FOUND');
      expect(await outcomeOf(characters(story.id, BOB))).toBe('not_found:STORY_NOT_FOUND');
    });

    it('a service token reads the analysis of an unpublished story; not once the story is archived', async () => {
      const narration: Caller = { userId: 'service:narration', role: SERVICE_TOKEN_ROLE };
      const story = await create();
      await request(story.id);
      await run();
      expect(await analysis(story.id, narration)).toMatchObject({ status: 'analyzed', contentHash: story.contentHash });
      await new ArchiveStoryHandler(uow, uow.clock).execute(new ArchiveStoryCommand(ANN, story.id));
      expect(await outcomeOf(analysis(story.id, narration))).toBe('not_found:STORY_NOT_FOUND');
    });
  });
});
