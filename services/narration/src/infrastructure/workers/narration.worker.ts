import { Inject, Injectable } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { histogram, JobLoopsWorker } from '@storytelling/platform';
import { NARRATION_SETTINGS, RunNarrationJobCommand, type NarrationSettings, type NarrationWakeup } from '../../application/index.js';

/** One worker turn that had a job, by outcome (generated, regenerated, failed, retry, cancelled, released, lost). */
const jobDuration = () =>
  histogram('narration_job_duration_seconds', 'Duration of one narration job turn (claim to commit), by outcome', ['outcome'], [1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800]);

/**
 * The narration workers of this process: `NARRATION_WORKERS` loops, each sending one
 * RunNarrationJobCommand at a time (one job per turn). Idle loops poll every
 * NARRATION_JOB_POLL_MS; a request or command served by this process wakes them at once
 * (NarrationWakeup). Every replica runs them; the job table (SKIP LOCKED claims, leases) shares
 * the work and survives restarts. On shutdown the loops stop claiming and a job in flight is
 * handed back after the segment being synthesised.
 */
@Injectable()
export class NarrationWorker extends JobLoopsWorker implements NarrationWakeup {
  constructor(@Inject(CommandBus) commands: CommandBus, @Inject(NARRATION_SETTINGS) settings: NarrationSettings) {
    super({
      name: 'narration',
      workers: settings.workers,
      pollMs: settings.pollMs,
      turn: (workerId, stop) => commands.execute(new RunNarrationJobCommand(workerId, stop)),
      onTurn: (outcome, seconds) => jobDuration().observe({ outcome }, seconds),
    });
  }
}
