import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * story's own tables (schema = search_path, so names are unqualified). Starting point: the
 * seed's storytelling tables, with these deliberate changes (docs/adr/0007-story.md):
 * - ids and author ids are uuid; timestamps timestamptz; language varchar(35) (BCP 47);
 * - `stories.is_published` is dropped (it is `status = 'published'`); `content_hash` is char(64);
 *   title/content lengths and the status set are CHECKed; `version` is the aggregate version;
 * - `authors` is the ACL copy of identity's users (display name only; `identity_version` orders
 *   identity's events, `version` counts the author's own follow events);
 * - `story_followers` (author, follower) and `analysis_jobs` (the durable analysis queue) are new;
 * - character, emotion and analysis rows get NOT NULLs, the role and emotion sets as CHECKs,
 *   a `position` (the analyser's order) and ON DELETE CASCADE to their story;
 *   `story_analyses` records which analyser produced it.
 * Never edit this once shipped; add a migration.
 */
export class StorySchema1764000000000 implements MigrationInterface {
  name = 'StorySchema1764000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE authors (
        id               uuid         NOT NULL,
        display_name     varchar(100) NOT NULL,
        is_active        boolean      NOT NULL DEFAULT true,
        identity_version integer      NOT NULL,
        version          integer      NOT NULL DEFAULT 0,
        created_at       timestamptz  NOT NULL DEFAULT now(),
        updated_at       timestamptz  NOT NULL DEFAULT now(),
        CONSTRAINT authors_pkey PRIMARY KEY (id),
        CONSTRAINT authors_identity_version_check CHECK (identity_version >= 1),
        CONSTRAINT authors_version_check CHECK (version >= 0)
      )`);

    await q.query(`
      CREATE TABLE stories (
        id           uuid         NOT NULL,
        title        varchar(500) NOT NULL,
        content      text         NOT NULL,
        content_hash char(64)     NOT NULL,
        author_id    uuid         NOT NULL,
        language     varchar(35)  NOT NULL DEFAULT 'en',
        status       varchar(20)  NOT NULL DEFAULT 'draft',
        published_at timestamptz  NULL,
        version      integer      NOT NULL,
        created_at   timestamptz  NOT NULL DEFAULT now(),
        updated_at   timestamptz  NOT NULL DEFAULT now(),
        CONSTRAINT stories_pkey PRIMARY KEY (id),
        CONSTRAINT stories_status_check CHECK (status IN ('draft', 'analyzing', 'analyzed', 'published', 'archived')),
        CONSTRAINT stories_title_check CHECK (char_length(title) BETWEEN 3 AND 500),
        CONSTRAINT stories_content_check CHECK (char_length(content) <= 200000),
        CONSTRAINT stories_content_hash_check CHECK (content_hash ~ '^[0-9a-f]{64}$'),
        CONSTRAINT stories_version_check CHECK (version > 0)
      )`);
    // Lists are newest first by (created_at, id): one author's stories, and everybody's published ones.
    await q.query(`CREATE INDEX stories_author_recent_idx ON stories (author_id, created_at DESC, id DESC)`);
    await q.query(`CREATE INDEX stories_published_recent_idx ON stories (created_at DESC, id DESC) WHERE status = 'published'`);

    await q.query(`
      CREATE TABLE story_characters (
        id          uuid         NOT NULL,
        story_id    uuid         NOT NULL,
        position    integer      NOT NULL,
        name        varchar(200) NOT NULL,
        description text         NOT NULL DEFAULT '',
        personality text         NOT NULL DEFAULT '',
        role        varchar(50)  NOT NULL,
        traits      jsonb        NOT NULL DEFAULT '[]',
        image_url   text         NULL,
        created_at  timestamptz  NOT NULL DEFAULT now(),
        CONSTRAINT story_characters_pkey PRIMARY KEY (id),
        CONSTRAINT story_characters_story_fkey FOREIGN KEY (story_id) REFERENCES stories (id) ON DELETE CASCADE,
        CONSTRAINT story_characters_story_position_key UNIQUE (story_id, position),
        CONSTRAINT story_characters_role_check CHECK (role IN ('protagonist', 'antagonist', 'supporting', 'narrator', 'other')),
        CONSTRAINT story_characters_traits_check CHECK (jsonb_typeof(traits) = 'array')
      )`);

    await q.query(`
      CREATE TABLE story_emotions (
        id            uuid         NOT NULL DEFAULT gen_random_uuid(),
        story_id      uuid         NOT NULL,
        position      integer      NOT NULL,
        emotion       varchar(100) NOT NULL,
        intensity     integer      NOT NULL,
        context       text         NOT NULL DEFAULT '',
        quote         text         NOT NULL DEFAULT '',
        segment_index integer      NOT NULL,
        created_at    timestamptz  NOT NULL DEFAULT now(),
        CONSTRAINT story_emotions_pkey PRIMARY KEY (id),
        CONSTRAINT story_emotions_story_fkey FOREIGN KEY (story_id) REFERENCES stories (id) ON DELETE CASCADE,
        CONSTRAINT story_emotions_story_position_key UNIQUE (story_id, position),
        CONSTRAINT story_emotions_emotion_check CHECK (emotion IN
          ('joy', 'sadness', 'anger', 'fear', 'surprise', 'disgust', 'contempt', 'love', 'curiosity', 'excitement', 'neutral')),
        CONSTRAINT story_emotions_intensity_check CHECK (intensity BETWEEN 1 AND 10),
        CONSTRAINT story_emotions_segment_check CHECK (segment_index >= 0)
      )`);

    await q.query(`
      CREATE TABLE story_analyses (
        id            uuid         NOT NULL DEFAULT gen_random_uuid(),
        story_id      uuid         NOT NULL,
        analysis_type varchar(20)  NOT NULL,
        analysis_data jsonb        NOT NULL,
        content_hash  char(64)     NOT NULL,
        analyser      varchar(100) NOT NULL,
        version       integer      NOT NULL DEFAULT 1,
        created_at    timestamptz  NOT NULL DEFAULT now(),
        CONSTRAINT story_analyses_pkey PRIMARY KEY (id),
        CONSTRAINT story_analyses_story_fkey FOREIGN KEY (story_id) REFERENCES stories (id) ON DELETE CASCADE,
        CONSTRAINT story_analyses_story_type_key UNIQUE (story_id, analysis_type),
        CONSTRAINT story_analyses_type_check CHECK (analysis_type IN ('characters', 'emotions'))
      )`);

    await q.query(`
      CREATE TABLE story_followers (
        author_id   uuid        NOT NULL,
        follower_id uuid        NOT NULL,
        followed_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT story_followers_pkey PRIMARY KEY (author_id, follower_id),
        CONSTRAINT story_followers_not_self_check CHECK (author_id <> follower_id)
      )`);
    await q.query(`CREATE INDEX story_followers_author_recent_idx ON story_followers (author_id, followed_at DESC, follower_id DESC)`);
    await q.query(`CREATE INDEX story_followers_follower_idx ON story_followers (follower_id)`);

    await q.query(`
      CREATE TABLE analysis_jobs (
        id                 uuid         NOT NULL,
        story_id           uuid         NOT NULL,
        content_hash       char(64)     NOT NULL,
        previous_status    varchar(20)  NOT NULL,
        status             varchar(20)  NOT NULL DEFAULT 'pending',
        attempts           integer      NOT NULL DEFAULT 0,
        run_after          timestamptz  NOT NULL DEFAULT now(),
        lease_owner        varchar(200) NULL,
        lease_expires_at   timestamptz  NULL,
        last_error_code    varchar(100) NULL,
        last_error_message text         NULL,
        created_at         timestamptz  NOT NULL DEFAULT now(),
        updated_at         timestamptz  NOT NULL DEFAULT now(),
        completed_at       timestamptz  NULL,
        CONSTRAINT analysis_jobs_pkey PRIMARY KEY (id),
        CONSTRAINT analysis_jobs_story_fkey FOREIGN KEY (story_id) REFERENCES stories (id) ON DELETE CASCADE,
        CONSTRAINT analysis_jobs_status_check CHECK (status IN ('pending', 'running', 'succeeded', 'failed', 'cancelled')),
        CONSTRAINT analysis_jobs_attempts_check CHECK (attempts >= 0),
        CONSTRAINT analysis_jobs_lease_check CHECK (status <> 'running' OR (lease_owner IS NOT NULL AND lease_expires_at IS NOT NULL))
      )`);
    // At most one active job per story; workers scan due and expired jobs through small partial indexes.
    await q.query(`CREATE UNIQUE INDEX analysis_jobs_active_story_key ON analysis_jobs (story_id) WHERE status IN ('pending', 'running')`);
    await q.query(`CREATE INDEX analysis_jobs_due_idx ON analysis_jobs (run_after) WHERE status = 'pending'`);
    await q.query(`CREATE INDEX analysis_jobs_lease_idx ON analysis_jobs (lease_expires_at) WHERE status = 'running'`);
    await q.query(`CREATE INDEX analysis_jobs_story_recent_idx ON analysis_jobs (story_id, created_at DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS analysis_jobs`);
    await q.query(`DROP TABLE IF EXISTS story_followers`);
    await q.query(`DROP TABLE IF EXISTS story_analyses`);
    await q.query(`DROP TABLE IF EXISTS story_emotions`);
    await q.query(`DROP TABLE IF EXISTS story_characters`);
    await q.query(`DROP TABLE IF EXISTS stories`);
    await q.query(`DROP TABLE IF EXISTS authors`);
  }
}
