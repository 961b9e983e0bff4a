import type { Clock } from '@storytelling/kernel';
import { AggregateRoot, ConflictError, ValidationError, eventType, systemClock, uuidv7 } from '@storytelling/kernel';
import type { Emotion } from './emotion.js';
import { NotEnoughEmotionsError, SampleLockedError, SampleNotFoundError, VoiceNotReadyError, VoiceTrainingError } from './voice-errors.js';
import type { VoiceProfile } from './voice-profile.js';
import type { VoiceSampleState } from './voice-sample.js';

/**
 * The voice events (proto/storytelling/narration/v1/events.proto, topic narration.voice.events).
 * `data` is the proto3 JSON mapping of each message.
 */
export const VoiceEventTypes = {
  VoiceCreated: eventType('narration', 'voice', 'created'),
  VoiceSampleRecorded: eventType('narration', 'voice', 'sample_recorded'),
  VoiceProfileTrained: eventType('narration', 'voice', 'profile_trained'),
  VoiceTrainingFailed: eventType('narration', 'voice', 'training_failed'),
} as const;

export const VOICE_AGGREGATE_TYPE = 'voice';

/** DOMAIN.md § Narration; a new voice is `collecting` (`pending` is not used by this service). */
export const TRAINING_STATUSES = ['pending', 'collecting', 'training', 'ready', 'failed'] as const;
export type TrainingStatus = (typeof TRAINING_STATUSES)[number];

export function isTrainingStatus(value: unknown): value is TrainingStatus {
  return typeof value === 'string' && (TRAINING_STATUSES as readonly string[]).includes(value);
}

/** Who speaks with the voice: local synthesis shifted by voice matching, a cloned voice at ElevenLabs, or the platform's stock narrator. */
export const VOICE_PROVIDERS = ['local', 'elevenlabs', 'stock'] as const;
export type VoiceProvider = (typeof VOICE_PROVIDERS)[number];
/** A provider training can end with (the stock voice is never trained). */
export type TrainedVoiceProvider = Exclude<VoiceProvider, 'stock'>;

export function isVoiceProvider(value: unknown): value is VoiceProvider {
  return typeof value === 'string' && (VOICE_PROVIDERS as readonly string[]).includes(value);
}

/** Training needs samples of at least this many distinct emotions (DOMAIN.md). */
export const MIN_TRAINING_EMOTIONS = 5;
export const MAX_VOICE_NAME_LENGTH = 100;

export interface VoiceState {
  id: string;
  /** A user id, or `stock` for the platform's narrator. */
  ownerId: string;
  name: string;
  provider: VoiceProvider;
  /** The voice's id at the cloning provider (elevenlabs), when cloned there. */
  providerVoiceId: string | null;
  trainingStatus: TrainingStatus;
  /** Why the last training failed (a stable code, e.g. VOICE_LIMIT_REACHED). */
  failureReason: string | null;
  profile: VoiceProfile | null;
  /** Oldest first. */
  samples: VoiceSampleState[];
  trainedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
  version: number;
}

export interface CreateVoice {
  id?: string;
  ownerId: string;
  name: unknown;
}

/** A checked, normalised, stored recording to add (AddSample). */
export type NewSample = Omit<VoiceSampleState, 'locked' | 'createdAt'>;

/** What a finished training gives the voice. */
export interface TrainingOutcome {
  profile: VoiceProfile;
  provider: TrainedVoiceProvider;
  providerVoiceId?: string;
  /** The samples the profile was measured from: they become locked. */
  sampleIds: readonly string[];
}

function normaliseName(value: unknown): string {
  const name = typeof value === 'string' ? value.replace(/\s+/g, ' ').trim() : '';
  if (name.length === 0 || name.length > MAX_VOICE_NAME_LENGTH) {
    throw new ValidationError('invalid voice', [{ field: 'name', message: `1 to ${MAX_VOICE_NAME_LENGTH} characters` }]);
  }
  return name;
}

/**
 * A voice its owner records samples for, one or more per emotion, and trains once at least five
 * emotions are covered. Training locks the samples it used; a sample of a trained profile cannot
 * be deleted. While training runs the samples cannot change.
 */
export class Voice extends AggregateRoot {
  private constructor(
    id: string,
    private state: Omit<VoiceState, 'id' | 'version'>,
    version: number,
    clock: Clock,
  ) {
    super(id, version, clock);
  }

  /** A new voice, collecting samples. @throws ValidationError (name) */
  static create(input: CreateVoice, clock: Clock = systemClock): Voice {
    const name = normaliseName(input.name);
    const now = clock.now();
    const voice = new Voice(
      input.id ?? uuidv7(now.getTime()),
      {
        ownerId: input.ownerId,
        name,
        provider: 'local',
        providerVoiceId: null,
        trainingStatus: 'collecting',
        failureReason: null,
        profile: null,
        samples: [],
        trainedAt: null,
        createdAt: now,
        updatedAt: now,
      },
      0,
      clock,
    );
    voice.record(VoiceEventTypes.VoiceCreated, { voiceId: voice.id, ownerId: input.ownerId, name, createdAt: now.toISOString() });
    return voice;
  }

  static rehydrate(state: VoiceState, clock: Clock = systemClock): Voice {
    const { id, version, ...rest } = state;
    return new Voice(id, { ...rest, samples: rest.samples.map((s) => ({ ...s })) }, version, clock);
  }

