import { AggregateRoot, systemClock, type Clock } from '@storytelling/kernel';
import type { ConversationStyle } from './conversation-style.js';
import { NarrationEventTypes } from './events.js';
import { NarrationNotCompletedError, SegmentNotFoundError } from './narration-errors.js';
import type { NarratorProfile } from './narrator-profile.js';
import { narrationObjectKey, segmentObjectKey, type Segment, type StoredAudio } from './segment.js';

/** The aggregate type of narrations in the outbox. */
export const NARRATION_AGGREGATE_TYPE = 'narration';

/**
 * pending (asked for; its segments wait for the worker) → processing (the worker synthesises)
 * → completed | failed. `discarded` is a tombstone: its rows and audio are gone, it answers
 * NARRATION_NOT_FOUND, and it keeps a resent GenerateNarration from bringing it back.
 */
export type NarrationStatus = 'pending' | 'processing' | 'completed' | 'failed' | 'discarded';

export interface NarrationState {
  id: string;
  storyId: string;
  ownerId: string;
  voiceId: string;
  /** character id → voice id */
  characterVoices: Record<string, string>;
  narratorProfile: NarratorProfile;
  conversationStyle: ConversationStyle;
  status: NarrationStatus;
  segments: Segment[];
  /** The whole narration (segments joined with pauses) once completed. */
  audio: StoredAudio | null;
  /** How many whole files were made (the next is `narration-<n+1>.ogg`). */
  audioRevision: number;
  failureReason: string | null;
  /** The saga that asked for the generation (the quota saga, or a publishing saga): replies carry it. */
  sagaId: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** What a new narration is made of. `segments`: known at once when the author asked (RequestNarration); empty when a saga asked (the worker reads the story). */
export type NewNarration = Pick<NarrationState, 'id' | 'storyId' | 'ownerId' | 'voiceId' | 'characterVoices' | 'narratorProfile' | 'conversationStyle' | 'segments' | 'sagaId'>;

/** A story narrated in a voice, segment by segment (DOMAIN.md § Narration: StoryNarration). */
export class Narration extends AggregateRoot {
  private constructor(
    private s: NarrationState,
    version: number,
    clock: Clock,
  ) {
    super(s.id, version, clock);
  }

  static request(input: NewNarration, clock: Clock = systemClock): Narration {
    const now = clock.now();
    const narration = new Narration(
      { ...input, characterVoices: { ...input.characterVoices }, segments: input.segments.map((s) => ({ ...s })), status: 'pending', audio: null, audioRevision: 0, failureReason: null, createdAt: now, updatedAt: now },
      0,
      clock,
    );
    narration.record(NarrationEventTypes.NarrationRequested, { ...narration.ids(), voiceId: input.voiceId, sagaId: input.sagaId ?? '' });
    return narration;
  }

  /**
   * DiscardNarration for a narration this service does not hold (never made, or erased): a
   * tombstone answers it with NarrationDiscarded. `streamVersion`: the last event version the
   * outbox still holds for this id (an erased narration's events may still be there).
   */
  static discardedUnknown(id: string, reason: string, sagaId: string, streamVersion: number, clock: Clock = systemClock): Narration {
    const now = clock.now();
    const narration = new Narration(
      { id, storyId: '', ownerId: '', voiceId: '', characterVoices: {}, narratorProfile: 'neutral', conversationStyle: 'respectful', status: 'discarded', segments: [], audio: null, audioRevision: 0, failureReason: null, sagaId, createdAt: now, updatedAt: now },
      streamVersion,
      clock,
    );
    narration.record(NarrationEventTypes.NarrationDiscarded, { ...narration.ids(), reason, sagaId });
    return narration;
  }

  static rehydrate(state: NarrationState, version: number, clock: Clock = systemClock): Narration {
    return new Narration(state, version, clock);
  }

  get state(): Readonly<NarrationState> {
    return this.s;
  }

  get status(): NarrationStatus {
    return this.s.status;
  }

  get ownerId(): string {
    return this.s.ownerId;
  }

  get segments(): readonly Segment[] {
    return this.s.segments;
  }

  /** Segments synthesised so far / segments in all. */
  get progress(): { done: number; total: number } {
    return { done: this.s.segments.filter((s) => s.audio !== null).length, total: this.s.segments.length };
  }

  get isFinished(): boolean {
    return this.s.status === 'completed' || this.s.status === 'failed' || this.s.status === 'discarded';
  }

  /** Asked for by a saga and still without segments: the worker reads the story first. */
  get needsSegments(): boolean {
    return this.s.segments.length === 0 && !this.isFinished;
  }

  /** Every object this narration stores (segments and whole files). */
  get objectKeys(): string[] {
    return [...this.s.segments.flatMap((s) => (s.audio ? [s.audio.objectKey] : [])), ...(this.s.audio ? [this.s.audio.objectKey] : [])];
  }

  /** A saga asks (again) for the generation: its replies go to that saga. */
  generationRequestedBy(sagaId: string): void {
    if (this.isFinished) return;
    this.s.sagaId = sagaId;
    this.touch();
  }

