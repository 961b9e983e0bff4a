import { Inject, Injectable } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { JobLoopsWorker } from '@storytelling/platform';
import { DataSource } from 'typeorm';
import { NARRATION_SETTINGS, RunNarrationJobCommand, type NarrationSettings, type NarrationWakeup } from '../../application/index.js';

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
  constructor(@Inject(CommandBus) commands: CommandBus, @Inject(NARRATION_SETTINGS) settings: NarrationSettings, @Inject(DataSource) dataSource: DataSource) {
    super({
      name: 'narration',
      workers: settings.workers,
      pollMs: settings.pollMs,
      turn: (workerId, stop) => commands.execute(new RunNarrationJobCommand(workerId, stop)),
      table: { name: 'narration_jobs', dataSource },
    });
  }
}
