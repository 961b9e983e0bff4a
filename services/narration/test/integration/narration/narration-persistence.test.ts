// narration's SQL side against real PostgreSQL: the narration rows with their segments and
// outbox events, and the leased job table as the worker uses it (claims, leases that expire by the
// database's clock, one job per narration at a time, regenerations merged while they wait), with
// fakes only where audio would be made.
import { setTimeout as sleep } from 'node:timers/promises';
import { VersionConflictError, systemClock, uuidv7 } from '@storytelling/kernel';
import { EventStore, UnitOfWork, createDataSource, runMigrations } from '@storytelling/platform';
import { createServiceSandbox } from '@storytelling/testing';
import type { DataSource } from 'typeorm';
import { narrationMigrations } from '../../../migrations/index.js';
import { GenerateNarrationCommand, GenerateNarrationHandler, RegenerateSegmentCommand, RegenerateSegmentHandler, RunNarrationJobCommand, RunNarrationJobHandler } from '../../../src/application/index.js';
import type { NarrationsUnitOfWork } from '../../../src/application/index.js';
import { Narration, STOCK_VOICE_ID, segmentStory, voiceSegments } from '../../../src/domain/index.js';
import { NARRATION_ENTITIES } from '../../../src/infrastructure/persistence/entities.js';
import { narrationUnitOfWork } from '../../../src/infrastructure/persistence/unit-of-work.js';
import { CountingWakeup, FakeAudioJoiner, FakeSpeechEngine, FakeStorySource, SETTINGS } from '../../support/narration-in-memory.js';
import { lighthouse } from '../../support/narration-world.js';
import { ANN, FakeMediaFiles } from '../../support/voice-in-memory.js';

