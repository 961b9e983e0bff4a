/**
 * narration's repository ports: one interface per aggregate (`<Noun>Repository`, implemented by
 * `infrastructure/persistence/sql-<noun>.repository.ts` as `Sql<Noun>Repository`), gathered in
 * the bundle one transaction binds (application/ports `NarrationUnitOfWork`). Saving an aggregate
 * writes its row and appends its pending events to the outbox in that same transaction. E.g.
 *
 *   export interface ThingRepository {
 *     find(id: string, options?: { lock?: boolean }): Promise<Thing | undefined>;
 *     save(thing: Thing): Promise<void>;
 *   }
 *   export interface NarrationRepositories { things: ThingRepository }
 */
import type { JobFailure, Keyset, LeasedJob, LeasedJobStatus } from '@storytelling/kernel';
import type { Narration } from './narration.js';
import type { Voice } from './voice.js';

/** Voices with their samples (tables voices, voice_samples). */
export interface VoiceRepository {
  /** With `lock`, the voice row stays locked until the transaction ends (changes of one voice serialise). */
  find(id: string, options?: { lock?: boolean }): Promise<Voice | undefined>;
  /** The owner's voices, oldest first. */
  listByOwner(ownerId: string): Promise<Voice[]>;
  add(voice: Voice): Promise<void>;
  /** Writes the voice and its samples at the loaded version, then appends its events. @throws VersionConflictError */
  save(voice: Voice): Promise<void>;
  /** Deletes the owner's voices with their samples and training jobs (erasure); answers what was deleted. */
  deleteByOwner(ownerId: string): Promise<Voice[]>;
}

/**
 * A durable training job (table voice_training_jobs), one per TrainVoice. A running job belongs
 * to the worker named in `leaseOwner` until `leaseExpiresAt`; after that any worker may claim it
 * again (the first crashed or hung).
 */
export interface VoiceTrainingJob extends LeasedJob {
  voiceId: string;
}

export type VoiceTrainingFailure = NarrationJobFailure;

export interface VoiceTrainingJobRepository {
  enqueue(job: { id: string; voiceId: string; at: Date }): Promise<void>;
  /**
   * Claims one due job (pending and due, or running with an expired lease) FOR UPDATE SKIP
   * LOCKED: it becomes running, owned by `workerId` for `leaseMs`, attempts + 1. Call it outside
   * any transaction (the claim commits on its own).
   */
  claim(workerId: string, leaseMs: number): Promise<VoiceTrainingJob | undefined>;
  /** Locks the job for the rest of the transaction if `workerId` still holds its lease. */
  lockOwned(jobId: string, workerId: string): Promise<VoiceTrainingJob | undefined>;
  /** Extends `workerId`'s lease by `leaseMs` from now (the heartbeat, own transaction). @returns false when it no longer holds it. */
  renew(jobId: string, workerId: string, leaseMs: number): Promise<boolean>;
  finish(jobId: string, status: 'succeeded' | 'failed' | 'cancelled', failure: VoiceTrainingFailure | null, at: Date): Promise<void>;
  /** Back to pending until `runAfter`, remembering the failure. */
  reschedule(jobId: string, runAfter: Date, failure: VoiceTrainingFailure, at: Date): Promise<void>;
  /** Hands an interrupted job back (shutdown): pending now, the interrupted attempt not counted. */
  release(jobId: string, at: Date): Promise<void>;
}

/** The voices part of the bundle (voices, samples, training): what the voice use cases bind. */
export interface VoiceRepositories {
  voices: VoiceRepository;
  voiceTrainingJobs: VoiceTrainingJobRepository;
}

/** Narrations with their segments (tables narrations, narration_segments). */
export interface NarrationRepository {
  /** With `lock`, the narration row stays locked until the transaction ends (its writers serialise). */
  find(id: string, options?: { lock?: boolean }): Promise<Narration | undefined>;
  /** Inserts the narration and its segments, then appends its events. */
  add(narration: Narration): Promise<void>;
  /** Writes the narration and its segments at the loaded version, then appends its events. @throws VersionConflictError */
  save(narration: Narration): Promise<void>;
  /** The highest event version the outbox holds for `id` (0: none): where a tombstone's stream goes on. */
  streamVersion(id: string): Promise<number>;
  /** The owner's narrations (tombstones of discarded ones included), oldest first. */
  listByOwner(ownerId: string): Promise<Narration[]>;
  /** Up to `limit` of the owner's narrations that are not discarded, newest first by (created_at, id), strictly after `after`. */
  pageByOwner(ownerId: string, limit: number, after?: Keyset): Promise<Narration[]>;
  /** Deletes the owner's narrations, their segments and jobs (erasure). @returns how many narrations. */
  deleteByOwner(ownerId: string): Promise<number>;
}

/** generate: every segment without audio, then the whole file; regenerate: the listed segments again, then the whole file. */
export type NarrationJobKind = 'generate' | 'regenerate';
export type NarrationJobStatus = LeasedJobStatus;

/**
 * A durable narration job (table narration_jobs): one per narration to generate, one per
 * regeneration (a regeneration asked for while another waits joins it). A running job belongs to
 * the worker named in `leaseOwner` until `leaseExpiresAt` (renewed as segments complete); after
 * that any worker may claim it again. Jobs of one narration never run at the same time.
 */
export interface NarrationJob extends LeasedJob {
  narrationId: string;
  kind: NarrationJobKind;
  /** regenerate: the segments to synthesise again. */
  segmentIndexes: number[];
}

export type NarrationJobFailure = JobFailure;

export interface NarrationJobs {
  /** A generate job for the narration, unless one is already pending or running. @returns whether one was added. */
  enqueueGeneration(job: { id: string; narrationId: string; at: Date }): Promise<boolean>;
  /** Segment `index` to regenerate: joins the narration's pending regeneration, else a new job. */
  enqueueRegeneration(job: { id: string; narrationId: string; index: number; at: Date }): Promise<void>;
  /**
   * Claims one due job (pending and due, or running with an expired lease) whose narration has no
   * other job running, FOR UPDATE SKIP LOCKED: it becomes running, owned by `workerId` for
   * `leaseMs`, attempts + 1. Call it outside any transaction (the claim commits on its own).
   */
  claim(workerId: string, leaseMs: number): Promise<NarrationJob | undefined>;
  /** Locks the job for the rest of the transaction if `workerId` still holds its lease, and extends that lease by `leaseMs`. */
  lockOwned(jobId: string, workerId: string, leaseMs?: number): Promise<NarrationJob | undefined>;
  /** Extends `workerId`'s lease by `leaseMs` from now (the heartbeat, own transaction). @returns false when it no longer holds it. */
  renew(jobId: string, workerId: string, leaseMs: number): Promise<boolean>;
  finish(jobId: string, status: 'succeeded' | 'failed' | 'cancelled', failure: NarrationJobFailure | null, at: Date): Promise<void>;
  /** Hands an interrupted job back (shutdown): pending now, the interrupted attempt not counted. */
  release(jobId: string, at: Date): Promise<void>;
  /** Back to pending until `runAfter` (a dependency was unavailable), remembering why. */
  reschedule(jobId: string, runAfter: Date, failure: NarrationJobFailure, at: Date): Promise<void>;
  /** Cancels the narration's pending and running jobs (discarded). */
  cancelForNarration(narrationId: string, at: Date): Promise<void>;
}

/** The narrations part of the bundle: what the narration use cases bind. */
export interface NarrationWorkRepositories {
  narrations: NarrationRepository;
  narrationJobs: NarrationJobs;
}

export interface NarrationRepositories extends VoiceRepositories, NarrationWorkRepositories {}
