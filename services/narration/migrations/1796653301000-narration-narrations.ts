import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Narrations, their segments and the narration job queue (docs/narration.md "Narrations",
 * "Jobs"). Audio lives in object storage under `narrations/<owner_id>/<id>/…`; the rows hold the
 * keys and the durations measured from the files. A discarded narration stays as a tombstone
 * (status `discarded`, no segments) so a resent GenerateNarration cannot bring it back; erasure
 * deletes the rows (segments and jobs go with their narration) and the objects.
 */
export class NarrationNarrations1796653301000 implements MigrationInterface {
  name = 'NarrationNarrations1796653301000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE narrations (
      id uuid PRIMARY KEY,
      story_id uuid,
      owner_id text,
      voice_id uuid,
      character_voices jsonb NOT NULL DEFAULT '{}'::jsonb,
      narrator_profile text NOT NULL,
      conversation_style text NOT NULL,
      status text NOT NULL CHECK (status IN ('pending', 'processing', 'completed', 'failed', 'discarded')),
      audio_object_key text,
      audio_duration_seconds double precision CHECK (audio_duration_seconds > 0),
      audio_revision integer NOT NULL DEFAULT 0 CHECK (audio_revision >= 0),
      failure_reason text,
      saga_id uuid,
      version integer NOT NULL,
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL,
      CONSTRAINT narrations_owned_check CHECK (status = 'discarded' OR (story_id IS NOT NULL AND owner_id IS NOT NULL AND voice_id IS NOT NULL)),
      CONSTRAINT narrations_audio_check CHECK ((audio_object_key IS NULL) = (audio_duration_seconds IS NULL))
    )`);
    await q.query(`CREATE INDEX narrations_owner_idx ON narrations (owner_id, created_at, id)`);
    await q.query(`CREATE TABLE narration_segments (
      narration_id uuid NOT NULL REFERENCES narrations (id) ON DELETE CASCADE,
      segment_index integer NOT NULL CHECK (segment_index >= 0),
      text text NOT NULL,
      emotion text NOT NULL CHECK (emotion IN ('joy', 'sadness', 'anger', 'fear', 'surprise', 'disgust', 'contempt', 'love', 'curiosity', 'excitement', 'neutral')),
      voice_id uuid NOT NULL,
      character_id text,
      revision integer NOT NULL DEFAULT 0 CHECK (revision >= 0),
      audio_object_key text,
      duration_seconds double precision CHECK (duration_seconds > 0),
      PRIMARY KEY (narration_id, segment_index),
      CONSTRAINT narration_segments_audio_check CHECK ((audio_object_key IS NULL) = (duration_seconds IS NULL))
    )`);
    await q.query(`CREATE TABLE narration_jobs (
      id uuid PRIMARY KEY,
      narration_id uuid NOT NULL REFERENCES narrations (id) ON DELETE CASCADE,
      kind text NOT NULL CHECK (kind IN ('generate', 'regenerate')),
      segment_indexes integer[] NOT NULL DEFAULT '{}',
      status text NOT NULL CHECK (status IN ('pending', 'running', 'succeeded', 'failed', 'cancelled')),
      attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
      run_after timestamptz NOT NULL,
      lease_owner text,
      lease_expires_at timestamptz,
      last_error_code text,
      last_error_message text,
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL,
      completed_at timestamptz,
      CONSTRAINT narration_jobs_lease_check CHECK (status <> 'running' OR (lease_owner IS NOT NULL AND lease_expires_at IS NOT NULL))
    )`);
    // One generation per narration at a time; regenerations asked for meanwhile join the waiting one.
    await q.query(`CREATE UNIQUE INDEX narration_jobs_generate_key ON narration_jobs (narration_id) WHERE kind = 'generate' AND status IN ('pending', 'running')`);
    await q.query(`CREATE UNIQUE INDEX narration_jobs_regenerate_key ON narration_jobs (narration_id) WHERE kind = 'regenerate' AND status = 'pending'`);
    await q.query(`CREATE INDEX narration_jobs_due_idx ON narration_jobs (run_after, id) WHERE status IN ('pending', 'running')`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE narration_jobs`);
    await q.query(`DROP TABLE narration_segments`);
    await q.query(`DROP TABLE narrations`);
  }
}
