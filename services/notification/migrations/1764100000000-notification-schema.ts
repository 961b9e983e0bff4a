import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * notification's tables (schema = search_path):
 * - `recipients`: ACL copy of identity's users plus their preferences (jsonb, validated by the domain);
 * - `notifications`: one per (source event, recipient); the in-app copy (title/body/link, read_at)
 *   and the aggregate whose `version` numbers its NotificationSent/Failed events in the outbox;
 * - `deliveries`: one per (source event, recipient, channel), the unique key that makes redelivered
 *   events send nothing twice; the sender loop claims due rows with SKIP LOCKED.
 * Never edit this once shipped; add a migration.
 */
export class NotificationSchema1764100000000 implements MigrationInterface {
  name = 'NotificationSchema1764100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE recipients (
        id               uuid         NOT NULL,
        email            varchar(320) NULL,
        display_name     varchar(100) NULL,
        language         varchar(35)  NOT NULL DEFAULT 'en',
        active           boolean      NOT NULL DEFAULT true,
        identity_version integer      NOT NULL,
        preferences      jsonb        NOT NULL,
        version          integer      NOT NULL DEFAULT 1,
        created_at       timestamptz  NOT NULL DEFAULT now(),
        updated_at       timestamptz  NOT NULL DEFAULT now(),
        CONSTRAINT recipients_pkey PRIMARY KEY (id),
        CONSTRAINT recipients_erased_check CHECK (active OR (email IS NULL AND display_name IS NULL))
      )`);
    await q.query(`
      CREATE TABLE notifications (
        id              uuid        NOT NULL,
        recipient_id    uuid        NOT NULL,
        type            varchar(40) NOT NULL,
        source_event_id uuid        NOT NULL,
        data            jsonb       NOT NULL,
        in_app          boolean     NOT NULL DEFAULT false,
        title           text        NULL,
        body            text        NULL,
        link            text        NULL,
        read_at         timestamptz NULL,
        version         integer     NOT NULL DEFAULT 0,
        created_at      timestamptz NOT NULL,
        updated_at      timestamptz NOT NULL,
        CONSTRAINT notifications_pkey PRIMARY KEY (id),
        CONSTRAINT notifications_source_recipient_key UNIQUE (source_event_id, recipient_id)
      )`);
    await q.query(`CREATE INDEX notifications_in_app_recent_idx ON notifications (recipient_id, created_at DESC, id DESC) WHERE in_app`);
    await q.query(`
      CREATE TABLE deliveries (
        id                  uuid        NOT NULL,
        notification_id     uuid        NOT NULL REFERENCES notifications (id) ON DELETE CASCADE,
        recipient_id        uuid        NOT NULL,
        type                varchar(40) NOT NULL,
        channel             varchar(10) NOT NULL,
        source_event_id     uuid        NOT NULL,
        status              varchar(10) NOT NULL,
        attempts            integer     NOT NULL DEFAULT 0,
        last_error          text        NULL,
        provider_message_id text        NULL,
        next_attempt_at     timestamptz NULL,
        sent_at             timestamptz NULL,
        created_at          timestamptz NOT NULL,
        updated_at          timestamptz NOT NULL,
        CONSTRAINT deliveries_pkey PRIMARY KEY (id),
        CONSTRAINT deliveries_once_key UNIQUE (source_event_id, recipient_id, channel),
        CONSTRAINT deliveries_channel_check CHECK (channel IN ('email', 'sms', 'in_app')),
        CONSTRAINT deliveries_status_check CHECK (status IN ('pending', 'scheduled', 'sent', 'failed', 'skipped'))
      )`);
    await q.query(`CREATE INDEX deliveries_due_idx ON deliveries (next_attempt_at) WHERE status IN ('pending', 'scheduled')`);
    await q.query(`CREATE INDEX deliveries_recipient_idx ON deliveries (recipient_id, created_at DESC, id DESC)`);
    await q.query(`CREATE INDEX deliveries_source_idx ON deliveries (source_event_id, created_at DESC, id DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE deliveries`);
    await q.query(`DROP TABLE notifications`);
    await q.query(`DROP TABLE recipients`);
  }
}
