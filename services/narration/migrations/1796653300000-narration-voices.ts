import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Voices, their samples and their training jobs (docs/narration.md "Voices"). A sample's audio
 * lives in object storage under `object_key`; erasure deletes the rows (samples and jobs go with
 * their voice) and the objects under `voices/<owner_id>/`.
 */
export class NarrationVoices1796653300000 implements MigrationInterface {
  name = 'NarrationVoices1796653300000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE voices (
      id uuid PRIMARY KEY,
      owner_id text NOT NULL,
      name text NOT NULL,
      provider text NOT NULL CHECK (provider IN ('local', 'elevenlabs')),
      provider_voice_id text,
      training_status text NOT NULL CHECK (training_status IN ('pending', 'collecting', 'training', 'ready', 'failed')),
      failure_reason text,
      profile jsonb,
      trained_at timestamptz,
      version integer NOT NULL,
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL
    )`);
    await q.query(`CREATE INDEX voices_owner_idx ON voices (owner_id, created_at, id)`);
    await q.query(`CREATE TABLE voice_samples (
      id uuid PRIMARY KEY,
      voice_id uuid NOT NULL REFERENCES voices (id) ON DELETE CASCADE,
      emotion text NOT NULL CHECK (emotion IN ('joy', 'sadness', 'anger', 'fear', 'surprise', 'disgust', 'contempt', 'love', 'curiosity', 'excitement', 'neutral')),
      text text NOT NULL,
      object_key text NOT NULL UNIQUE,
      content_type text NOT NULL,
      duration_seconds double precision NOT NULL CHECK (duration_seconds > 0),
      size_bytes bigint NOT NULL CHECK (size_bytes >= 0),
      locked boolean NOT NULL DEFAULT false,
      created_at timestamptz NOT NULL
    )`);
    await q.query(`CREATE INDEX voice_samples_voice_idx ON voice_samples (voice_id, created_at, id)`);
    await q.query(`CREATE TABLE voice_training_jobs (
      id uuid PRIMARY KEY,
      voice_id uuid NOT NULL REFERENCES voices (id) ON DELETE CASCADE,
      status text NOT NULL CHECK (status IN ('pending', 'running', 'succeeded', 'failed', 'cancelled')),
      attempts integer NOT NULL DEFAULT 0,
      run_after timestamptz NOT NULL,
      lease_owner text,
      lease_expires_at timestamptz,
      last_error_code text,
      last_error_message text,
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL,
      completed_at timestamptz
    )`);
    // At most one active job per voice; the claim scans only active jobs.
    await q.query(`CREATE UNIQUE INDEX voice_training_jobs_active_idx ON voice_training_jobs (voice_id) WHERE status IN ('pending', 'running')`);
    await q.query(`CREATE INDEX voice_training_jobs_due_idx ON voice_training_jobs (run_after, id) WHERE status IN ('pending', 'running')`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE voice_training_jobs`);
    await q.query(`DROP TABLE voice_samples`);
    await q.query(`DROP TABLE voices`);
  }
}
