// The voice side of narration in memory, for the application handlers' unit tests (no
// PostgreSQL, no Kafka, no audio tools): voices and training jobs over the platform's
// InMemoryUnitOfWork with the rules the SQL repositories keep (versions on save, events to an
// outbox in the same unit, SKIP-LOCKED-like claims with leases), and fakes of the voice ports.
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DomainEvent, Propagation } from '@storytelling/kernel';
import { FixedClock, VersionConflictError } from '@storytelling/kernel';
import type { Caller, IdempotencyOptions, IdempotentRequest } from '@storytelling/platform';
import { InMemoryUnitOfWork, runIdempotentInMemory, type IdempotencyKeyTable } from '@storytelling/testing';
import type { CloneVoiceInput, IdempotentUnitOfWork, MediaFiles, NormalisedAudio, PitchFacts, SubscriptionPlans, VoiceCloning, VoiceTrainingSettings } from '../../src/application/index.js';
import type {
  AudioFacts,
  TrainedVoiceProvider,
  VoiceRepositories,
  VoiceRepository,
  VoiceState,
  VoiceTrainingFailure,
  VoiceTrainingJob,
  VoiceTrainingJobRepository,
} from '../../src/domain/index.js';
import { VOICE_AGGREGATE_TYPE, Voice } from '../../src/domain/index.js';

export type { OutboxEntry } from '@storytelling/testing';
import type { OutboxEntry } from '@storytelling/testing';

/** The tables. Rows are replaced, never mutated in place, so a shallow copy is a snapshot. */
export interface VoiceTables {
  voices: Map<string, VoiceState>;
  jobs: Map<string, VoiceTrainingJob>;
  outbox: OutboxEntry[];
  idempotencyKeys: IdempotencyKeyTable;
}

const copy = (t: VoiceTables): VoiceTables => ({ voices: new Map(t.voices), jobs: new Map(t.jobs), outbox: [...t.outbox], idempotencyKeys: new Map(t.idempotencyKeys) });

class InMemoryVoiceRepository implements VoiceRepository {
  constructor(
    private readonly t: VoiceTables,
    private readonly clock: FixedClock,
  ) {}

  async find(id: string): Promise<Voice | undefined> {
    const state = this.t.voices.get(id);
    return state ? Voice.rehydrate(state, this.clock) : undefined;
  }

  async listByOwner(ownerId: string): Promise<Voice[]> {
    return [...this.t.voices.values()]
      .filter((v) => v.ownerId === ownerId)
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.id.localeCompare(b.id))
      .map((v) => Voice.rehydrate(v, this.clock));
  }

  async add(voice: Voice): Promise<void> {
    if (this.t.voices.has(voice.id)) throw new Error(`duplicate voice ${voice.id}`);
    this.write(voice);
  }

  async save(voice: Voice): Promise<void> {
    if (this.t.voices.get(voice.id)?.version !== voice.loadedVersion) throw new VersionConflictError(voice.id, voice.loadedVersion);
    this.write(voice);
  }

  async deleteByOwner(ownerId: string): Promise<Voice[]> {
    const voices = await this.listByOwner(ownerId);
    for (const v of voices) {
      this.t.voices.delete(v.id);
      for (const [id, job] of this.t.jobs) if (job.voiceId === v.id) this.t.jobs.delete(id);
    }
    return voices;
  }

  private write(voice: Voice): void {
    for (const event of voice.pendingEvents) {
      if (this.t.outbox.some((o) => o.event.aggregateId === event.aggregateId && o.event.aggregateVersion === event.aggregateVersion)) {
        throw new VersionConflictError(voice.id, event.aggregateVersion - 1);
      }
      this.t.outbox.push({ aggregateType: VOICE_AGGREGATE_TYPE, event });
    }
    this.t.voices.set(voice.id, voice.toState());
    voice.markPersisted();
  }
}

class InMemoryVoiceTrainingJobRepository implements VoiceTrainingJobRepository {
  constructor(
    private readonly t: VoiceTables,
    private readonly clock: FixedClock,
  ) {}

  async enqueue(job: { id: string; voiceId: string; at: Date }): Promise<void> {
    if ([...this.t.jobs.values()].some((j) => j.voiceId === job.voiceId && (j.status === 'pending' || j.status === 'running'))) {
      throw new Error('voice_training_jobs_active_idx: one active job per voice');
    }
    this.t.jobs.set(job.id, {
      id: job.id,
      voiceId: job.voiceId,
      status: 'pending',
      attempts: 0,
      runAfter: job.at,
      leaseOwner: null,
      leaseExpiresAt: null,
      lastErrorCode: null,
      lastErrorMessage: null,
      createdAt: job.at,
      updatedAt: job.at,
    });
  }

