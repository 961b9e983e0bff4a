import { join } from 'node:path';
import { CLOCK, type Clock, type UnitOfWorkPort } from '@storytelling/kernel';
import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { getLogger, whileLeaseHeld } from '@storytelling/platform';
import type { SampleMeasurement, Voice, VoiceProfile, VoiceRepositories, VoiceTrainingFailure, VoiceTrainingJob } from '../../domain/index.js';
import { matchVoice } from '../../domain/index.js';
import type { MediaFiles, VoiceCloning } from '../ports/index.js';
import { MEDIA_FILES, NARRATION_UNIT_OF_WORK, VOICE_CLONING, VoiceCloningError } from '../ports/index.js';

/** Settings of the voice training worker (from NarrationConfig). */
export interface VoiceTrainingSettings {
  /** Loops per process; 0 runs none. */
  workers: number;
  leaseMs: number;
  pollMs: number;
  maxAttempts: number;
  retryBaseMs: number;
}

export const VOICE_TRAINING_SETTINGS = Symbol('narration.VoiceTrainingSettings');

/** Wakes this process's training workers at once (a job was queued); polling covers the rest. */
export interface VoiceTrainingWakeup {
  notify(): void;
}

export const VOICE_TRAINING_WAKEUP = Symbol('narration.VoiceTrainingWakeup');

/** What one worker turn did (tests and logs). */
export type VoiceTrainingOutcome =
  | { kind: 'idle' }
  | { kind: 'trained'; jobId: string; voiceId: string; profile: VoiceProfile }
  | { kind: 'retry'; jobId: string; voiceId: string; code: string; runAfter: Date }
  | { kind: 'failed'; jobId: string; voiceId: string; code: string }
  | { kind: 'cancelled'; jobId: string; voiceId: string; reason: string }
  /** Interrupted by shutdown and handed back to the queue. */
  | { kind: 'released'; jobId: string; voiceId: string }
  /** The lease was lost before the result could be written (another worker took the job over, or the voice was erased). */
  | { kind: 'lost'; jobId: string; voiceId: string };

/** A failure of the training work, classified. */
class TrainingFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

const MAX_RETRY_DELAY_MS = 10 * 60_000;

/**
 * One turn of a training worker (infrastructure/workers/voice-training.worker.ts): claim and
 * run at most one due job as `workerId`. Sent from outside any transaction.
 */
export class RunVoiceTrainingJobCommand extends Command<VoiceTrainingOutcome> {
  constructor(
    readonly workerId: string,
    readonly stop?: AbortSignal,
  ) {
    super();
  }
}

/**
 * Voice training, offline: VOICE MATCHING. For each sample of the voice, pitchOf (F0 median and
 * 5th/95th percentiles over voiced frames) and the pace (characters of its text per second of
 * audio); the profile is their combination (matchVoice). With the ElevenLabs provider the samples
 * are also cloned there. All of it runs outside any transaction; then, only while this worker
 * holds the job's lease, the voice becomes ready with its profile, the samples used are locked
 * and VoiceProfileTrained is appended. A sample without voiced speech, or the provider's voice
 * limit, fails training at once (VoiceTrainingFailed with the reason); other failures are retried
 * with backoff up to maxAttempts, then fail it.
 */
@CommandHandler(RunVoiceTrainingJobCommand)
export class RunVoiceTrainingJobHandler implements ICommandHandler<RunVoiceTrainingJobCommand> {
  private readonly log = getLogger('voice-training');

