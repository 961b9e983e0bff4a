import { CLOCK, uuidv7, type Clock } from '@storytelling/kernel';
import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { getLogger, whileLeaseHeld } from '@storytelling/platform';
import type { AnalysisJob, JobFailure, NormalisedAnalysis } from '../../domain/index.js';
import { InvalidAnalysisError, assignCharacterIds, dominantEmotion, normaliseAnalysis } from '../../domain/index.js';
import type { AnalysisSettings, StoryAnalyser, StoryUnitOfWork } from '../ports/index.js';
import { ANALYSIS_SETTINGS, AnalyserError, STORY_ANALYSER, STORY_UNIT_OF_WORK } from '../ports/index.js';

/** What one turn of a worker did (tests and logs). */
export type JobOutcome =
  | { kind: 'idle' }
  | { kind: 'analyzed'; jobId: string; storyId: string; reused: boolean }
  | { kind: 'retry'; jobId: string; storyId: string; code: string; runAfter: Date }
  | { kind: 'failed'; jobId: string; storyId: string; code: string }
  | { kind: 'cancelled'; jobId: string; storyId: string; reason: string }
  /** Interrupted by shutdown and handed back to the queue. */
  | { kind: 'released'; jobId: string; storyId: string }
  /** The lease was lost before the result could be written (another worker took the job over). */
  | { kind: 'lost'; jobId: string; storyId: string };

const MAX_RETRY_DELAY_MS = 10 * 60_000;

/** Failure of one analyser call, classified. */
interface CallFailure extends JobFailure {
  retryable: boolean;
}

/**
 * One turn of an analysis worker (infrastructure/workers/analysis.worker.ts): claim and run at
 * most one due job as `workerId`. `stop` aborts the analyser call (shutdown). Sent from outside
 * any transaction: the claim commits on its own and the analyser is called with no transaction open.
 */
export class RunAnalysisJobCommand extends Command<JobOutcome> {
  constructor(
    readonly workerId: string,
    readonly stop?: AbortSignal,
  ) {
    super();
  }
}

/**
 * Runs analysis jobs (docs/adr/0007-story.md): claim one due job (FOR UPDATE SKIP LOCKED, with a
 * lease), call the analyser OUTSIDE any transaction with a time budget, then in one transaction
 * — only if this worker still holds the lease — store the results (story_analyses,
 * story_characters, story_emotions), move the story to analysed and append StoryAnalyzed +
 * CharactersExtracted to the outbox. A retryable failure puts the job back with exponential
 * backoff; the last attempt, or a non-retryable failure, fails the job and returns the story to
 * its previous status (StoryAnalysisFailed). A worker that dies mid-call leaves a running job
 * whose lease expires; the next claim takes it over (that claim counts as an attempt). The lease
 * is short (STORY_ANALYSIS_LEASE_MS) and renewed while the turn runs (the platform's whileLeaseHeld,
 * ADR 0036), so a dead worker's job is taken over within one lease however long a live analysis
 * takes; a renewal that finds the job taken over aborts the call, and the turn ends `lost`.
 */
@CommandHandler(RunAnalysisJobCommand)
export class RunAnalysisJobHandler implements ICommandHandler<RunAnalysisJobCommand> {
  private readonly log = getLogger('analysis');

