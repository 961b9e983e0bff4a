import { Inject, Injectable } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { histogram, JobLoopsWorker } from '@storytelling/platform';
import { ANALYSIS_SETTINGS, RunAnalysisJobCommand, type AnalysisSettings, type AnalysisWakeup } from '../../application/index.js';

/** One worker turn that had a job, by outcome (analyzed, retry, failed, cancelled, released, lost). */
const jobDuration = () =>
  histogram('story_analysis_job_duration_seconds', 'Duration of one analysis job attempt (claim to commit), by outcome', ['outcome'], [
    0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300,
  ]);

/**
 * The analysis workers of this process (the platform's JobLoops): `STORY_ANALYSIS_WORKERS` loops,
 * each sending one RunAnalysisJobCommand at a time (one job per turn). Idle loops poll every
 * STORY_ANALYSIS_POLL_MS; a request served by this process wakes them at once (AnalysisWakeup).
 * Every replica runs them; the job table (SKIP LOCKED claims, leases) shares the work. On
 * shutdown the loops stop claiming, an analyser call in flight is aborted and its job handed
 * back, then the pools close.
 */
@Injectable()
export class AnalysisWorker extends JobLoopsWorker implements AnalysisWakeup {
  constructor(@Inject(CommandBus) commands: CommandBus, @Inject(ANALYSIS_SETTINGS) settings: AnalysisSettings) {
    super({
      name: 'analysis',
      workers: settings.workers,
      pollMs: settings.pollMs,
      turn: (workerId, stop) => commands.execute(new RunAnalysisJobCommand(workerId, stop)),
      onTurn: (outcome, seconds) => jobDuration().observe({ outcome }, seconds),
      logFields: { analyser: settings.analyserName },
    });
  }
}
