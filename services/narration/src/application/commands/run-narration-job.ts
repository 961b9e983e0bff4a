import { join } from 'node:path';
import { CLOCK, DomainError, type Clock } from '@storytelling/kernel';
import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { getLogger, runWithContext, whileLeaseHeld } from '@storytelling/platform';
import type { Narration, NarrationJob, NarrationWorkRepositories, Segment, StoredAudio, VoiceRepository } from '../../domain/index.js';
import { NarrationFailureReasons as Reasons, StoryNotAnalysedError, isStockVoiceId, segmentStory, voiceSegments, voicedCharacters } from '../../domain/index.js';
import type { AudioJoiner, MediaFiles, NarratableStory, NarrationSettings, SpeechEngine, SpeechVoice, StorySource } from '../ports/index.js';
import { AUDIO_JOINER, MEDIA_FILES, NARRATION_SETTINGS, NARRATION_UNIT_OF_WORK, SPEECH_CONTENT_TYPE, SPEECH_ENGINE, STORY_SOURCE } from '../ports/index.js';
import type { NarrationsUnitOfWork } from '../queries/get-narration.js';

/** What one turn of a worker did (tests, logs, the worker's metrics). */
export type NarrationJobOutcome =
  | { kind: 'idle' }
  | { kind: 'generated'; jobId: string; narrationId: string; segments: number; durationSeconds: number }
  | { kind: 'regenerated'; jobId: string; narrationId: string; indexes: number[]; durationSeconds: number }
  /** The narration failed (generate), or the regeneration gave up (the narration keeps its audio). */
  | { kind: 'failed'; jobId: string; narrationId: string; reason: string }
  | { kind: 'retry'; jobId: string; narrationId: string; code: string; runAfter: Date }
  | { kind: 'cancelled'; jobId: string; narrationId: string; reason: string }
  /** Interrupted by shutdown and handed back to the queue. */
  | { kind: 'released'; jobId: string; narrationId: string }
  /** The lease was lost (the job was cancelled, the narration discarded or erased, or another worker took over). */
  | { kind: 'lost'; jobId: string; narrationId: string };

/**
 * One turn of a narration worker (infrastructure/workers/narration.worker.ts): claim and run at
 * most one due job as `workerId`. `stop` interrupts it between segments (shutdown). Sent from
 * outside any transaction: the claim commits on its own and no transaction is open while audio
 * is made.
 */
export class RunNarrationJobCommand extends Command<NarrationJobOutcome> {
  constructor(
    readonly workerId: string,
    readonly stop?: AbortSignal,
  ) {
    super();
  }
}

type Leased<T> = { owned: true; value: T } | { owned: false };

/**
 * Runs narration jobs (docs/narration.md "Jobs"): claim one due job (SKIP LOCKED, leased), then
 * - generate: a narration a saga asked for is first given its segments (story read with this
 *   service's token); then every segment without audio is synthesised (SpeechEngine), checked by
 *   decoding it (audio, not silent, its real duration), stored under `segments/<i>-<rev>.ogg`
 *   and recorded in its own short transaction that also renews the lease (progress survives a
 *   crash: a new claim goes on from there). A segment is tried `segmentAttempts` times; still
 *   failing, the narration fails (SEGMENT_FAILED with the reason): it never completes with a
 *   hole. All segments done: they are joined with pauses into `narration-<n>.ogg`, its duration
 *   decoded, and the narration completes (NarrationGenerated).
 * - regenerate: the listed segments again under new keys, then a new whole file under a new key
 *   (NarrationRegenerated); the replaced objects are deleted. A regeneration that keeps failing
 *   leaves the narration completed with its audio, no event, and its failureReason saying why
 *   (REGENERATION_FAILED: …) until a regeneration succeeds.
 * A write only happens while this worker holds the lease; an object uploaded by a worker that
 * lost it is deleted. A job claimed more than `maxJobAttempts` times (its workers died) fails
 * its narration (JOB_ABANDONED); story being unavailable reschedules it.
 */
@CommandHandler(RunNarrationJobCommand)
export class RunNarrationJobHandler implements ICommandHandler<RunNarrationJobCommand> {
  private readonly log = getLogger('narration-worker');