  constructor(
    @Inject(NARRATION_UNIT_OF_WORK) private readonly uow: UnitOfWorkPort<VoiceRepositories>,
    @Inject(MEDIA_FILES) private readonly media: MediaFiles,
    @Inject(VOICE_CLONING) private readonly cloning: VoiceCloning,
    @Inject(VOICE_TRAINING_SETTINGS) private readonly settings: VoiceTrainingSettings,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute({ workerId, stop }: RunVoiceTrainingJobCommand): Promise<VoiceTrainingOutcome> {
    const job = await this.uow.reader.voiceTrainingJobs.claim(workerId, this.settings.leaseMs);
    if (!job) return { kind: 'idle' };
    // Renewed while this turn runs (as narration jobs are): a short lease, a long training.
    const { leaseMs } = this.settings;
    const renew = () => this.uow.reader.voiceTrainingJobs.renew(job.id, workerId, leaseMs);
    return whileLeaseHeld({ leaseMs, stop, renew, context: { jobId: job.id } }, (signal) => this.runClaimed(job, workerId, signal));
  }

  private async runClaimed(job: VoiceTrainingJob, workerId: string, stop: AbortSignal): Promise<VoiceTrainingOutcome> {
    this.log.info({ jobId: job.id, voiceId: job.voiceId, attempt: job.attempts }, 'voice training job claimed');
    if (job.attempts > this.settings.maxAttempts) {
      // The previous holder's lease ran out on the last allowed attempt (it crashed or hung).
      return this.fail(job, workerId, { code: job.lastErrorCode ?? 'TRAINING_TIMEOUT', message: job.lastErrorMessage ?? 'training did not finish in time' });
    }
    const voice = await this.uow.reader.voices.find(job.voiceId);
    if (!voice || voice.trainingStatus !== 'training') return this.cancel(job, workerId, voice ? `voice is ${voice.trainingStatus}` : 'voice gone');

    let trained: { profile: VoiceProfile; providerVoiceId?: string };
    try {
      trained = await this.train(voice);
    } catch (err) {
      if (stop?.aborted) return this.release(job, workerId);
      const failure = classify(err);
      this.log.warn({ jobId: job.id, voiceId: voice.id, attempt: job.attempts, code: failure.code, retryable: failure.retryable }, 'voice training failed');
      if (failure.retryable && job.attempts < this.settings.maxAttempts) return this.retry(job, workerId, failure);
      return this.fail(job, workerId, failure);
    }
    if (stop?.aborted) {
      await this.forgetClone(trained.providerVoiceId);
      return this.release(job, workerId);
    }
    return this.complete(job, workerId, voice, trained);
  }

  /** Voice matching over the samples (and the provider's clone). @throws TrainingFailure, VoiceCloningError */
  private train(voice: Voice): Promise<{ profile: VoiceProfile; providerVoiceId?: string }> {
    return this.media.withScratch(async (dir) => {
      const measurements: SampleMeasurement[] = [];
      const files: Array<{ path: string; contentType: string; emotion: SampleMeasurement['emotion'] }> = [];
      for (const sample of voice.samples) {
        const path = join(dir, `${sample.id}.ogg`);
        if (!(await this.media.download(sample.objectKey, path))) throw new TrainingFailure('SAMPLE_MISSING', `the audio of sample ${sample.id} is missing`, false);
        const pitch = await this.media.pitch(path);
        if (!pitch) throw new TrainingFailure('NO_VOICE_IN_SAMPLE', `the ${sample.emotion} sample has no voiced speech`, false);
        measurements.push({ sampleId: sample.id, emotion: sample.emotion, ...pitch, durationSeconds: sample.durationSeconds, characters: sample.text.length });
        files.push({ path, contentType: sample.contentType, emotion: sample.emotion });
      }
      const profile = matchVoice(measurements);
      const cloned = await this.cloning.clone({ voiceId: voice.id, name: voice.name, samples: files });
      return cloned.providerVoiceId === undefined ? { profile } : { profile, providerVoiceId: cloned.providerVoiceId };
    });
  }

  private async complete(job: VoiceTrainingJob, workerId: string, measured: Voice, trained: { profile: VoiceProfile; providerVoiceId?: string }): Promise<VoiceTrainingOutcome> {
    const ids = { jobId: job.id, voiceId: job.voiceId };
    let replaced: string | null = null;
    const outcome = await this.uow.run(async (repos): Promise<VoiceTrainingOutcome> => {
      if (!(await repos.voiceTrainingJobs.lockOwned(job.id, workerId))) return { kind: 'lost', ...ids };
      const voice = await repos.voices.find(job.voiceId, { lock: true });
      const now = this.clock.now();
      if (!voice || voice.trainingStatus !== 'training') {
        await repos.voiceTrainingJobs.finish(job.id, 'cancelled', null, now);
        return { kind: 'cancelled', ...ids, reason: 'voice moved on' };
      }
      replaced = voice.providerVoiceId;
      voice.completeTraining({
        profile: trained.profile,
        provider: this.cloning.provider,
        ...(trained.providerVoiceId === undefined ? {} : { providerVoiceId: trained.providerVoiceId }),
        sampleIds: measured.samples.map((s) => s.id),
      });
      await repos.voices.save(voice);
      await repos.voiceTrainingJobs.finish(job.id, 'succeeded', null, now);
      return { kind: 'trained', ...ids, profile: trained.profile };
    });
    if (outcome.kind !== 'trained') await this.forgetClone(trained.providerVoiceId);
    else if (replaced && replaced !== trained.providerVoiceId) await this.forgetClone(replaced);
    if (outcome.kind === 'trained') this.log.info({ ...ids, f0MedianHz: trained.profile.f0MedianHz, charsPerSecond: trained.profile.charsPerSecond }, 'voice trained');
    return outcome;
  }

  /** A provider voice nothing refers to any more (best effort: a leftover only costs a slot at the provider). */
  private async forgetClone(providerVoiceId: string | undefined | null): Promise<void> {
    if (!providerVoiceId) return;
    await this.cloning.remove(providerVoiceId).catch((err: unknown) => this.log.warn({ err }, 'could not delete a provider voice'));
  }

  private retry(job: VoiceTrainingJob, workerId: string, failure: VoiceTrainingFailure): Promise<VoiceTrainingOutcome> {
    const ids = { jobId: job.id, voiceId: job.voiceId };
    return this.uow.run(async (repos): Promise<VoiceTrainingOutcome> => {
      if (!(await repos.voiceTrainingJobs.lockOwned(job.id, workerId))) return { kind: 'lost', ...ids };
      const now = this.clock.now();
      const delay = Math.min(MAX_RETRY_DELAY_MS, this.settings.retryBaseMs * 2 ** Math.max(0, job.attempts - 1));
      const runAfter = new Date(now.getTime() + delay);
      await repos.voiceTrainingJobs.reschedule(job.id, runAfter, failure, now);
      return { kind: 'retry', ...ids, code: failure.code, runAfter };
    });
  }

  private fail(job: VoiceTrainingJob, workerId: string, failure: VoiceTrainingFailure): Promise<VoiceTrainingOutcome> {
    const ids = { jobId: job.id, voiceId: job.voiceId };
    return this.uow.run(async (repos): Promise<VoiceTrainingOutcome> => {
      if (!(await repos.voiceTrainingJobs.lockOwned(job.id, workerId))) return { kind: 'lost', ...ids };
      await repos.voiceTrainingJobs.finish(job.id, 'failed', failure, this.clock.now());
      const voice = await repos.voices.find(job.voiceId, { lock: true });
      if (voice && voice.failTraining(failure.code)) await repos.voices.save(voice);
      return { kind: 'failed', ...ids, code: failure.code };
    });
  }

  private release(job: VoiceTrainingJob, workerId: string): Promise<VoiceTrainingOutcome> {
    const ids = { jobId: job.id, voiceId: job.voiceId };
    return this.uow.run(async (repos): Promise<VoiceTrainingOutcome> => {
      if (!(await repos.voiceTrainingJobs.lockOwned(job.id, workerId))) return { kind: 'lost', ...ids };
      await repos.voiceTrainingJobs.release(job.id, this.clock.now());
      return { kind: 'released', ...ids };
    });
  }

  private cancel(job: VoiceTrainingJob, workerId: string, reason: string): Promise<VoiceTrainingOutcome> {
    const ids = { jobId: job.id, voiceId: job.voiceId };
    return this.uow.run(async (repos): Promise<VoiceTrainingOutcome> => {
      if (!(await repos.voiceTrainingJobs.lockOwned(job.id, workerId))) return { kind: 'lost', ...ids };
      await repos.voiceTrainingJobs.finish(job.id, 'cancelled', null, this.clock.now());
      return { kind: 'cancelled', ...ids, reason };
    });
  }
}

function classify(err: unknown): VoiceTrainingFailure & { retryable: boolean } {
  if (err instanceof TrainingFailure || err instanceof VoiceCloningError) return { code: err.code, message: err.message.slice(0, 500), retryable: err.retryable };
  return { code: 'TRAINING_FAILED', message: 'voice matching failed unexpectedly', retryable: true };
}
