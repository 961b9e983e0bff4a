// The narration side in memory, for the narration handlers' unit tests (no PostgreSQL, no Kafka,
// no audio tools): narrations and their jobs over the platform's InMemoryUnitOfWork with the rules
// the SQL repositories keep (versions on save, events to an outbox in the same unit, one
// generation per narration, regenerations merged while they wait, claims that skip a narration
// with a running job, leases), the voices of voice-in-memory.ts, and fakes of the other ports.
import { readFile, writeFile } from 'node:fs/promises';
import type { MessageType } from '@storytelling/contracts';
import { FixedClock, VersionConflictError, type DomainEvent, type Keyset, type Propagation } from '@storytelling/kernel';
import { SagaEngine, type IdempotencyOptions, type IdempotentRequest, type SagaDefinition, type SagaInstance, type SagaStarter, type StartInput } from '@storytelling/platform';
import { InMemorySagaPort, InMemoryUnitOfWork, runIdempotentInMemory, type IdempotencyKeyTable } from '@storytelling/testing';
import type { AudioJoiner, IdempotentUnitOfWork, NarratableStory, NarrationSettings, SpeechEngine, SpeechRequest, SpeechResult, StoryReader, StorySource } from '../../src/application/index.js';
import { narrationQuotaSaga, type NarrationQuotaDeps, type NarrationQuotaState, type NarrationWakeup } from '../../src/application/index.js';
import type { NarrationJob, NarrationJobFailure, NarrationJobs, NarrationRepository, NarrationState, NarrationWorkRepositories, VoiceRepository } from '../../src/domain/index.js';
import { NARRATION_AGGREGATE_TYPE, Narration, StoryNotFoundError } from '../../src/domain/index.js';
import { recording, type FakeRecording, type OutboxEntry } from './voice-in-memory.js';

export interface NarrationTables {
  narrations: Map<string, { state: NarrationState; version: number }>;
  jobs: Map<string, NarrationJob>;
  outbox: OutboxEntry[];
  idempotencyKeys: IdempotencyKeyTable;
}

/** A deep copy whose Dates belong to this realm (structuredClone's would not, under jest's VM modules). */
export function copyState(s: NarrationState): NarrationState {
  return {
    ...s,
    characterVoices: { ...s.characterVoices },
    segments: s.segments.map((g) => ({ ...g, audio: g.audio ? { ...g.audio } : null })),
    audio: s.audio ? { ...s.audio } : null,
    createdAt: new Date(s.createdAt.getTime()),
    updatedAt: new Date(s.updatedAt.getTime()),
  };
}

const copyTables = (t: NarrationTables): NarrationTables => ({ narrations: new Map(t.narrations), jobs: new Map(t.jobs), outbox: [...t.outbox], idempotencyKeys: new Map(t.idempotencyKeys) });

class InMemoryNarrationRepository implements NarrationRepository {
  constructor(
    private readonly t: NarrationTables,
    private readonly clock: FixedClock,
  ) {}

  async find(id: string): Promise<Narration | undefined> {
    const row = this.t.narrations.get(id);
    return row ? Narration.rehydrate(copyState(row.state), row.version, this.clock) : undefined;
  }

  async add(narration: Narration): Promise<void> {
    if (this.t.narrations.has(narration.id)) throw new Error(`narrations_pkey: ${narration.id}`);
    this.write(narration);
  }

  async save(narration: Narration): Promise<void> {
    if (this.t.narrations.get(narration.id)?.version !== narration.loadedVersion) throw new VersionConflictError(narration.id, narration.loadedVersion);
    this.write(narration);
  }

  async streamVersion(id: string): Promise<number> {
    return Math.max(0, ...this.t.outbox.filter((o) => o.event.aggregateId === id).map((o) => o.event.aggregateVersion));
  }

  async listByOwner(ownerId: string): Promise<Narration[]> {
    return [...this.t.narrations.values()]
      .filter((r) => r.state.ownerId === ownerId)
      .sort((a, b) => a.state.createdAt.getTime() - b.state.createdAt.getTime() || a.state.id.localeCompare(b.state.id))
      .map((r) => Narration.rehydrate(copyState(r.state), r.version, this.clock));
  }

  async pageByOwner(ownerId: string, limit: number, after?: Keyset): Promise<Narration[]> {
    const newer = (a: NarrationState, b: { createdAt: Date; id: string }) => b.createdAt.getTime() - a.createdAt.getTime() || b.id.localeCompare(a.id);
    return [...this.t.narrations.values()]
      .filter((r) => r.state.ownerId === ownerId && r.state.status !== 'discarded')
      .filter((r) => !after || newer(r.state, { createdAt: after.at, id: after.id }) > 0)
      .sort((a, b) => newer(a.state, b.state))
      .slice(0, limit)
      .map((r) => Narration.rehydrate(copyState(r.state), r.version, this.clock));
  }

