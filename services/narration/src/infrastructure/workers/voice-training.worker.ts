import { Inject, Injectable } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { JobLoopsWorker } from '@storytelling/platform';
import { DataSource } from 'typeorm';
import { RunVoiceTrainingJobCommand, VOICE_TRAINING_SETTINGS, type VoiceTrainingSettings, type VoiceTrainingWakeup } from '../../application/index.js';

/**
 * The voice training workers of this process: NARRATION_WORKERS loops, each sending one
 * RunVoiceTrainingJobCommand at a time. Idle loops poll every NARRATION_TRAINING_POLL_MS;
 * TrainVoice served by this process wakes them at once. Every replica runs them; the job table
 * (SKIP LOCKED claims, leases) shares the work and survives restarts. On shutdown the loops stop
 * claiming and a job in flight is handed back.
 */
@Injectable()
export class VoiceTrainingWorker extends JobLoopsWorker implements VoiceTrainingWakeup {
  constructor(@Inject(CommandBus) commands: CommandBus, @Inject(VOICE_TRAINING_SETTINGS) settings: VoiceTrainingSettings, @Inject(DataSource) dataSource: DataSource) {
    super({
      name: 'voice-training',
      workers: settings.workers,
      pollMs: settings.pollMs,
      turn: (workerId, stop) => commands.execute(new RunVoiceTrainingJobCommand(workerId, stop)),
      table: { name: 'voice_training_jobs', dataSource },
    });
  }
}