  async claim(workerId: string, leaseMs: number): Promise<VoiceTrainingJob | undefined> {
    const now = this.clock.now();
    const due = [...this.t.jobs.values()]
      .filter((j) => (j.status === 'pending' && j.runAfter <= now) || (j.status === 'running' && j.leaseExpiresAt !== null && j.leaseExpiresAt < now))
      .sort((a, b) => a.runAfter.getTime() - b.runAfter.getTime() || a.id.localeCompare(b.id))[0];
    if (!due) return undefined;
    const claimed: VoiceTrainingJob = { ...due, status: 'running', leaseOwner: workerId, leaseExpiresAt: new Date(now.getTime() + leaseMs), attempts: due.attempts + 1, updatedAt: now };
    this.t.jobs.set(due.id, claimed);
    return { ...claimed };
  }

  async lockOwned(jobId: string, workerId: string): Promise<VoiceTrainingJob | undefined> {
    const job = this.t.jobs.get(jobId);
    return job && job.status === 'running' && job.leaseOwner === workerId ? { ...job } : undefined;
  }

  async renew(jobId: string, workerId: string, leaseMs: number): Promise<boolean> {
    const job = await this.lockOwned(jobId, workerId);
    if (job) this.t.jobs.set(jobId, { ...job, leaseExpiresAt: new Date(this.clock.now().getTime() + leaseMs) });
    return job !== undefined;
  }

  async finish(jobId: string, status: 'succeeded' | 'failed' | 'cancelled', failure: VoiceTrainingFailure | null, at: Date): Promise<void> {
    this.update(jobId, (j) => ({ ...j, status, leaseOwner: null, leaseExpiresAt: null, updatedAt: at, lastErrorCode: failure?.code ?? j.lastErrorCode, lastErrorMessage: failure?.message ?? j.lastErrorMessage }));
  }

  async reschedule(jobId: string, runAfter: Date, failure: VoiceTrainingFailure, at: Date): Promise<void> {
    this.update(jobId, (j) => ({ ...j, status: 'pending', runAfter, leaseOwner: null, leaseExpiresAt: null, lastErrorCode: failure.code, lastErrorMessage: failure.message, updatedAt: at }));
  }

  async release(jobId: string, at: Date): Promise<void> {
    this.update(jobId, (j) => ({ ...j, status: 'pending', runAfter: at, leaseOwner: null, leaseExpiresAt: null, attempts: Math.max(0, j.attempts - 1), updatedAt: at }));
  }

  private update(jobId: string, change: (job: VoiceTrainingJob) => VoiceTrainingJob): void {
    const job = this.t.jobs.get(jobId);
    if (job) this.t.jobs.set(jobId, change(job));
  }
}

type InMemoryVoiceRepositories = VoiceRepositories & { idempotencyKeys: IdempotencyKeyTable };

/** The voice repositories in memory, with a FixedClock (2026-12-01) the handlers share, and the Idempotency-Key guard. */
export class InMemoryVoiceUnitOfWork extends InMemoryUnitOfWork<VoiceTables, InMemoryVoiceRepositories> implements IdempotentUnitOfWork<VoiceRepositories> {
  constructor(readonly clock = new FixedClock(new Date('2026-12-01T10:00:00.000Z'))) {
    super({ voices: new Map(), jobs: new Map(), outbox: [], idempotencyKeys: new Map() }, copy, (t) => ({
      voices: new InMemoryVoiceRepository(t, clock),
      voiceTrainingJobs: new InMemoryVoiceTrainingJobRepository(t, clock),
      idempotencyKeys: t.idempotencyKeys,
    }));
  }

  runIdempotent<T>(request: IdempotentRequest, work: (repos: VoiceRepositories) => Promise<T>, options?: IdempotencyOptions<T> & { propagation?: Propagation }): Promise<T> {
    return runIdempotentInMemory(this, request, work, options);
  }

  /** The events appended for a voice (or all), in order. */
  events(voiceId?: string): DomainEvent[] {
    return this.tables.outbox.filter((o) => voiceId === undefined || o.event.aggregateId === voiceId).map((o) => o.event);
  }

  jobs(): VoiceTrainingJob[] {
    return [...this.tables.jobs.values()];
  }
}

/** What a fake recording holds (the fake media files read it instead of decoding audio). */
export interface FakeRecording {
  durationSeconds: number;
  silent?: boolean;
  /** F0 median; absent: nothing voiced. */
  f0?: number;
}

/** A file the fake media files take for audio. */
export function recording(r: FakeRecording): Buffer {
  return Buffer.from(JSON.stringify({ fakeAudio: r }));
}

function readRecording(bytes: Buffer): FakeRecording | undefined {
  try {
    const parsed = JSON.parse(bytes.toString('utf8')) as { fakeAudio?: FakeRecording };
    return parsed.fakeAudio;
  } catch {
    return undefined;
  }
}

