import { LeasedJobTable, leasedJobFields, type LeasedJobRow } from '@storytelling/platform';
import type { EntityManager } from 'typeorm';
import type { VoiceTrainingFailure, VoiceTrainingJob, VoiceTrainingJobRepository } from '../../domain/index.js';

interface JobRow extends LeasedJobRow {
  voice_id: string;
}

const toJob = (r: JobRow): VoiceTrainingJob => ({ ...leasedJobFields(r), voiceId: r.voice_id });

/** The voice training queue (table voice_training_jobs): the platform's LeasedJobTable, as story's analysis jobs. */
export class SqlVoiceTrainingJobRepository implements VoiceTrainingJobRepository {
  private readonly table: LeasedJobTable<JobRow>;

  constructor(private readonly em: EntityManager) {
    this.table = new LeasedJobTable<JobRow>(em, 'voice_training_jobs');
  }

  async enqueue(job: { id: string; voiceId: string; at: Date }): Promise<void> {
    await this.em.query(
      `INSERT INTO voice_training_jobs (id, voice_id, status, attempts, run_after, created_at, updated_at) VALUES ($1, $2, 'pending', 0, $3, $3, $3)`,
      [job.id, job.voiceId, job.at],
    );
  }

  async claim(workerId: string, leaseMs: number): Promise<VoiceTrainingJob | undefined> {
    const row = await this.table.claim(workerId, leaseMs);
    return row ? toJob(row) : undefined;
  }

  async lockOwned(jobId: string, workerId: string): Promise<VoiceTrainingJob | undefined> {
    const row = await this.table.lockOwned(jobId, workerId);
    return row ? toJob(row) : undefined;
  }

  renew(jobId: string, workerId: string, leaseMs: number): Promise<boolean> {
    return this.table.renew(jobId, workerId, leaseMs);
  }

  finish(jobId: string, status: 'succeeded' | 'failed' | 'cancelled', failure: VoiceTrainingFailure | null, at: Date): Promise<void> {
    return this.table.finish(jobId, status, failure, at);
  }

  reschedule(jobId: string, runAfter: Date, failure: VoiceTrainingFailure, at: Date): Promise<void> {
    return this.table.reschedule(jobId, runAfter, failure, at);
  }

  release(jobId: string, at: Date): Promise<void> {
    return this.table.release(jobId, at);
  }
}