  async deleteByOwner(ownerId: string): Promise<number> {
    const ids = [...this.t.narrations.values()].filter((r) => r.state.ownerId === ownerId).map((r) => r.state.id);
    for (const id of ids) {
      this.t.narrations.delete(id);
      for (const [jobId, job] of this.t.jobs) if (job.narrationId === id) this.t.jobs.delete(jobId);
    }
    return ids.length;
  }

  private write(narration: Narration): void {
    for (const event of narration.pendingEvents) {
      if (this.t.outbox.some((o) => o.event.aggregateId === event.aggregateId && o.event.aggregateVersion === event.aggregateVersion)) {
        throw new VersionConflictError(narration.id, event.aggregateVersion - 1);
      }
      this.t.outbox.push({ aggregateType: NARRATION_AGGREGATE_TYPE, event });
    }
    this.t.narrations.set(narration.id, { state: copyState(narration.state), version: narration.version });
    narration.markPersisted();
  }
}

const active = (j: NarrationJob): boolean => j.status === 'pending' || j.status === 'running';
const merged = (a: readonly number[], b: readonly number[]): number[] => [...new Set([...a, ...b])].sort((x, y) => x - y);

class InMemoryNarrationJobs implements NarrationJobs {
  constructor(
    private readonly t: NarrationTables,
    private readonly clock: FixedClock,
  ) {}

  async enqueueGeneration(job: { id: string; narrationId: string; at: Date }): Promise<boolean> {
    if (this.all().some((j) => j.narrationId === job.narrationId && j.kind === 'generate' && active(j))) return false;
    this.t.jobs.set(job.id, newJob(job.id, job.narrationId, 'generate', [], job.at));
    return true;
  }

  async enqueueRegeneration(job: { id: string; narrationId: string; index: number; at: Date }): Promise<void> {
    const waiting = this.all().find((j) => j.narrationId === job.narrationId && j.kind === 'regenerate' && j.status === 'pending');
    if (waiting) this.t.jobs.set(waiting.id, { ...waiting, segmentIndexes: merged(waiting.segmentIndexes, [job.index]), updatedAt: job.at });
    else this.t.jobs.set(job.id, newJob(job.id, job.narrationId, 'regenerate', [job.index], job.at));
  }

  async claim(workerId: string, leaseMs: number): Promise<NarrationJob | undefined> {
    const now = this.clock.now();
    const running = (j: NarrationJob) => j.status === 'running' && j.leaseExpiresAt !== null && j.leaseExpiresAt >= now;
    const due = this.all()
      .filter((j) => (j.status === 'pending' && j.runAfter <= now) || (j.status === 'running' && !running(j)))
      .filter((j) => !this.all().some((o) => o.id !== j.id && o.narrationId === j.narrationId && running(o)))
      .sort((a, b) => a.runAfter.getTime() - b.runAfter.getTime() || a.id.localeCompare(b.id))[0];
    if (!due) return undefined;
    const claimed: NarrationJob = { ...due, status: 'running', leaseOwner: workerId, leaseExpiresAt: new Date(now.getTime() + leaseMs), attempts: due.attempts + 1, updatedAt: now };
    this.t.jobs.set(due.id, claimed);
    return { ...claimed, segmentIndexes: [...claimed.segmentIndexes] };
  }

  async lockOwned(jobId: string, workerId: string, leaseMs?: number): Promise<NarrationJob | undefined> {
    const job = this.t.jobs.get(jobId);
    if (!job || job.status !== 'running' || job.leaseOwner !== workerId) return undefined;
    if (leaseMs !== undefined) this.t.jobs.set(jobId, { ...job, leaseExpiresAt: new Date(this.clock.now().getTime() + leaseMs) });
    return { ...job };
  }

  async renew(jobId: string, workerId: string, leaseMs: number): Promise<boolean> {
    return (await this.lockOwned(jobId, workerId, leaseMs)) !== undefined;
  }

  async finish(jobId: string, status: 'succeeded' | 'failed' | 'cancelled', failure: NarrationJobFailure | null, at: Date): Promise<void> {
    this.update(jobId, (j) => ({ ...j, status, leaseOwner: null, leaseExpiresAt: null, updatedAt: at, lastErrorCode: failure?.code ?? j.lastErrorCode, lastErrorMessage: failure?.message ?? j.lastErrorMessage }));
  }

