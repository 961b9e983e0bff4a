import { hostname } from 'node:os';
import { uuidv7 } from '@storytelling/kernel';
import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { getLogger, histogram } from '@storytelling/platform';
import { ANALYSIS_SETTINGS, RunAnalysisJobCommand, type AnalysisSettings, type AnalysisWakeup } from '../../application/index.js';

/** One worker turn that had a job, by outcome (analyzed, retry, failed, cancelled, released, lost). */
const jobDuration = () =>
  histogram('story_analysis_job_duration_seconds', 'Duration of one analysis job attempt (claim to commit), by outcome', ['outcome'], [
    0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300,
  ]);

/**
 * The analysis workers of this process: `STORY_ANALYSIS_WORKERS` loops, each sending one
 * RunAnalysisJobCommand at a time (one job per turn). Idle loops poll every
 * STORY_ANALYSIS_POLL_MS; a request served by this process wakes them at once (AnalysisWakeup).
 * Every replica runs them; the job table (SKIP LOCKED claims, leases) shares the work. On
 * shutdown the loops stop claiming, an analyser call in flight is aborted and its job handed
 * back, then the pools close.
 */
@Injectable()
export class AnalysisWorker implements AnalysisWakeup, OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly log = getLogger('analysis-worker');
  private readonly stop = new AbortController();
  private readonly loops: Promise<void>[] = [];
  private sleepers = new Set<() => void>();

  constructor(
    @Inject(CommandBus) private readonly commands: CommandBus,
    @Inject(ANALYSIS_SETTINGS) private readonly settings: AnalysisSettings,
  ) {}

  onApplicationBootstrap(): void {
    const base = `${hostname()}:${process.pid}:${uuidv7().slice(-12)}`;
    for (let i = 0; i < this.settings.workers; i++) this.loops.push(this.loop(`${base}:${i}`));
    if (this.settings.workers > 0) this.log.info({ workers: this.settings.workers, analyser: this.settings.analyserName }, 'analysis workers started');
  }

  notify(): void {
    for (const wake of this.sleepers) wake();
    this.sleepers.clear();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stop.abort(new Error('shutting down'));
    this.notify();
    await Promise.allSettled(this.loops);
  }

  private async loop(workerId: string): Promise<void> {
    while (!this.stop.signal.aborted) {
      try {
        const started = process.hrtime.bigint();
        const outcome = await this.commands.execute(new RunAnalysisJobCommand(workerId, this.stop.signal));
        if (outcome.kind === 'idle') await this.sleep(this.settings.pollMs);
        else jobDuration().observe({ outcome: outcome.kind }, Number(process.hrtime.bigint() - started) / 1e9);
      } catch (err) {
        this.log.error({ err, workerId }, 'analysis worker turn failed');
        await this.sleep(this.settings.pollMs);
      }
    }
  }

  private sleep(ms: number): Promise<void> {
    if (this.stop.signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.sleepers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.sleepers.add(done);
    });
  }
}
