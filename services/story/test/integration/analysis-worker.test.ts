import { systemClock } from '@storytelling/kernel';
import type { DataSource } from 'typeorm';
import {
  CreateStoryCommand,
  CreateStoryHandler,
  GetAnalysisHandler,
  GetAnalysisQuery,
  RequestAnalysisCommand,
  RequestAnalysisHandler,
  RunAnalysisJobCommand,
  RunAnalysisJobHandler,
  UpdateStoryCommand,
  UpdateStoryHandler,
  type AnalysisResult,
  type AnalysisSettings,
  type JobOutcome,
  type StoryAnalysisInput,
  type StoryUnitOfWork,
  type StoryView,
} from '../../src/application/index.js';
import { FakeStoryAnalyser, defaultResult } from '../support/fake-analyser.js';
import { migratedDataSource, outboxOf, postgresUnitOfWork } from '../support/db.js';
import { createStorySandbox } from '../support/sandbox.js';
import { UNLIMITED_QUOTA } from '../support/fake-subscription.js';

const AUTHOR = { userId: '0190a0d0-0000-7000-8000-00000000a001', role: 'member' };
const TALE = 'Mira kept the lighthouse. The storm came at night. The light held until dawn.';

interface JobRow {
  status: string;
  attempts: number;
  run_after: Date;
  lease_owner: string | null;
  last_error_code: string | null;
}