  async release(jobId: string, at: Date): Promise<void> {
    const job = this.t.jobs.get(jobId);
    const waiting = job && this.all().find((j) => j.id !== jobId && j.narrationId === job.narrationId && job.kind === 'regenerate' && j.kind === 'regenerate' && j.status === 'pending');
    if (job && waiting) {
      this.t.jobs.set(waiting.id, { ...waiting, segmentIndexes: merged(waiting.segmentIndexes, job.segmentIndexes) });
      return this.finish(jobId, 'cancelled', null, at);
    }
    this.update(jobId, (j) => ({ ...j, status: 'pending', runAfter: at, leaseOwner: null, leaseExpiresAt: null, attempts: Math.max(0, j.attempts - 1), updatedAt: at }));
  }

  async reschedule(jobId: string, runAfter: Date, failure: NarrationJobFailure, at: Date): Promise<void> {
    this.update(jobId, (j) => ({ ...j, status: 'pending', runAfter, leaseOwner: null, leaseExpiresAt: null, lastErrorCode: failure.code, lastErrorMessage: failure.message, updatedAt: at }));
  }

  async cancelForNarration(narrationId: string, at: Date): Promise<void> {
    for (const j of this.all()) if (j.narrationId === narrationId && active(j)) await this.finish(j.id, 'cancelled', null, at);
  }

  private all(): NarrationJob[] {
    return [...this.t.jobs.values()];
  }

  private update(jobId: string, change: (job: NarrationJob) => NarrationJob): void {
    const job = this.t.jobs.get(jobId);
    if (job) this.t.jobs.set(jobId, change(job));
  }
}

function newJob(id: string, narrationId: string, kind: NarrationJob['kind'], segmentIndexes: number[], at: Date): NarrationJob {
  return { id, narrationId, kind, segmentIndexes, status: 'pending', attempts: 0, runAfter: at, leaseOwner: null, leaseExpiresAt: null, lastErrorCode: null, lastErrorMessage: null, createdAt: at, updatedAt: at };
}

export type NarrationUnitRepositories = NarrationWorkRepositories & { voices: VoiceRepository };

/**
 * Narrations and jobs in memory, with the Idempotency-Key guard; `voices` reads the voice unit of
 * work's committed voices (the narration handlers only read voices).
 */
export class InMemoryNarrationUnitOfWork
  extends InMemoryUnitOfWork<NarrationTables, NarrationUnitRepositories & { idempotencyKeys: IdempotencyKeyTable }>
  implements IdempotentUnitOfWork<NarrationUnitRepositories>
{
  constructor(
    readonly clock: FixedClock,
    voices: () => VoiceRepository,
  ) {
    super({ narrations: new Map(), jobs: new Map(), outbox: [], idempotencyKeys: new Map() }, copyTables, (t) => ({
      narrations: new InMemoryNarrationRepository(t, clock),
      narrationJobs: new InMemoryNarrationJobs(t, clock),
      get voices() {
        return voices();
      },
      idempotencyKeys: t.idempotencyKeys,
    }));
  }

  runIdempotent<T>(request: IdempotentRequest, work: (repos: NarrationUnitRepositories) => Promise<T>, options?: IdempotencyOptions<T> & { propagation?: Propagation }): Promise<T> {
    return runIdempotentInMemory(this, request, work, options);
  }

  /** The events appended for a narration (or all), in order. */
  events(narrationId?: string): DomainEvent[] {
    return this.tables.outbox.filter((o) => narrationId === undefined || o.event.aggregateId === narrationId).map((o) => o.event);
  }

  /** The event types appended for a narration, in order (`requested`, `generated`, …). */
  eventNames(narrationId?: string): string[] {
    return this.events(narrationId).map((e) => e.type.split('.')[3]!);
  }

  jobs(): NarrationJob[] {
    return [...this.tables.jobs.values()];
  }

  /** The stored narration (fails when there is none). */
  stored(id: string): Narration {
    const row = this.tables.narrations.get(id);
    if (!row) throw new Error(`no narration ${id}`);
    return Narration.rehydrate(copyState(row.state), row.version, this.clock);
  }
}

export const SETTINGS: NarrationSettings = {
  workers: 0,
  leaseMs: 60_000,
  pollMs: 50,
  segmentConcurrency: 1,
  segmentAttempts: 3,
  segmentRetryDelayMs: 0,
  maxJobAttempts: 3,
  jobRetryDelayMs: 1_000,
  pauseMs: 400,
  reservationTtlSeconds: 3_600,
};

/** story, as the ACL would answer: stories by id; `failure` makes the next reads throw it. */
export class FakeStorySource implements StorySource {
  readonly stories = new Map<string, NarratableStory>();
  readonly reads: Array<{ storyId: string; reader: StoryReader }> = [];
  failure: Error | undefined;

  add(story: NarratableStory): NarratableStory {
    this.stories.set(story.storyId, story);
    return story;
  }

  async narratable(storyId: string, reader: StoryReader): Promise<NarratableStory> {
    this.reads.push({ storyId, reader });
    if (this.failure) throw this.failure;
    const story = this.stories.get(storyId);
    if (!story) throw new StoryNotFoundError();
    return story;
  }

