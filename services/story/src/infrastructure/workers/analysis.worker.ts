import { Inject, Injectable } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { JobLoopsWorker } from '@storytelling/platform';
import { DataSource } from 'typeorm';
import { ANALYSIS_SETTINGS, RunAnalysisJobCommand, type AnalysisSettings, type AnalysisWakeup } from '../../application/index.js';

/**
 * The analysis workers of this process (the platform's JobLoops): `STORY_ANALYSIS_WORKERS` loops,
 * each sending one RunAnalysisJobCommand at a time (one job per turn). Idle loops poll every
 * STORY_ANALYSIS_POLL_MS; a request served by this process wakes them at once (AnalysisWakeup).
 * Every replica runs them; the job table (SKIP LOCKED claims, leases renewed while a job runs) shares the work. On
 * shutdown the loops stop claiming, an analyser call in flight is aborted and its job handed
 * back, then the pools close.
 */
@Injectable()
export class AnalysisWorker extends JobLoopsWorker implements AnalysisWakeup {
  constructor(@Inject(CommandBus) commands: CommandBus, @Inject(ANALYSIS_SETTINGS) settings: AnalysisSettings, @Inject(DataSource) dataSource: DataSource) {
    super({
      name: 'analysis',
      workers: settings.workers,
      pollMs: settings.pollMs,
      turn: (workerId, stop) => commands.execute(new RunAnalysisJobCommand(workerId, stop)),
      table: { name: 'analysis_jobs', dataSource },
      logFields: { analyser: settings.analyserName },
    });
  }
}
