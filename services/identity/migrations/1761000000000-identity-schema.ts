import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * identity's own tables (schema = search_path, so names are unqualified). Starting point: the
 * seed's identity tables, with these deliberate changes (ADR 0005):
 * - ids are uuid (UUIDv7 users; UUIDv5 roles, stable across environments);
 * - `oauth_providers` is `user_oauth_links` (provider, subject) unique, without provider_data
 *   (no provider tokens are kept);
 * - `permissions` + `role_permissions` fold into `role_permissions (role_id, resource, action)`:
 *   a permission has no life apart from a grant;
 * - `external_id` is dropped; `password_hash` (argon2id, nullable for OIDC-only accounts),
 *   `version` (optimistic concurrency, equal to the aggregate version) and `refresh_tokens` added;
 * - language is varchar(35) (BCP 47 tags can be longer than 10), timestamps are timestamptz.
 * Never edit this once shipped; add a migration.
 */
export class IdentitySchema1761000000000 implements MigrationInterface {
  name = 'IdentitySchema1761000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE roles (
        id          uuid         NOT NULL,
        name        varchar(100) NOT NULL,
        description text         NULL,
        is_system   boolean      NOT NULL DEFAULT false,
        version     integer      NOT NULL DEFAULT 0,
        created_at  timestamptz  NOT NULL DEFAULT now(),
        CONSTRAINT roles_pkey PRIMARY KEY (id),
        CONSTRAINT roles_name_key UNIQUE (name),
        CONSTRAINT roles_name_check CHECK (name IN ('member', 'admin', 'super-admin', 'customer-support', 'content-moderator')),
        CONSTRAINT roles_version_check CHECK (version >= 0)
      )`);

    await q.query(`
      CREATE TABLE users (
        id                uuid         NOT NULL,
        email             varchar(255) NOT NULL,
        password_hash     text         NULL,
        first_name        varchar(100) NULL,
        last_name         varchar(100) NULL,
        display_name      varchar(100) NOT NULL,
        profile_image_url varchar(500) NULL,
        role              varchar(50)  NOT NULL DEFAULT 'member',
        language          varchar(35)  NOT NULL DEFAULT 'en',
        is_active         boolean      NOT NULL DEFAULT true,
        version           integer      NOT NULL,
        created_at        timestamptz  NOT NULL DEFAULT now(),
        updated_at        timestamptz  NOT NULL DEFAULT now(),
        CONSTRAINT users_pkey PRIMARY KEY (id),
        CONSTRAINT users_email_key UNIQUE (email),
        CONSTRAINT users_email_lower_check CHECK (email = lower(email)),
        CONSTRAINT users_role_check CHECK (role IN ('member', 'admin', 'super-admin', 'customer-support', 'content-moderator')),
        CONSTRAINT users_role_fkey FOREIGN KEY (role) REFERENCES roles (name),
        CONSTRAINT users_version_check CHECK (version > 0)
      )`);
    // "how many active super-admins" is asked (and locked) on every super-admin demotion
    await q.query(`CREATE INDEX users_active_super_admins_idx ON users (id) WHERE role = 'super-admin' AND is_active`);

    await q.query(`
      CREATE TABLE user_oauth_links (
        id         uuid         NOT NULL DEFAULT gen_random_uuid(),
        user_id    uuid         NOT NULL,
        provider   varchar(50)  NOT NULL,
        subject    varchar(255) NOT NULL,
        linked_at  timestamptz  NOT NULL DEFAULT now(),
        CONSTRAINT user_oauth_links_pkey PRIMARY KEY (id),
        CONSTRAINT user_oauth_links_provider_subject_key UNIQUE (provider, subject),
        CONSTRAINT user_oauth_links_user_provider_key UNIQUE (user_id, provider),
        CONSTRAINT user_oauth_links_user_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
      )`);

    await q.query(`
      CREATE TABLE role_permissions (
        role_id    uuid         NOT NULL,
        resource   varchar(100) NOT NULL,
        action     varchar(50)  NOT NULL,
        granted_by uuid         NULL,
        granted_at timestamptz  NOT NULL DEFAULT now(),
        CONSTRAINT role_permissions_pkey PRIMARY KEY (role_id, resource, action),
        CONSTRAINT role_permissions_role_fkey FOREIGN KEY (role_id) REFERENCES roles (id)
      )`);

    await q.query(`
      CREATE TABLE refresh_tokens (
        id          uuid        NOT NULL,
        family_id   uuid        NOT NULL,
        user_id     uuid        NOT NULL,
        token_hash  char(64)    NOT NULL,
        issued_at   timestamptz NOT NULL,
        expires_at  timestamptz NOT NULL,
        rotated_at  timestamptz NULL,
        revoked_at  timestamptz NULL,
        CONSTRAINT refresh_tokens_pkey PRIMARY KEY (id),
        CONSTRAINT refresh_tokens_token_hash_key UNIQUE (token_hash),
        CONSTRAINT refresh_tokens_user_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
        CONSTRAINT refresh_tokens_expiry_check CHECK (expires_at > issued_at)
      )`);
    await q.query(`CREATE INDEX refresh_tokens_family_idx ON refresh_tokens (family_id)`);
    await q.query(`CREATE INDEX refresh_tokens_user_idx ON refresh_tokens (user_id)`);
    await q.query(`CREATE INDEX refresh_tokens_expires_at_idx ON refresh_tokens (expires_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS refresh_tokens`);
    await q.query(`DROP TABLE IF EXISTS role_permissions`);
    await q.query(`DROP TABLE IF EXISTS user_oauth_links`);
    await q.query(`DROP TABLE IF EXISTS users`);
    await q.query(`DROP TABLE IF EXISTS roles`);
  }
}