  async isPublishedFor(storyId: string): Promise<boolean> {
    return this.stories.get(storyId)?.published === true;
  }
}

/**
 * A speech engine writing fake recordings (15 characters a second): `failures` texts fail that
 * many times (Infinity: always), `silentTexts` come out silent. Every request is recorded.
 */
export class FakeSpeechEngine implements SpeechEngine {
  readonly name = 'fake';
  readonly requests: SpeechRequest[] = [];
  readonly failures = new Map<string, number>();
  readonly silentTexts = new Set<string>();
  /** Called with the number of requests so far, as each arrives (a shutdown between segments). */
  onRequest: ((count: number) => void) | undefined;
  /** How long a synthesis takes (ms), and the most that ran at once. */
  delayMs = 0;
  maxInFlight = 0;
  private inFlight = 0;

  async synthesise(request: SpeechRequest, outputPath: string): Promise<SpeechResult> {
    this.requests.push(request);
    this.onRequest?.(this.requests.length);
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      if (this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
      return await this.speak(request, outputPath);
    } finally {
      this.inFlight -= 1;
    }
  }

  private async speak(request: SpeechRequest, outputPath: string): Promise<SpeechResult> {
    const left = this.failures.get(request.text) ?? 0;
    if (left > 0) {
      this.failures.set(request.text, left - 1);
      throw new Error(`engine exited with 1 on "${request.text.slice(0, 20)}"`);
    }
    const durationSeconds = Math.round((request.text.length / 15) * 100) / 100;
    await writeFile(outputPath, recording({ durationSeconds, silent: this.silentTexts.has(request.text) }));
    return { durationSeconds, contentType: 'audio/ogg' };
  }
}

/** Joins fake recordings: the sum of their durations plus the pauses. */
export class FakeAudioJoiner implements AudioJoiner {
  readonly joins: Array<{ inputs: number; pauseMs: number }> = [];
  /** Called when a join starts and awaited before it goes on (a long join, a test's look meanwhile). */
  during: (() => Promise<void>) | undefined;

  async join(inputs: readonly string[], pauseMs: number, output: string): Promise<{ durationSeconds: number }> {
    await this.during?.();
    let total = 0;
    for (const input of inputs) total += (JSON.parse((await readFile(input)).toString('utf8')) as { fakeAudio: FakeRecording }).fakeAudio.durationSeconds;
    const durationSeconds = Math.round((total + ((inputs.length - 1) * pauseMs) / 1000) * 100) / 100;
    await writeFile(output, recording({ durationSeconds }));
    this.joins.push({ inputs: inputs.length, pauseMs });
    return { durationSeconds };
  }
}

export class CountingWakeup implements NarrationWakeup {
  count = 0;
  notify(): void {
    this.count += 1;
  }
}

/**
 * The `Sagas` provider in memory for the narration-quota saga: the real engine over
 * InMemorySagaPort, replies run in a unit of work (as the consumer runs them in its inbox transaction).
 */
export class InMemoryQuotaSagas implements SagaStarter {
  readonly port: InMemorySagaPort;
  private readonly engine: SagaEngine<NarrationQuotaState, NarrationQuotaDeps>;
  private readonly deps: NarrationQuotaDeps;

  constructor(
    private readonly uow: InMemoryNarrationUnitOfWork,
    clock: FixedClock,
  ) {
    this.port = new InMemorySagaPort(clock);
    this.engine = new SagaEngine(narrationQuotaSaga, this.port, clock);
    this.deps = {
      get repos() {
        return uow.reader;
      },
    };
  }

  async start<S extends object, D>(definition: SagaDefinition<S, D>, input: StartInput<S>): Promise<SagaInstance<S>> {
    if (definition.type !== narrationQuotaSaga.type) throw new Error(`saga ${definition.type} is not bound in narration`);
    return (await this.engine.start(this.deps, input as unknown as StartInput<NarrationQuotaState>)) as unknown as SagaInstance<S>;
  }

  get all(): Array<SagaInstance<NarrationQuotaState>> {
    return [...this.port.sagas.values()] as Array<SagaInstance<NarrationQuotaState>>;
  }

  /** The payloads of the commands of one type sent so far. */
  sent<T>(message: MessageType<T>): T[] {
    return this.port.sent.filter((c) => c.type === message.type).map((c) => message.fromJSON(c.data));
  }

  async reply<R>(sagaId: string, message: MessageType<R>, payload: R): Promise<void> {
    await this.uow.run(async () => {
      const saga = await this.port.get<NarrationQuotaState>(sagaId);
      if (!saga) throw new Error(`no saga ${sagaId}`);
      await this.engine.onReply(saga, message as MessageType<unknown>, message.fromJSON(message.toJSON(payload)), this.deps);
    });
  }
}