/**
 * MediaFiles in memory: objects in a Map, scratch folders on disk, and "audio" that is a JSON
 * description (duration, silence, F0) instead of sound: the rules, not the tools, are under test.
 */
export class FakeMediaFiles implements MediaFiles {
  readonly objects = new Map<string, { bytes: Buffer; contentType: string }>();
  readonly deleted: string[] = [];

  put(key: string, bytes: Buffer, contentType = 'application/octet-stream'): void {
    this.objects.set(key, { bytes, contentType });
  }

  keys(prefix = ''): string[] {
    return [...this.objects.keys()].filter((k) => k.startsWith(prefix)).sort();
  }

  async withScratch<T>(work: (dir: string) => Promise<T>): Promise<T> {
    const dir = await mkdtemp(join(tmpdir(), 'voice-unit-'));
    try {
      return await work(dir);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  async download(key: string, path: string): Promise<boolean> {
    const object = this.objects.get(key);
    if (!object) return false;
    await writeFile(path, object.bytes);
    return true;
  }

  async upload(path: string, key: string, contentType: string): Promise<{ sizeBytes: number }> {
    const bytes = await readFile(path);
    this.objects.set(key, { bytes, contentType });
    return { sizeBytes: bytes.length };
  }

  async delete(key: string): Promise<void> {
    this.deleted.push(key);
    this.objects.delete(key);
  }

  async deleteByPrefix(prefix: string): Promise<number> {
    const keys = this.keys(prefix);
    for (const key of keys) await this.delete(key);
    return keys.length;
  }

  async digest(path: string): Promise<string> {
    return createHash('sha256').update(await readFile(path)).digest('hex');
  }

  async inspect(path: string): Promise<AudioFacts> {
    const r = readRecording(await readFile(path));
    return r ? { audio: true, durationSeconds: r.durationSeconds, silent: r.silent ?? false } : { audio: false, durationSeconds: 0, silent: true };
  }

  async normalise(input: string, output: string): Promise<NormalisedAudio> {
    const r = readRecording(await readFile(input));
    if (!r) throw new Error('normalise: not a fake recording');
    await writeFile(output, recording(r));
    return { durationSeconds: r.durationSeconds, contentType: 'audio/ogg' };
  }

  async pitch(path: string): Promise<PitchFacts | undefined> {
    const r = readRecording(await readFile(path));
    if (!r?.f0) return undefined;
    return { f0MedianHz: r.f0, f0MinHz: r.f0 * 0.8, f0MaxHz: r.f0 * 1.25 };
  }
}

/** subscription's answers, set by the test; the users asked about are recorded. */
export class FakeSubscriptionPlans implements SubscriptionPlans {
  asked: string[] = [];

  constructor(
    public voiceCloning = true,
    public narrationQuota = true,
  ) {}

  async voiceCloningAllowed(userId: string): Promise<boolean> {
    this.asked.push(userId);
    return this.voiceCloning;
  }

  async narrationQuotaAllowed(userId: string): Promise<boolean> {
    this.asked.push(userId);
    return this.narrationQuota;
  }
}

/** A cloning provider that records what it was asked; `failure` makes the next clones fail. */
export class FakeVoiceCloning implements VoiceCloning {
  readonly clones: CloneVoiceInput[] = [];
  readonly removed: string[] = [];
  failure: Error | undefined;

  constructor(readonly provider: TrainedVoiceProvider = 'local') {}

  async clone(input: CloneVoiceInput): Promise<{ providerVoiceId?: string }> {
    if (this.failure) throw this.failure;
    this.clones.push(input);
    return this.provider === 'elevenlabs' ? { providerVoiceId: `el-${this.clones.length}` } : {};
  }

  async remove(providerVoiceId: string): Promise<void> {
    this.removed.push(providerVoiceId);
  }
}

export const TRAINING: VoiceTrainingSettings = { workers: 0, leaseMs: 60_000, pollMs: 50, maxAttempts: 2, retryBaseMs: 1_000 };

export const ANN: Caller = { userId: '0190a0d0-0000-7000-8000-0000000000a1', role: 'member' };
export const BOB: Caller = { userId: '0190a0d0-0000-7000-8000-0000000000b2', role: 'member' };

/** The stable code a use case failed with (the test fails when it did not fail). */
export async function failure(work: Promise<unknown>): Promise<string | undefined> {
  try {
    await work;
  } catch (err) {
    return (err as { code?: string }).code;
  }
  throw new Error('expected a failure');
}

/** Five emotions: what training needs at least. */
export const FIVE_EMOTIONS = ['joy', 'sadness', 'anger', 'fear', 'neutral'] as const;
