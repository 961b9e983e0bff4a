import { Inject, Injectable } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { histogram, JobLoopsWorker } from '@storytelling/platform';
import { RunVoiceTrainingJobCommand, VOICE_TRAINING_SETTINGS, type VoiceTrainingSettings, type VoiceTrainingWakeup } from '../../application/index.js';

/** One training turn that had a job, by outcome (trained, retry, failed, cancelled, released, lost). */
const jobDuration = () =>
  histogram('narration_voice_training_duration_seconds', 'Duration of one voice training turn (claim to commit), by outcome', ['outcome'], [0.5, 1, 2.5, 5, 10, 30, 60, 120, 300]);

/**
 * The voice training workers of this process: NARRATION_WORKERS loops, each sending one
 * RunVoiceTrainingJobCommand at a time. Idle loops poll every NARRATION_TRAINING_POLL_MS;
 * TrainVoice served by this process wakes them at once. Every replica runs them; the job table
 * (SKIP LOCKED claims, leases) shares the work and survives restarts. On shutdown the loops stop
 * claiming and a job in flight is handed back.
 */
@Injectable()
export class VoiceTrainingWorker extends JobLoopsWorker implements VoiceTrainingWakeup {
  constructor(@Inject(CommandBus) commands: CommandBus, @Inject(VOICE_TRAINING_SETTINGS) settings: VoiceTrainingSettings) {
    super({
      name: 'voice-training',
      workers: settings.workers,
      pollMs: settings.pollMs,
      turn: (workerId, stop) => commands.execute(new RunVoiceTrainingJobCommand(workerId, stop)),
      onTurn: (outcome, seconds) => jobDuration().observe({ outcome }, seconds),
    });
  }
}