  constructor(
    @Inject(STORY_UNIT_OF_WORK) private readonly uow: StoryUnitOfWork,
    @Inject(STORY_ANALYSER) private readonly analyser: StoryAnalyser,
    @Inject(ANALYSIS_SETTINGS) private readonly settings: AnalysisSettings,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute({ workerId, stop }: RunAnalysisJobCommand): Promise<JobOutcome> {
    const { leaseMs } = this.settings;
    const job = await this.uow.reader.jobs.claim(workerId, leaseMs);
    if (!job) return { kind: 'idle' };
    const renew = () => this.uow.reader.jobs.renew(job.id, workerId, leaseMs);
    return whileLeaseHeld({ leaseMs, stop, renew, context: { jobId: job.id } }, (signal) => this.runClaimed(job, workerId, signal));
  }

  /** `stop` is aborted on shutdown or when the lease turns out to be lost. */
  private async runClaimed(job: AnalysisJob, workerId: string, stop: AbortSignal): Promise<JobOutcome> {
    const ids = { jobId: job.id, storyId: job.storyId };
    this.log.info({ ...ids, attempt: job.attempts }, 'analysis job claimed');

    if (job.attempts > this.settings.maxAttempts) {
      // The previous holder's lease ran out on the last allowed attempt (it crashed or hung).
      return this.fail(job, workerId, { code: job.lastErrorCode ?? 'ANALYSIS_TIMEOUT', message: job.lastErrorMessage ?? 'the analysis did not finish in time', retryable: false });
    }

    const story = await this.uow.reader.stories.findById(job.storyId);
    if (!story || story.status !== 'analyzing' || story.contentHash !== job.contentHash) {
      return this.cancel(job, workerId, !story ? 'story gone' : story.status === 'analyzing' ? 'content changed' : `story is ${story.status}`);
    }

    const stored = await this.uow.reader.analyses.find(story.id);
    if (stored && stored.contentHash === job.contentHash) {
      return this.complete(job, workerId, { characters: stored.characters, emotions: stored.emotions }, true);
    }

    let analysis: NormalisedAnalysis;
    const timeout = AbortSignal.timeout(this.settings.timeoutMs);
    try {
      const signal = AbortSignal.any([timeout, stop]);
      const raw = await raceAbort(this.analyser.analyse({ title: story.title, content: story.content, language: story.language }, signal), signal);
      analysis = normaliseAnalysis(raw);
    } catch (err) {
      // Shutdown: handed back ('released'); lease lost: the hand-back finds the job not ours ('lost').
      if (stop.aborted) return this.release(job, workerId);
      const failure: CallFailure = timeout.aborted
        ? { code: 'ANALYSIS_TIMEOUT', message: `the analyser did not answer within ${this.settings.timeoutMs} ms`, retryable: true }
        : classify(err);
      this.log.warn({ ...ids, attempt: job.attempts, code: failure.code, retryable: failure.retryable, err: failure.message }, 'analyser call failed');
      if (failure.retryable && job.attempts < this.settings.maxAttempts) return this.retry(job, workerId, failure);
      return this.fail(job, workerId, failure);
    }
    return this.complete(job, workerId, analysis, false);
  }

  private complete(job: AnalysisJob, workerId: string, analysis: NormalisedAnalysis, reused: boolean): Promise<JobOutcome> {
    const ids = { jobId: job.id, storyId: job.storyId };
    return this.uow.run(async (repos): Promise<JobOutcome> => {
      if (!(await repos.jobs.lockOwned(job.id, workerId))) return { kind: 'lost', ...ids };
      const now = this.clock.now();
      const story = await repos.stories.findById(job.storyId);
      if (!story || story.status !== 'analyzing' || story.contentHash !== job.contentHash) {
        await repos.jobs.markCancelled(job.id, now);
        return { kind: 'cancelled', ...ids, reason: 'story moved on' };
      }
      const previous = reused ? undefined : await repos.analyses.find(story.id);
      const characters = assignCharacterIds(analysis.characters, previous?.characters ?? [], () => uuidv7(now.getTime()));
      if (!reused) {
        await repos.analyses.replace({
          storyId: story.id,
          contentHash: job.contentHash,
          characters,
          emotions: analysis.emotions,
          analyser: this.settings.analyserName,
          createdAt: now,
        });
      }
      story.completeAnalysis({
        contentHash: job.contentHash,
        characters,
        emotionCount: analysis.emotions.length,
        dominantEmotion: dominantEmotion(analysis.emotions),
        reused,
      });
      await repos.stories.save(story);
      await repos.jobs.markSucceeded(job.id, now);
      this.log.info({ ...ids, characters: characters.length, emotions: analysis.emotions.length, reused }, 'story analysed');
      return { kind: 'analyzed', ...ids, reused };
    });
  }

  private retry(job: AnalysisJob, workerId: string, failure: CallFailure): Promise<JobOutcome> {
    const ids = { jobId: job.id, storyId: job.storyId };
    return this.uow.run(async (repos): Promise<JobOutcome> => {
      if (!(await repos.jobs.lockOwned(job.id, workerId))) return { kind: 'lost', ...ids };
      const now = this.clock.now();
      const runAfter = new Date(now.getTime() + retryDelayMs(this.settings.retryBaseMs, job.attempts));
      await repos.jobs.reschedule(job.id, runAfter, failure, now);
      return { kind: 'retry', ...ids, code: failure.code, runAfter };
    });
  }

  private fail(job: AnalysisJob, workerId: string, failure: CallFailure): Promise<JobOutcome> {
    const ids = { jobId: job.id, storyId: job.storyId };
    return this.uow.run(async (repos): Promise<JobOutcome> => {
      if (!(await repos.jobs.lockOwned(job.id, workerId))) return { kind: 'lost', ...ids };
      const now = this.clock.now();
      await repos.jobs.markFailed(job.id, failure, now);
      const story = await repos.stories.findById(job.storyId);
      if (story && story.failAnalysis(job.contentHash, failure.code, job.attempts, job.previousStatus)) await repos.stories.save(story);
      this.log.warn({ ...ids, code: failure.code, attempts: job.attempts }, 'story analysis failed');
      return { kind: 'failed', ...ids, code: failure.code };
    });
  }

  /** Shutting down mid-call: hand the job back at once instead of waiting for the lease to expire. */
  private release(job: AnalysisJob, workerId: string): Promise<JobOutcome> {
    const ids = { jobId: job.id, storyId: job.storyId };
    return this.uow.run(async (repos): Promise<JobOutcome> => {
      if (!(await repos.jobs.lockOwned(job.id, workerId))) return { kind: 'lost', ...ids };
      await repos.jobs.release(job.id, this.clock.now());
      this.log.info({ ...ids }, 'analysis interrupted by shutdown; job handed back');
      return { kind: 'released', ...ids };
    });
  }

  private cancel(job: AnalysisJob, workerId: string, reason: string): Promise<JobOutcome> {
    const ids = { jobId: job.id, storyId: job.storyId };
    return this.uow.run(async (repos): Promise<JobOutcome> => {
      if (!(await repos.jobs.lockOwned(job.id, workerId))) return { kind: 'lost', ...ids };
      await repos.jobs.markCancelled(job.id, this.clock.now());
      return { kind: 'cancelled', ...ids, reason };
    });
  }
}

/** base · 2^(attempt−1), ±20 % jitter, at most 10 minutes. */
export function retryDelayMs(baseMs: number, attempt: number, random: () => number = Math.random): number {
  const exp = Math.min(MAX_RETRY_DELAY_MS, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(Math.min(MAX_RETRY_DELAY_MS, exp * (0.8 + 0.4 * random())));
}

function classify(err: unknown): CallFailure {
  if (err instanceof AnalyserError) return { code: err.code, message: safeMessage(err.message), retryable: err.retryable };
  if (err instanceof InvalidAnalysisError) return { code: err.code, message: safeMessage(err.message), retryable: false };
  return { code: 'ANALYSER_FAILED', message: 'the analyser failed unexpectedly', retryable: true };
}

function safeMessage(message: string): string {
  return message.length > 500 ? `${message.slice(0, 499)}…` : message;
}

/** Rejects as soon as `signal` aborts, even if the adapter ignores it. */
function raceAbort<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  const aborted = () => new Error('the analyser call was aborted', { cause: signal.reason });
  if (signal.aborted) return Promise.reject(aborted());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(aborted());
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}