  get ownerId(): string {
    return this.state.ownerId;
  }
  get name(): string {
    return this.state.name;
  }
  get provider(): VoiceProvider {
    return this.state.provider;
  }
  get providerVoiceId(): string | null {
    return this.state.providerVoiceId;
  }
  get trainingStatus(): TrainingStatus {
    return this.state.trainingStatus;
  }
  get failureReason(): string | null {
    return this.state.failureReason;
  }
  get profile(): VoiceProfile | null {
    return this.state.profile;
  }
  get samples(): readonly VoiceSampleState[] {
    return this.state.samples;
  }
  get createdAt(): Date {
    return this.state.createdAt;
  }
  get updatedAt(): Date {
    return this.state.updatedAt;
  }

  isOwnedBy(userId: string): boolean {
    return this.state.ownerId === userId;
  }

  /** The distinct emotions the samples cover, in the order first recorded. */
  emotions(): Emotion[] {
    return [...new Set(this.state.samples.map((s) => s.emotion))];
  }

  /** @throws VoiceTrainingError while training runs */
  private assertNotTraining(): void {
    if (this.state.trainingStatus === 'training') throw new VoiceTrainingError();
  }

  /**
   * Records a checked, stored sample (VoiceSampleRecorded). A failed voice collects again; a
   * ready one stays ready (the new sample is unlocked until the next training).
   * @throws VoiceTrainingError
   */
  addSample(sample: NewSample): VoiceSampleState {
    this.assertNotTraining();
    const now = this.clock.now();
    const added: VoiceSampleState = { ...sample, locked: false, createdAt: now };
    this.state.samples.push(added);
    if (this.state.trainingStatus === 'failed') {
      this.state.trainingStatus = 'collecting';
      this.state.failureReason = null;
    }
    this.state.updatedAt = now;
    this.record(VoiceEventTypes.VoiceSampleRecorded, {
      voiceId: this.id,
      ownerId: this.state.ownerId,
      sampleId: added.id,
      emotion: added.emotion,
      durationSeconds: added.durationSeconds,
    });
    return added;
  }

  /**
   * Removes an unlocked sample (its audio is the caller's to delete once this is saved).
   * @throws SampleNotFoundError, SampleLockedError, VoiceTrainingError
   */
  removeSample(sampleId: string): VoiceSampleState {
    const sample = this.state.samples.find((s) => s.id === sampleId);
    if (!sample) throw new SampleNotFoundError();
    if (sample.locked) throw new SampleLockedError();
    this.assertNotTraining();
    this.state.samples = this.state.samples.filter((s) => s.id !== sampleId);
    this.state.updatedAt = this.clock.now();
    return sample;
  }

  /** @throws VoiceTrainingError, NotEnoughEmotionsError */
  assertTrainable(): void {
    this.assertNotTraining();
    const covered = this.emotions().length;
    if (covered < MIN_TRAINING_EMOTIONS) throw new NotEnoughEmotionsError(covered, MIN_TRAINING_EMOTIONS);
  }

  /** → training (the samples are frozen until it ends). @throws VoiceTrainingError, NotEnoughEmotionsError */
  startTraining(): void {
    this.assertTrainable();
    this.state.trainingStatus = 'training';
    this.state.failureReason = null;
    this.state.updatedAt = this.clock.now();
  }

  /**
   * training → ready with the measured profile (VoiceProfileTrained); the samples it was measured
   * from are locked. @throws ConflictError when the voice is not training
   */
  completeTraining(outcome: TrainingOutcome): void {
    if (this.state.trainingStatus !== 'training') throw new ConflictError('VOICE_NOT_TRAINING', `the voice is ${this.state.trainingStatus}`);
    const used = new Set(outcome.sampleIds);
    const now = this.clock.now();
    this.state.samples = this.state.samples.map((s) => (used.has(s.id) ? { ...s, locked: true } : s));
    this.state.profile = { ...outcome.profile };
    this.state.provider = outcome.provider;
    this.state.providerVoiceId = outcome.providerVoiceId ?? null;
    this.state.trainingStatus = 'ready';
    this.state.failureReason = null;
    this.state.trainedAt = now;
    this.state.updatedAt = now;
    this.record(VoiceEventTypes.VoiceProfileTrained, {
      voiceId: this.id,
      ownerId: this.state.ownerId,
      provider: outcome.provider,
      f0MedianHz: outcome.profile.f0MedianHz,
    });
  }

  /** training → failed with a reason (VoiceTrainingFailed); the samples stay unlocked. @returns false when not training */
  failTraining(reason: string): boolean {
    if (this.state.trainingStatus !== 'training') return false;
    this.state.trainingStatus = 'failed';
    this.state.failureReason = reason;
    this.state.updatedAt = this.clock.now();
    this.record(VoiceEventTypes.VoiceTrainingFailed, { voiceId: this.id, ownerId: this.state.ownerId, reason });
    return true;
  }

  /** A narration may speak with it. @throws VoiceNotReadyError */
  assertReady(): void {
    if (this.state.trainingStatus !== 'ready') throw new VoiceNotReadyError(this.state.trainingStatus);
  }

  toState(): VoiceState {
    return { id: this.id, version: this.version, ...this.state, samples: this.state.samples.map((s) => ({ ...s })), profile: this.state.profile ? { ...this.state.profile } : null };
  }
}