describe('analysis jobs and workers (real Postgres)', () => {
  let ds: DataSource;
  let uow: StoryUnitOfWork;
  let wakeups = 0;
  const settings: AnalysisSettings = { workers: 0, timeoutMs: 300, leaseMs: 600, maxAttempts: 3, retryBaseMs: 100, pollMs: 50, analyserName: 'fake' };

  beforeAll(async () => {
    ds = await migratedDataSource(await createStorySandbox('worker'));
    uow = postgresUnitOfWork(ds);
  });

  afterAll(async () => {
    await ds?.destroy();
  });

  // Each test starts with an empty queue (a test's leftover retries must not feed the next one's scripted analyser).
  afterEach(async () => {
    await ds.query(`UPDATE analysis_jobs SET status = 'cancelled', lease_owner = NULL, lease_expires_at = NULL, completed_at = now() WHERE status IN ('pending', 'running')`);
  });

  /** A worker's turns: one RunAnalysisJobCommand each. */
  const processor = (analyser: FakeStoryAnalyser, overrides: Partial<AnalysisSettings> = {}) => {
    const handler = new RunAnalysisJobHandler(uow, analyser, { ...settings, ...overrides }, systemClock);
    return { processNext: (workerId: string, stop?: AbortSignal) => handler.execute(new RunAnalysisJobCommand(workerId, stop)) };
  };
  const create = (content = TALE): Promise<StoryView> => new CreateStoryHandler(uow, systemClock, UNLIMITED_QUOTA).execute(new CreateStoryCommand(AUTHOR, 'The Lighthouse', content));
  const request = (storyId: string) => new RequestAnalysisHandler(uow, systemClock, { notify: () => void wakeups++ }).execute(new RequestAnalysisCommand(AUTHOR, storyId));
  const edit = (storyId: string, content: string) => new UpdateStoryHandler(uow, systemClock).execute(new UpdateStoryCommand(AUTHOR, storyId, { content }));
  const analysis = (storyId: string) => new GetAnalysisHandler(uow).execute(new GetAnalysisQuery(AUTHOR, storyId));
  const status = async (storyId: string): Promise<string> => ((await ds.query(`SELECT status FROM stories WHERE id = $1`, [storyId])) as Array<{ status: string }>)[0]!.status;
  const jobs = async (storyId: string): Promise<JobRow[]> =>
    ds.query(`SELECT status, attempts, run_after, lease_owner, last_error_code FROM analysis_jobs WHERE story_id = $1 ORDER BY created_at`, [storyId]);
  /** Runs `p` until it claims the job of `storyId` (other tests' jobs may be due too: they are run as well). */
  async function runUntil(p: ReturnType<typeof processor>, storyId: string, worker = 'w1') {
    for (let i = 0; i < 20; i++) {
      const outcome = await p.processNext(worker);
      if (outcome.kind !== 'idle' && outcome.storyId === storyId) return outcome;
      if (outcome.kind === 'idle') break;
    }
    throw new Error(`no job of ${storyId} was due`);
  }

  it('request → analyzing with a durable job (worker woken) → analysed: results stored, events in the outbox, same transaction', async () => {
    const analyser = new FakeStoryAnalyser();
    const story = await create();
    const before = wakeups;
    const requested = await request(story.id);
    expect(requested.analysis.status).toBe('analyzing');
    expect(wakeups).toBe(before + 1);
    expect(await jobs(story.id)).toMatchObject([{ status: 'pending', attempts: 0 }]);

    expect(await runUntil(processor(analyser), story.id)).toMatchObject({ kind: 'analyzed', reused: false });
    expect(analyser.calls).toEqual([{ title: 'The Lighthouse', content: TALE, language: 'en' }]);
    expect(await status(story.id)).toBe('analyzed');
    expect(await jobs(story.id)).toMatchObject([{ status: 'succeeded', attempts: 1, lease_owner: null }]);
    const view = await analysis(story.id);
    expect(view).toMatchObject({ status: 'analyzed', contentHash: story.contentHash });
    expect(view.characters.map((c) => c.name)).toEqual(['Mira', 'The Storm']);
    expect(view.emotions.map((e) => e.emotion)).toEqual(['fear', 'joy', 'fear']);
    const stored: Array<{ analysis_type: string; content_hash: string; analyser: string }> = await ds.query(
      `SELECT analysis_type, content_hash, analyser FROM story_analyses WHERE story_id = $1 ORDER BY analysis_type`,
      [story.id],
    );
    expect(stored).toEqual([
      { analysis_type: 'characters', content_hash: story.contentHash, analyser: 'fake' },
      { analysis_type: 'emotions', content_hash: story.contentHash, analyser: 'fake' },
    ]);
    expect((await outboxOf(ds, story.id)).map((e) => [e.type, e.version])).toEqual([
      ['storytelling.story.story.created.v1', 1],
      ['storytelling.story.story.analysis_requested.v1', 2],
      ['storytelling.story.story.analyzed.v1', 3],
      ['storytelling.story.story.characters_extracted.v1', 4],
    ]);
  });

  it('unchanged content reuses the stored analysis at once, without calling the analyser; new content keeps character ids by name', async () => {
    const analyser = new FakeStoryAnalyser();
    const story = await create();
    await request(story.id);
    await runUntil(processor(analyser), story.id);
    const first = await analysis(story.id);

    await edit(story.id, 'An entirely different night.');
    expect(await status(story.id)).toBe('draft');
    expect((await analysis(story.id)).status).toBe('stale');
    await edit(story.id, TALE);
    const reused = await request(story.id);
    expect(reused.analysis.status).toBe('analyzed');
    expect(reused.story.status).toBe('analyzed');
    expect(analyser.calls).toHaveLength(1);
    expect((await jobs(story.id)).map((j) => j.status)).toEqual(['succeeded']);
    const reusedEvent = (await outboxOf(ds, story.id)).find((e) => e.type === 'storytelling.story.story.analyzed.v1' && e.data.reused === true);
    expect(reusedEvent).toBeDefined();

    // new content: analysed again; "Mira" keeps her id
    await edit(story.id, `${TALE} Then Tom came.`);
    await request(story.id);
    await runUntil(processor(analyser), story.id);
    expect(analyser.calls).toHaveLength(2);
    const second = await analysis(story.id);
    expect(second.characters.find((c) => c.name === 'Mira')!.id).toBe(first.characters.find((c) => c.name === 'Mira')!.id);
  });

  it('retryable failures back off, then the analysis fails: story back to draft, `failed` with the code in GetAnalysis, StoryAnalysisFailed', async () => {
    const analyser = new FakeStoryAnalyser().failNext(true, 'ANALYSER_UNAVAILABLE', 3);
    const p = processor(analyser);
    const story = await create();
    await request(story.id);

    const firstTry = await runUntil(p, story.id);
    expect(firstTry).toMatchObject({ kind: 'retry', code: 'ANALYSER_UNAVAILABLE' });
    const [pending] = await jobs(story.id);
    expect(pending).toMatchObject({ status: 'pending', attempts: 1, last_error_code: 'ANALYSER_UNAVAILABLE' });
    expect(pending!.run_after.getTime()).toBeGreaterThan(Date.now() + 40);
    expect(await status(story.id)).toBe('analyzing');
    expect((await p.processNext('w1')).kind).toBe('idle'); // not due yet

    await new Promise((r) => setTimeout(r, 150));
    expect(await runUntil(p, story.id)).toMatchObject({ kind: 'retry' });
    await new Promise((r) => setTimeout(r, 300));
    expect(await runUntil(p, story.id)).toMatchObject({ kind: 'failed', code: 'ANALYSER_UNAVAILABLE' });
    expect(analyser.calls).toHaveLength(3);
    expect(await status(story.id)).toBe('draft');
    expect(await jobs(story.id)).toMatchObject([{ status: 'failed', attempts: 3, last_error_code: 'ANALYSER_UNAVAILABLE' }]);
    expect(await analysis(story.id)).toMatchObject({ status: 'failed', errorCode: 'ANALYSER_UNAVAILABLE', contentHash: story.contentHash, characters: [] });
    const failed = (await outboxOf(ds, story.id)).at(-1)!;
    expect(failed).toMatchObject({ type: 'storytelling.story.story.analysis_failed.v1', data: { errorCode: 'ANALYSER_UNAVAILABLE', status: 'draft', attempts: 3 } });

    // asking again starts afresh
    const again = await request(story.id);
    expect(again.analysis.status).toBe('analyzing');
    expect(await runUntil(p, story.id)).toMatchObject({ kind: 'analyzed' });
  });

  it('a non-retryable error or a nonsense answer fails at once; a hung analyser times out and is retried', async () => {
    const rejected = await create('The first tale.');
    await request(rejected.id);
    expect(await runUntil(processor(new FakeStoryAnalyser().failNext(false, 'CONTENT_REJECTED')), rejected.id)).toMatchObject({ kind: 'failed', code: 'CONTENT_REJECTED' });

    const nonsense = await create('The second tale.');
    await request(nonsense.id);
    expect(await runUntil(processor(new FakeStoryAnalyser().answerNext({ characters: 'many' })), nonsense.id)).toMatchObject({
      kind: 'failed',
      code: 'ANALYSIS_INVALID_RESULT',
    });

    const hung = await create('The third tale.');
    await request(hung.id);
    const started = Date.now();
    expect(await runUntil(processor(new FakeStoryAnalyser().hangNext(false)), hung.id)).toMatchObject({ kind: 'retry', code: 'ANALYSIS_TIMEOUT' });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('a worker that crashed mid-job: once its lease expires another worker takes the job over; the crashed one cannot write late', async () => {
    const story = await create('A tale interrupted.');
    await request(story.id);
    // worker "crashed" claims the job and dies without finishing
    let claimed = await uow.reader.jobs.claim('crashed', settings.leaseMs);
    while (claimed && claimed.storyId !== story.id) claimed = await uow.reader.jobs.claim('crashed', settings.leaseMs);
    expect(claimed).toMatchObject({ storyId: story.id, status: 'running', attempts: 1, leaseOwner: 'crashed' });

    const survivor = processor(new FakeStoryAnalyser());
    expect((await survivor.processNext('survivor')).kind).toBe('idle'); // lease still held

    await new Promise((r) => setTimeout(r, settings.leaseMs + 100));
    expect(await runUntil(survivor, story.id, 'survivor')).toMatchObject({ kind: 'analyzed' });
    expect(await jobs(story.id)).toMatchObject([{ status: 'succeeded', attempts: 2 }]);
    expect(await status(story.id)).toBe('analyzed');
    // the crashed worker, coming back, no longer owns the job
    expect(await uow.run((repos) => repos.jobs.lockOwned(claimed!.id, 'crashed'))).toBeUndefined();
  });

  const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
  /** Starts `worker`'s turns until one handles the job of `storyId`, and waits until its analyser call has begun (the turn goes on). */
  async function startTurn(p: ReturnType<typeof processor>, analyser: FakeStoryAnalyser, storyId: string, worker: string): Promise<{ turn: Promise<JobOutcome> }> {
    const turn = (async () => {
      for (;;) {
        const o = await p.processNext(worker);
        if (o.kind === 'idle' || o.storyId === storyId) return o;
      }
    })();
    for (const until = Date.now() + 5_000; analyser.calls.length === 0 && Date.now() < until; ) await sleep(10);
    expect(analyser.calls).toHaveLength(1);
    return { turn }; // wrapped: an async function returning the promise itself would wait for it
  }

  it('an analysis lasting 2.5 leases keeps its job: the heartbeat renews the lease, no other worker takes it over', async () => {
    const story = await create('A tale that takes long to read.');
    await request(story.id);
    const slow = new FakeStoryAnalyser();
    const release = slow.holdNext();
    const leaseMs = 1_000;
    const { turn } = await startTurn(processor(slow, { timeoutMs: 10_000, leaseMs }), slow, story.id, 'w-slow');
    // Another worker tries to claim every 100 ms while the call lasts 2.5 leases.
    const other = processor(new FakeStoryAnalyser());
    const claimsMeanwhile: string[] = [];
    for (const until = Date.now() + 2.5 * leaseMs; Date.now() < until; ) {
      claimsMeanwhile.push((await other.processNext('w-other')).kind);
      await sleep(100);
    }
    release();
    expect(await turn).toMatchObject({ kind: 'analyzed', storyId: story.id });
    expect(claimsMeanwhile.length).toBeGreaterThanOrEqual(10);
    expect(new Set(claimsMeanwhile)).toEqual(new Set(['idle']));
    expect(await jobs(story.id)).toMatchObject([{ status: 'succeeded', attempts: 1, lease_owner: null }]);
  });

  it('a worker whose job was taken over stops at its next renewal: its call is aborted and nothing overwrites the new holder\'s result', async () => {
    const story = await create('A tale with two tellers.');
    await request(story.id);
    // The first worker's call would answer after 8 s, with characters of its own.
    const stale = (input: StoryAnalysisInput): AnalysisResult => ({ ...defaultResult(input), characters: [{ name: 'Stale Teller', description: 'late', personality: 'slow', role: 'protagonist', traits: [] }] });
    const first = new FakeStoryAnalyser().slowNext(8_000, stale);
    const leaseMs = 1_000;
    const { turn } = await startTurn(processor(first, { timeoutMs: 20_000, leaseMs }), first, story.id, 'w-first');
    const [{ id: firstId }] = (await ds.query(`SELECT id FROM analysis_jobs WHERE story_id = $1`, [story.id])) as [{ id: string }];

    // As if the first worker's renewals had not reached the database for a whole lease (a
    // partition, a stalled VM): its lease lapses and the second worker takes the job over. (The
    // first one's heartbeat may renew between the two statements: then the second finds nothing due; again.)
    const second = processor(new FakeStoryAnalyser());
    let takeover: JobOutcome = { kind: 'idle' };
    for (let i = 0; i < 20 && takeover.kind === 'idle'; i++) {
      await ds.query(`UPDATE analysis_jobs SET lease_expires_at = clock_timestamp() - interval '1 second' WHERE id = $1 AND lease_owner = 'w-first'`, [firstId]);
      takeover = await second.processNext('w-second');
    }
    expect(takeover).toMatchObject({ kind: 'analyzed', storyId: story.id });
    const tookOverAt = Date.now();

    // The first worker's next renewal (every third of a lease) finds the job gone: its call is aborted, its turn ends.
    const ended = await Promise.race([turn, sleep(3 * leaseMs).then(() => 'still running' as const)]);
    expect(ended).toMatchObject({ kind: 'lost', storyId: story.id });
    expect(Date.now() - tookOverAt).toBeLessThan(2 * leaseMs);
    expect(String(first.abortReasons[0])).toMatch(/lease lost/);

    expect(await jobs(story.id)).toMatchObject([{ status: 'succeeded', attempts: 2, lease_owner: null }]);
    expect((await analysis(story.id)).characters.map((c) => c.name)).toEqual(['Mira', 'The Storm']);
    expect((await outboxOf(ds, story.id)).filter((e) => e.type === 'storytelling.story.story.analyzed.v1')).toHaveLength(1);
  });

  it('concurrent workers never take the same job (FOR UPDATE SKIP LOCKED)', async () => {
    const stories = await Promise.all(Array.from({ length: 6 }, (_, i) => create(`Tale number ${i}.`)));
    for (const s of stories) await request(s.id);
    const claims = await Promise.all(Array.from({ length: 6 }, (_, i) => uow.reader.jobs.claim(`racer-${i}`, 5000)));
    const mine = claims.filter((c) => c && stories.some((s) => s.id === c.storyId));
    expect(new Set(mine.map((c) => c!.id)).size).toBe(mine.length);
    expect(mine).toHaveLength(6);
  });

  it('a content edit while analysing cancels the job; the worker then writes nothing', async () => {
    const analyser = new FakeStoryAnalyser();
    const release = analyser.holdNext();
    const story = await create('A tale to be rewritten.');
    await request(story.id);
    const p = processor(analyser, { timeoutMs: 5000, leaseMs: 10_000 });
    const running = (async () => {
      for (;;) {
        const o = await p.processNext('slow');
        if (o.kind === 'idle') return o;
        if (o.storyId === story.id) return o;
      }
    })();
    await new Promise((r) => setTimeout(r, 200));
    await edit(story.id, 'Rewritten while it was analysed.');
    release();
    expect(await running).toMatchObject({ kind: 'lost' }); // the job was cancelled under it
    expect(await status(story.id)).toBe('draft');
    expect(await jobs(story.id)).toMatchObject([{ status: 'cancelled' }]);
    expect((await analysis(story.id)).status).toBe('none');
  });

  it('shutdown mid-call hands the job back at once (the interrupted attempt does not count)', async () => {
    const story = await create('A tale at closing time.');
    await request(story.id);
    const stop = new AbortController();
    const p = processor(new FakeStoryAnalyser().hangNext(true), { timeoutMs: 5000, leaseMs: 10_000 });
    const turn = (async () => {
      for (;;) {
        const o = await p.processNext('closing', stop.signal);
        if (o.kind === 'idle' || o.storyId === story.id) return o;
      }
    })();
    await new Promise((r) => setTimeout(r, 200));
    stop.abort(new Error('shutting down'));
    expect(await turn).toMatchObject({ kind: 'released' });
    expect(await jobs(story.id)).toMatchObject([{ status: 'pending', attempts: 0, lease_owner: null }]);
    expect(await runUntil(processor(new FakeStoryAnalyser()), story.id)).toMatchObject({ kind: 'analyzed' });
  });
});