describe('narration persistence and jobs (real Postgres)', () => {
  let ds: DataSource;
  let uow: NarrationsUnitOfWork;
  const clock = systemClock;
  const stories = new FakeStorySource();
  const engine = new FakeSpeechEngine();
  const media = new FakeMediaFiles();
  const settings = { ...SETTINGS, leaseMs: 1_000 };
  let run: RunNarrationJobHandler;
  let generate: GenerateNarrationHandler;

  beforeAll(async () => {
    const sandbox = await createServiceSandbox('narrsql', ['narration']);
    ds = createDataSource({ url: sandbox.env.narration.DATABASE_URL, schema: sandbox.env.narration.DATABASE_SCHEMA, poolMax: 6 }, { entities: NARRATION_ENTITIES, migrations: narrationMigrations, applicationName: 'narration-test' });
    await ds.initialize();
    await runMigrations(ds);
    uow = narrationUnitOfWork(new UnitOfWork(ds), new EventStore(), ds, clock);
    run = new RunNarrationJobHandler(uow, engine, media, new FakeAudioJoiner(), stories, settings, clock);
    generate = new GenerateNarrationHandler(uow, new CountingWakeup(), clock);
  });

  afterAll(async () => {
    await ds?.destroy();
  });

  const outbox = async (id: string): Promise<Array<{ type: string; version: number; data: Record<string, unknown> }>> =>
    ds.query(`SELECT type, version, data FROM domain_events WHERE aggregate_id = $1 ORDER BY version`, [id]);
  const jobs = async (id: string): Promise<Array<{ kind: string; status: string; attempts: number; segment_indexes: number[]; lease_owner: string | null }>> =>
    ds.query(`SELECT kind, status, attempts, segment_indexes, lease_owner FROM narration_jobs WHERE narration_id = $1 ORDER BY created_at, id`, [id]);

  async function stored(ownerId = ANN.userId): Promise<Narration> {
    const story = stories.add(lighthouse(ownerId));
    const narration = Narration.request({
      id: uuidv7(),
      storyId: story.storyId,
      ownerId,
      voiceId: STOCK_VOICE_ID,
      characterVoices: {},
      narratorProfile: 'kid',
      conversationStyle: 'playful',
      segments: voiceSegments(segmentStory(story), STOCK_VOICE_ID, {}),
      sagaId: uuidv7(),
    });
    await uow.run((repos) => repos.narrations.add(narration));
    return narration;
  }

  it('stores a narration with its segments and events; saves change rows at the loaded version only', async () => {
    const n = await stored();
    const loaded = (await uow.reader.narrations.find(n.id))!;
    expect(loaded.state).toEqual(n.state);
    expect(loaded.version).toBe(1);
    expect(await outbox(n.id)).toMatchObject([{ type: 'storytelling.narration.narration.requested.v1', version: 1, data: { narrationId: n.id, voiceId: STOCK_VOICE_ID } }]);

    const a = (await uow.reader.narrations.find(n.id))!;
    const b = (await uow.reader.narrations.find(n.id))!;
    a.fail('SEGMENT_FAILED: test');
    await uow.run((repos) => repos.narrations.save(a));
    b.fail('JOB_ABANDONED: test');
    await expect(uow.run((repos) => repos.narrations.save(b))).rejects.toBeInstanceOf(VersionConflictError);
    expect((await uow.reader.narrations.find(n.id))!.state.failureReason).toBe('SEGMENT_FAILED: test');
  });

  it('writes segment audio row by row; a discard leaves a tombstone without segments; a narration it never held gets one on the outbox stream', async () => {
    const n = await stored();
    await uow.run(async (repos) => {
      const locked = (await repos.narrations.find(n.id, { lock: true }))!;
      locked.segmentSynthesised(2, { objectKey: locked.nextSegmentKey(2), durationSeconds: 1.25 });
      await repos.narrations.save(locked);
    });
    const reloaded = (await uow.reader.narrations.find(n.id))!;
    expect(reloaded.segments[2]).toMatchObject({ revision: 1, audio: { objectKey: `narrations/${ANN.userId}/${n.id}/segments/2-1.ogg`, durationSeconds: 1.25 } });
    expect(reloaded.progress).toEqual({ done: 1, total: 6 });

    await uow.run(async (repos) => {
      const locked = (await repos.narrations.find(n.id, { lock: true }))!;
      locked.discard('publication_failed', uuidv7());
      await repos.narrations.save(locked);
    });
    expect(await ds.query(`SELECT count(*)::int AS n FROM narration_segments WHERE narration_id = $1`, [n.id])).toEqual([{ n: 0 }]);
    expect((await uow.reader.narrations.find(n.id))!.status).toBe('discarded');

    // Erased, then discarded by a saga: the tombstone's event follows the outbox's last version.
    await uow.run((repos) => repos.narrations.deleteByOwner(ANN.userId));
    const sagaId = uuidv7();
    await uow.run(async (repos) => repos.narrations.add(Narration.discardedUnknown(n.id, 'late', sagaId, await repos.narrations.streamVersion(n.id))));
    expect((await outbox(n.id)).map((e) => e.version)).toEqual([1, 2, 3]);
    expect((await outbox(n.id)).at(-1)!.data).toMatchObject({ narrationId: n.id, storyId: '', ownerId: '', sagaId });
  });

  it('one generation per narration; a regeneration waits while another job of the narration runs, and requests merge', async () => {
    const n = await stored();
    const at = new Date();
    expect(await uow.run((repos) => repos.narrationJobs.enqueueGeneration({ id: uuidv7(), narrationId: n.id, at }))).toBe(true);
    expect(await uow.run((repos) => repos.narrationJobs.enqueueGeneration({ id: uuidv7(), narrationId: n.id, at }))).toBe(false);
    const claimed = (await uow.reader.narrationJobs.claim('w1', 60_000))!;
    expect(claimed).toMatchObject({ narrationId: n.id, kind: 'generate', attempts: 1, leaseOwner: 'w1' });

    await uow.run((repos) => repos.narrationJobs.enqueueRegeneration({ id: uuidv7(), narrationId: n.id, index: 3, at }));
    await uow.run((repos) => repos.narrationJobs.enqueueRegeneration({ id: uuidv7(), narrationId: n.id, index: 1, at }));
    await uow.run((repos) => repos.narrationJobs.enqueueRegeneration({ id: uuidv7(), narrationId: n.id, index: 3, at }));
    expect((await jobs(n.id)).map((j) => [j.kind, j.status, j.segment_indexes])).toEqual([
      ['generate', 'running', []],
      ['regenerate', 'pending', [1, 3]],
    ]);
    // The narration's generation runs: its regeneration is not claimable yet.
    const other = await uow.reader.narrationJobs.claim('w2', 60_000);
    expect(other?.narrationId).not.toBe(n.id);
    if (other) await uow.run((repos) => repos.narrationJobs.finish(other.id, 'cancelled', null, new Date()));

    await uow.run((repos) => repos.narrationJobs.finish(claimed.id, 'succeeded', null, new Date()));
    expect(await uow.reader.narrationJobs.claim('w2', 60_000)).toMatchObject({ narrationId: n.id, kind: 'regenerate', segmentIndexes: [1, 3] });
    await uow.run((repos) => repos.narrationJobs.cancelForNarration(n.id, new Date()));
    expect((await jobs(n.id)).map((j) => j.status)).toEqual(['succeeded', 'cancelled']);
  });

  it("a saga's narration is generated by the worker; a worker that dies mid-way is taken over once its lease expires (database time), and the work survives", async () => {
    const story = stories.add(lighthouse());
    const narrationId = uuidv7();
    await generate.execute(new GenerateNarrationCommand({ sagaId: uuidv7(), narrationId, storyId: story.storyId, ownerId: ANN.userId, voiceId: '', characterVoices: {} }));
    // The first worker synthesises two segments, then "dies" (stops without handing the job back).
    const dying = new AbortController();
    engine.onRequest = (count) => {
      if (count === 2) dying.abort();
    };
    const handler = new RunNarrationJobHandler(uow, engine, media, new FakeAudioJoiner(), stories, settings, clock);
    const outcome = await handler.execute(new RunNarrationJobCommand('w-dies', dying.signal));
    expect(outcome.kind).toBe('released'); // the fake shutdown hands it back; make it look crashed instead:
    await ds.query(`UPDATE narration_jobs SET status = 'running', lease_owner = 'w-dies', lease_expires_at = clock_timestamp() + interval '300 milliseconds' WHERE narration_id = $1`, [narrationId]);
    engine.onRequest = undefined;
    expect(await run.execute(new RunNarrationJobCommand('w-next'))).toEqual({ kind: 'idle' });
    await sleep(400);
    const taken = await run.execute(new RunNarrationJobCommand('w-next'));
    expect(taken).toMatchObject({ kind: 'generated', narrationId, segments: 5 });
    const n = (await uow.reader.narrations.find(narrationId))!;
    expect(n.state).toMatchObject({ status: 'completed', audioRevision: 1 });
    expect(n.segments.every((s) => s.revision === 1)).toBe(true);
    expect(engine.requests.filter((r) => r.narratorProfile === 'neutral')).toHaveLength(5);
    expect((await jobs(narrationId))[0]).toMatchObject({ status: 'succeeded', lease_owner: null });
    expect((await outbox(narrationId)).map((e) => e.type.split('.')[3])).toEqual(['requested', 'generated']);

    const regenerate = new RegenerateSegmentHandler(uow, new CountingWakeup(), clock);
    await regenerate.execute(new RegenerateSegmentCommand(ANN, narrationId, 4));
    expect(await run.execute(new RunNarrationJobCommand('w-next'))).toMatchObject({ kind: 'regenerated', indexes: [4] });
    const after = (await uow.reader.narrations.find(narrationId))!;
    expect(after.segments[4]!.audio!.objectKey).toBe(`narrations/${ANN.userId}/${narrationId}/segments/4-2.ogg`);
    expect(after.state.audio!.objectKey).toBe(`narrations/${ANN.userId}/${narrationId}/narration-2.ogg`);
  });

  it('a step longer than the lease (a long join) keeps the job: the heartbeat renews the lease, no other worker takes it over', async () => {
    const story = stories.add(lighthouse());
    const narrationId = uuidv7();
    await generate.execute(new GenerateNarrationCommand({ sagaId: uuidv7(), narrationId, storyId: story.storyId, ownerId: ANN.userId, voiceId: '', characterVoices: {} }));
    const joiner = new FakeAudioJoiner();
    const claimsMeanwhile: string[] = [];
    // The join lasts 2.5 leases; another worker tries to claim every 250 ms meanwhile.
    joiner.during = async () => {
      for (const until = Date.now() + 2_500; Date.now() < until; ) {
        claimsMeanwhile.push((await run.execute(new RunNarrationJobCommand('w-other'))).kind);
        await sleep(250);
      }
    };
    const slow = new RunNarrationJobHandler(uow, engine, media, joiner, stories, settings, clock);
    expect(await slow.execute(new RunNarrationJobCommand('w-slow'))).toMatchObject({ kind: 'generated', narrationId });
    expect(claimsMeanwhile.length).toBeGreaterThanOrEqual(5);
    expect(new Set(claimsMeanwhile)).toEqual(new Set(['idle']));
    expect((await jobs(narrationId))[0]).toMatchObject({ status: 'succeeded', attempts: 1 });
  });

  it('erasure deletes the rows of one owner only, jobs with them', async () => {
    const other = '0190a0d0-0000-7000-8000-0000000000e9';
    const mine = await stored(other);
    const theirs = await stored();
    await uow.run((repos) => repos.narrationJobs.enqueueGeneration({ id: uuidv7(), narrationId: mine.id, at: new Date() }));
    expect(await uow.run((repos) => repos.narrations.deleteByOwner(other))).toBe(1);
    expect(await uow.reader.narrations.find(mine.id)).toBeUndefined();
    expect(await jobs(mine.id)).toEqual([]);
    expect(await uow.reader.narrations.find(theirs.id)).toBeDefined();
  });
});