  constructor(
    @Inject(NARRATION_UNIT_OF_WORK) private readonly uow: NarrationsUnitOfWork,
    @Inject(SPEECH_ENGINE) private readonly engine: SpeechEngine,
    @Inject(MEDIA_FILES) private readonly media: MediaFiles,
    @Inject(AUDIO_JOINER) private readonly joiner: AudioJoiner,
    @Inject(STORY_SOURCE) private readonly stories: StorySource,
    @Inject(NARRATION_SETTINGS) private readonly settings: NarrationSettings,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute({ workerId, stop }: RunNarrationJobCommand): Promise<NarrationJobOutcome> {
    const job = await this.uow.reader.narrationJobs.claim(workerId, this.settings.leaseMs);
    if (!job) return { kind: 'idle' };
    // The lease is short (a dead worker's job is taken over soon) and renewed while this turn
    // runs; a renewal that finds it gone stops the turn like a shutdown (whose hand-back then
    // finds the job not ours: `lost`).
    const { leaseMs } = this.settings;
    const renew = () => this.uow.reader.narrationJobs.renew(job.id, workerId, leaseMs);
    return whileLeaseHeld({ leaseMs, stop, renew, context: { jobId: job.id } }, async (signal) => {
      const narration = await this.uow.reader.narrations.find(job.narrationId);
      // Events of this turn continue the chain of the saga that asked for the narration.
      return runWithContext({ correlationId: narration?.state.sagaId ?? job.narrationId }, async () => {
        try {
          return await this.run(job, narration, workerId, signal);
        } catch (err) {
          return this.afterError(job, workerId, err);
        }
      });
    });
  }

  private async run(job: NarrationJob, found: Narration | undefined, workerId: string, stop: AbortSignal | undefined): Promise<NarrationJobOutcome> {
    const ids = { jobId: job.id, narrationId: job.narrationId };
    this.log.info({ ...ids, kind: job.kind, attempt: job.attempts }, 'narration job claimed');
    if (!found || found.status === 'discarded') return this.cancel(job, workerId, 'narration gone');
    if (job.kind === 'generate' && found.isFinished) return this.cancel(job, workerId, `narration is ${found.status}`);
    if (job.kind === 'regenerate' && found.status !== 'completed') return this.cancel(job, workerId, `narration is ${found.status}`);
    if (job.attempts > this.settings.maxJobAttempts) {
      return this.giveUp(job, workerId, `${Reasons.jobAbandoned}: claimed ${job.attempts - 1} times without finishing (${job.lastErrorCode ?? 'worker lost'})`);
    }

    let narration = found;
    if (job.kind === 'generate') {
      if (narration.needsSegments) {
        const prepared = await this.prepare(job, narration, workerId);
        if ('kind' in prepared) return prepared;
        narration = prepared;
      }
      const started = await this.inLease(job, workerId, async (repos) => {
        const n = await repos.narrations.find(job.narrationId, { lock: true });
        if (!n || n.isFinished) return undefined;
        n.startProcessing();
        await repos.narrations.save(n);
        return n;
      });
      if (!started.owned || !started.value) return { kind: 'lost', ...ids };
      narration = started.value;
    }

    const indexes = job.kind === 'generate' ? narration.segments.filter((s) => s.audio === null).map((s) => s.index) : job.segmentIndexes.filter((i) => narration.segments[i] !== undefined);
    const voices = await this.speechVoices(this.uow.reader.voices, narration, indexes);
    if (typeof voices === 'string') return this.giveUp(job, workerId, voices);
    return this.media.withScratch((dir) => this.synthesise(job, workerId, stop, narration, indexes, voices, dir));
  }

  /** A narration a saga asked for: its story (read with this service's token) becomes its segments. */
  private async prepare(job: NarrationJob, narration: Narration, workerId: string): Promise<Narration | NarrationJobOutcome> {
    const s = narration.state;
    let story: NarratableStory;
    try {
      story = await this.stories.narratable(s.storyId, 'service');
    } catch (err) {
      if (err instanceof StoryNotAnalysedError) return this.giveUp(job, workerId, Reasons.storyNotAnalysed);
      if (err instanceof DomainError && err.kind !== 'unavailable') return this.giveUp(job, workerId, `${Reasons.storyUnavailable}: story answered ${err.code}`);
      if (job.attempts < this.settings.maxJobAttempts) return this.retry(job, workerId, { code: Reasons.storyUnavailable, message: 'story did not answer' });
      return this.giveUp(job, workerId, `${Reasons.storyUnavailable}: story did not answer in ${job.attempts} attempts`);
    }
    if (story.authorId !== s.ownerId) return this.giveUp(job, workerId, `${Reasons.storyUnavailable}: the story is not its owner's`);
    const drafts = segmentStory(story, { voiced: voicedCharacters(s.characterVoices, s.voiceId) });
    if (drafts.length === 0) return this.giveUp(job, workerId, `${Reasons.storyUnavailable}: the story has no text`);
    const defined = await this.inLease(job, workerId, async (repos) => {
      const n = await repos.narrations.find(job.narrationId, { lock: true });
      if (!n || n.isFinished) return undefined;
      if (n.needsSegments) n.defineSegments(voiceSegments(drafts, s.voiceId, s.characterVoices));
      await repos.narrations.save(n);
      return n;
    });
    if (!defined.owned || !defined.value) return { kind: 'lost', jobId: job.id, narrationId: job.narrationId };
    this.log.info({ jobId: job.id, narrationId: job.narrationId, segments: drafts.length }, 'story segmented');
    return defined.value;
  }

  /** The voices the segments speak with, or why one cannot be used (VOICE_NOT_READY). */
  private async speechVoices(voices: VoiceRepository, narration: Narration, indexes: readonly number[]): Promise<Map<string, SpeechVoice> | string> {
    const result = new Map<string, SpeechVoice>();
    for (const voiceId of new Set(indexes.map((i) => narration.segments[i]!.voiceId))) {
      if (isStockVoiceId(voiceId)) {
        result.set(voiceId, { provider: 'stock' });
        continue;
      }
      const voice = await voices.find(voiceId);
      if (!voice || voice.trainingStatus !== 'ready') return `${Reasons.voiceNotReady}: voice ${voiceId} is ${voice ? voice.trainingStatus : 'gone'}`;
      result.set(voiceId, { provider: voice.provider, ...(voice.providerVoiceId ? { providerVoiceId: voice.providerVoiceId } : {}), ...(voice.profile ? { profile: voice.profile } : {}) });
    }
    return result;
  }

  /**
   * The segments to make, `segmentConcurrency` at a time (one segment's encoding, checking and
   * storing overlaps the next one's synthesis); each recorded as soon as it is stored. The first
   * failure, a shutdown or a lost lease stops new segments; those in flight finish first.
   */
  private async synthesise(
    job: NarrationJob,
    workerId: string,
    stop: AbortSignal | undefined,
    start: Narration,
    indexes: readonly number[],
    voices: ReadonlyMap<string, SpeechVoice>,
    dir: string,
  ): Promise<NarrationJobOutcome> {
    const ids = { jobId: job.id, narrationId: job.narrationId };
    const local = new Map<number, string>();
    /** regenerate: the new segments, stored but not yet the narration's. */
    const fresh = new Map<number, StoredAudio>();
    let halt: { kind: 'release' } | { kind: 'lost' } | { kind: 'give-up'; reason: string } | undefined;
    const queue = [...indexes];
    const lane = async (): Promise<void> => {
      for (let index = queue.shift(); index !== undefined && !halt; index = queue.shift()) {
        if (stop?.aborted) {
          halt = { kind: 'release' };
          return;
        }
        const segment = start.segments[index]!;
        const path = join(dir, `segment-${index}.ogg`);
        const made = await this.synthesiseSegment(start, segment, voices.get(segment.voiceId)!, path, stop);
        if ('failure' in made) {
          halt ??= stop?.aborted ? { kind: 'release' } : { kind: 'give-up', reason: `${Reasons.segmentFailed}: segment ${index} failed ${this.settings.segmentAttempts} times: ${made.failure}` };
          return;
        }
        const key = start.nextSegmentKey(index);
        const audio = { objectKey: key, durationSeconds: made.durationSeconds };
        await this.media.upload(path, key, SPEECH_CONTENT_TYPE);
        // generate: each segment is kept as it is made (a retried job goes on from there).
        // regenerate: all or nothing, the new segments replace the old ones with the new whole
        // file (joinWhole); until then only the lease is renewed. A retry writes the same keys.
        const saved = await this.inLease(job, workerId, async (repos) => {
          const n = await repos.narrations.find(job.narrationId, { lock: job.kind === 'generate' });
          if (!n || n.status === 'discarded') return undefined;
          if (job.kind === 'regenerate') return { replaced: undefined, progress: n.progress };
          const replaced = n.segmentSynthesised(index, audio);
          await repos.narrations.save(n);
          return { replaced, progress: n.progress };
        });
        if (!saved.owned || !saved.value) {
          await this.media.delete(key);
          halt = { kind: 'lost' };
          return;
        }
        if (saved.value.replaced && saved.value.replaced !== key) await this.media.delete(saved.value.replaced);
        if (job.kind === 'regenerate') fresh.set(index, audio);
        local.set(index, path);
        this.log.debug({ ...ids, index, durationSeconds: made.durationSeconds, ...saved.value.progress }, 'segment synthesised');
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(this.settings.segmentConcurrency, indexes.length)) }, lane));
    const narration = halt ? undefined : await this.uow.reader.narrations.find(job.narrationId);
    if (!narration || narration.status === 'discarded') {
      // A regeneration that stops here changes nothing: its new segments go.
      await Promise.all([...fresh.values()].map((a) => this.media.delete(a.objectKey)));
      if (halt?.kind === 'release') return this.release(job, workerId);
      if (halt?.kind === 'give-up') return this.giveUp(job, workerId, halt.reason);
      return { kind: 'lost', ...ids };
    }
    return this.joinWhole(job, workerId, narration, indexes, local, fresh, dir);
  }

  /** One segment to `path`, tried up to segmentAttempts times; its duration decoded from the file. */
  private async synthesiseSegment(
    narration: Narration,
    segment: Segment,
    voice: SpeechVoice,
    path: string,
    stop: AbortSignal | undefined,
  ): Promise<{ durationSeconds: number } | { failure: string }> {
    const s = narration.state;
    let failure = 'not tried';
    for (let attempt = 1; attempt <= this.settings.segmentAttempts; attempt++) {
      try {
        await this.engine.synthesise({ text: segment.text, emotion: segment.emotion, narratorProfile: s.narratorProfile, conversationStyle: s.conversationStyle, voice }, path);
        const facts = await this.media.inspect(path);
        if (!facts.audio || !(facts.durationSeconds > 0)) throw new Error('the speech engine wrote no audio');
        if (facts.silent) throw new Error('the speech engine wrote silence');
        return { durationSeconds: facts.durationSeconds };
      } catch (err) {
        failure = safeMessage(err);
        this.log.warn({ narrationId: narration.id, index: segment.index, attempt, err: failure }, 'segment synthesis failed');
        if (stop?.aborted) break;
        if (attempt < this.settings.segmentAttempts) await sleep(this.settings.segmentRetryDelayMs * attempt, stop);
      }
    }
    return { failure };
  }

  /**
   * Every segment has audio: the whole file, joined with pauses, under a new key; a regeneration's
   * `fresh` segments become the narration's in the same transaction.
   */
  private async joinWhole(
    job: NarrationJob,
    workerId: string,
    narration: Narration,
    indexes: readonly number[],
    local: ReadonlyMap<number, string>,
    fresh: ReadonlyMap<number, StoredAudio>,
    dir: string,
  ): Promise<NarrationJobOutcome> {
    const ids = { jobId: job.id, narrationId: job.narrationId };
    const inputs: string[] = [];
    for (const segment of narration.segments) {
      let path = local.get(segment.index);
      if (!path) {
        path = join(dir, `stored-${segment.index}.ogg`);
        if (!segment.audio || !(await this.media.download(segment.audio.objectKey, path))) {
          await Promise.all([...fresh.values()].map((a) => this.media.delete(a.objectKey)));
          return this.giveUp(job, workerId, `${Reasons.segmentFailed}: the audio of segment ${segment.index} is missing`);
        }
      }
      inputs.push(path);
    }
    const wholePath = join(dir, 'narration.ogg');
    const { durationSeconds } = await this.joiner.join(inputs, this.settings.pauseMs, wholePath);
    const key = narration.nextAudioKey();
    await this.media.upload(wholePath, key, SPEECH_CONTENT_TYPE);
    const done = await this.inLease(job, workerId, async (repos) => {
      const n = await repos.narrations.find(job.narrationId, { lock: true });
      if (!n || n.status === 'discarded') return undefined;
      const audio = { objectKey: key, durationSeconds };
      const replaced: string[] = [];
      if (job.kind === 'generate') n.complete(audio);
      else {
        for (const [index, segmentAudio] of fresh) {
          const previous = n.segmentSynthesised(index, segmentAudio);
          if (previous && previous !== segmentAudio.objectKey) replaced.push(previous);
        }
        const previousWhole = n.regenerated(indexes, audio);
        if (previousWhole) replaced.push(previousWhole);
      }
      await repos.narrations.save(n);
      await repos.narrationJobs.finish(job.id, 'succeeded', null, this.clock.now());
      return { n, replaced };
    });
    if (!done.owned || !done.value) {
      await Promise.all([key, ...[...fresh.values()].map((a) => a.objectKey)].map((k) => this.media.delete(k)));
      return { kind: 'lost', ...ids };
    }
    for (const old of done.value.replaced) await this.media.delete(old);
    const segments = narration.segments.length;
    this.log.info({ ...ids, kind: job.kind, segments, durationSeconds }, job.kind === 'generate' ? 'narration generated' : 'segments regenerated');
    return job.kind === 'generate' ? { kind: 'generated', ...ids, segments, durationSeconds } : { kind: 'regenerated', ...ids, indexes: [...indexes], durationSeconds };
  }

  /** An unexpected error (storage, ffmpeg): the job is tried again later, and given up after its attempts. */
  private async afterError(job: NarrationJob, workerId: string, err: unknown): Promise<NarrationJobOutcome> {
    const message = safeMessage(err);
    this.log.error({ jobId: job.id, narrationId: job.narrationId, attempt: job.attempts, err: message }, 'narration job failed unexpectedly');
    if (job.attempts < this.settings.maxJobAttempts) return this.retry(job, workerId, { code: 'JOB_ERROR', message });
    return this.giveUp(job, workerId, `${Reasons.jobAbandoned}: ${message}`);
  }

  /**
   * generate: the narration fails (NarrationFailed); regenerate: the job fails, the narration keeps
   * its audio and records why (failureReason `REGENERATION_FAILED: <reason>`, no event).
   */
  private async giveUp(job: NarrationJob, workerId: string, reason: string): Promise<NarrationJobOutcome> {
    const ids = { jobId: job.id, narrationId: job.narrationId };
    const done = await this.inLease(job, workerId, async (repos) => {
      const n = await repos.narrations.find(job.narrationId, { lock: true });
      const changed = job.kind === 'generate' ? n?.fail(reason) : n?.regenerationFailed(`${Reasons.regenerationFailed}: ${reason}`);
      if (n && changed) await repos.narrations.save(n);
      await repos.narrationJobs.finish(job.id, 'failed', { code: reason.split(':')[0]!, message: reason }, this.clock.now());
    });
    if (!done.owned) return { kind: 'lost', ...ids };
    this.log.warn({ ...ids, kind: job.kind, reason }, job.kind === 'generate' ? 'narration failed' : 'regeneration failed; the narration keeps its audio');
    return { kind: 'failed', ...ids, reason };
  }

  private async retry(job: NarrationJob, workerId: string, failure: { code: string; message: string }): Promise<NarrationJobOutcome> {
    const runAfter = new Date(this.clock.now().getTime() + this.settings.jobRetryDelayMs * job.attempts);
    const done = await this.inLease(job, workerId, (repos) => repos.narrationJobs.reschedule(job.id, runAfter, failure, this.clock.now()));
    if (!done.owned) return { kind: 'lost', jobId: job.id, narrationId: job.narrationId };
    return { kind: 'retry', jobId: job.id, narrationId: job.narrationId, code: failure.code, runAfter };
  }

  private async cancel(job: NarrationJob, workerId: string, reason: string): Promise<NarrationJobOutcome> {
    const done = await this.inLease(job, workerId, (repos) => repos.narrationJobs.finish(job.id, 'cancelled', null, this.clock.now()));
    if (!done.owned) return { kind: 'lost', jobId: job.id, narrationId: job.narrationId };
    return { kind: 'cancelled', jobId: job.id, narrationId: job.narrationId, reason };
  }

  /** Shutting down between segments: hand the job back at once instead of waiting for the lease to expire. */
  private async release(job: NarrationJob, workerId: string): Promise<NarrationJobOutcome> {
    const done = await this.inLease(job, workerId, (repos) => repos.narrationJobs.release(job.id, this.clock.now()));
    this.log.info({ jobId: job.id, narrationId: job.narrationId }, 'narration interrupted by shutdown; job handed back');
    return done.owned ? { kind: 'released', jobId: job.id, narrationId: job.narrationId } : { kind: 'lost', jobId: job.id, narrationId: job.narrationId };
  }

  /** `work` in one transaction, only while this worker still holds the job's lease (which it renews). */
  private inLease<T>(job: NarrationJob, workerId: string, work: (repos: NarrationWorkRepositories) => Promise<T>): Promise<Leased<T>> {
    return this.uow.run(async (repos): Promise<Leased<T>> => {
      if (!(await repos.narrationJobs.lockOwned(job.id, workerId, this.settings.leaseMs))) return { owned: false };
      return { owned: true, value: await work(repos) };
    });
  }
}

function safeMessage(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const line = message.replace(/\s+/g, ' ').trim();
  return line.length > 300 ? `${line.slice(0, 299)}…` : line;
}

function sleep(ms: number, stop: AbortSignal | undefined): Promise<void> {
  if (ms <= 0 || stop?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      stop?.removeEventListener('abort', done);
      resolve();
    }
    stop?.addEventListener('abort', done, { once: true });
  });
}