  /**
   * GenerateNarration for a narration that is finished: answered again, to `sagaId` (a discarded
   * one fails: it is gone). @returns false while it is still being made.
   */
  answerGenerationAgain(sagaId: string): boolean {
    const s = this.s;
    if (s.status === 'completed' && s.audio) {
      this.record(NarrationEventTypes.NarrationGenerated, { ...this.ids(), segments: s.segments.length, durationSeconds: s.audio.durationSeconds, sagaId });
    } else if (s.status === 'failed' || s.status === 'discarded') {
      this.record(NarrationEventTypes.NarrationFailed, { ...this.ids(), reason: s.status === 'failed' ? (s.failureReason ?? '') : 'NARRATION_DISCARDED', sagaId });
    } else {
      return false;
    }
    return true;
  }

  /** The segments of a narration asked for by a saga, once the worker read the story. */
  defineSegments(segments: readonly Segment[]): void {
    if (this.s.segments.length > 0) throw new Error(`narration ${this.id} already has its segments`);
    this.s.segments = segments.map((s) => ({ ...s }));
    this.touch();
  }

  /** The worker took the narration up. */
  startProcessing(): void {
    if (this.s.status !== 'pending') return;
    this.s.status = 'processing';
    this.touch();
  }

  /** The key the next synthesis of segment `index` is stored under. */
  nextSegmentKey(index: number): string {
    return segmentObjectKey(this.s.ownerId, this.id, index, this.segmentAt(index).revision + 1);
  }

  /** The key of the next whole file. */
  nextAudioKey(): string {
    return narrationObjectKey(this.s.ownerId, this.id, this.s.audioRevision + 1);
  }

  /** Segment `index` was synthesised and stored under nextSegmentKey(index). @returns the key it replaces, if any. */
  segmentSynthesised(index: number, audio: StoredAudio): string | undefined {
    const segment = this.segmentAt(index);
    const previous = segment.audio?.objectKey;
    segment.revision += 1;
    segment.audio = { ...audio };
    this.touch();
    return previous;
  }

  /** Every segment has audio and the whole file is stored under nextAudioKey(): NarrationGenerated. */
  complete(audio: StoredAudio): void {
    if (this.isFinished) throw new Error(`narration ${this.id} is ${this.s.status}`);
    if (this.progress.done !== this.progress.total || this.progress.total === 0) throw new Error(`narration ${this.id} has segments without audio`);
    this.s.status = 'completed';
    this.s.audio = { ...audio };
    this.s.audioRevision += 1;
    this.s.failureReason = null;
    this.touch();
    this.record(NarrationEventTypes.NarrationGenerated, { ...this.ids(), segments: this.progress.total, durationSeconds: audio.durationSeconds, sagaId: this.s.sagaId ?? '' });
  }

  /** The narration cannot be made: NarrationFailed (no partial narration is ever completed). @returns false when already finished. */
  fail(reason: string): boolean {
    if (this.isFinished) return false;
    this.s.status = 'failed';
    this.s.failureReason = reason;
    this.touch();
    this.record(NarrationEventTypes.NarrationFailed, { ...this.ids(), reason, sagaId: this.s.sagaId ?? '' });
    return true;
  }

  /** RegenerateSegment's precondition: a completed narration with that segment. */
  assertRegenerable(index: number): void {
    if (this.s.status !== 'completed') throw new NarrationNotCompletedError(this.s.status);
    this.segmentAt(index);
  }

  /**
   * Segments `indexes` were synthesised again and the whole file rebuilt: NarrationRegenerated for
   * each; an earlier regeneration's failure is cleared. @returns the whole file it replaces.
   */
  regenerated(indexes: readonly number[], audio: StoredAudio): string | undefined {
    for (const index of indexes) this.assertRegenerable(index);
    const previous = this.s.audio?.objectKey;
    this.s.audio = { ...audio };
    this.s.audioRevision += 1;
    this.s.failureReason = null;
    this.touch();
    for (const index of indexes) this.record(NarrationEventTypes.NarrationRegenerated, { ...this.ids(), index, durationSeconds: audio.durationSeconds });
    return previous;
  }

  /**
   * A regeneration gave up (e.g. `REGENERATION_FAILED: SEGMENT_FAILED: segment 4 failed 3 times: …`):
   * the narration stays completed with its audio and no event, and says why in `failureReason`
   * (GET /narrations/:id) until a regeneration succeeds. @returns false unless it is completed.
   */
  regenerationFailed(reason: string): boolean {
    if (this.s.status !== 'completed') return false;
    this.s.failureReason = reason;
    this.touch();
    return true;
  }

  /**
   * Deleted on a saga's request (or again: a resent DiscardNarration is answered again):
   * NarrationDiscarded. The rows of its segments go; the caller deletes the objects. @returns their keys.
   */
  discard(reason: string, sagaId: string): string[] {
    const keys = this.objectKeys;
    this.s.status = 'discarded';
    this.s.segments = [];
    this.s.audio = null;
    this.touch();
    this.record(NarrationEventTypes.NarrationDiscarded, { ...this.ids(), reason, sagaId });
    return keys;
  }

  private segmentAt(index: number): Segment {
    const segment = Number.isInteger(index) ? this.s.segments[index] : undefined;
    if (!segment) throw new SegmentNotFoundError(index);
    return segment;
  }

  private ids(): { narrationId: string; storyId: string; ownerId: string } {
    return { narrationId: this.id, storyId: this.s.storyId, ownerId: this.s.ownerId };
  }

  private touch(): void {
    this.s.updatedAt = this.clock.now();
  }
}
