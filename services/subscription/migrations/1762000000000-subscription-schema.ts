import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * subscription's tables (schema = search_path). From the seed's subscription tables, with:
 * ids uuid, money as integer minor units (bigint) + currency, limits NULL = unlimited,
 * one subscription per user (the ACL creates it), the tier change in flight as `pending_change`
 * (jsonb: tier, cycle, status, effective time, failure reason, saga id), usage counted per
 * (subscription, resource, usage window) with `used` and `reserved` kept apart, and reservations
 * as rows (idempotent by their id). docs/adr/0009-subscription.md.
 */
export class SubscriptionSchema1762000000000 implements MigrationInterface {
  name = 'SubscriptionSchema1762000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE tiers (
        id                      text        NOT NULL,
        name                    text        NOT NULL,
        rank                    integer     NOT NULL,
        currency                char(3)     NOT NULL,
        price_monthly_minor     bigint      NOT NULL,
        price_yearly_minor      bigint      NOT NULL,
        stories_per_month       integer     NULL,
        narrations_per_month    integer     NULL,
        videos_per_month        integer     NULL,
        video_max_seconds       integer     NULL,
        collaborators_per_story integer     NULL,
        voice_cloning           boolean     NOT NULL,
        CONSTRAINT tiers_pkey PRIMARY KEY (id),
        CONSTRAINT tiers_rank_key UNIQUE (rank),
        CONSTRAINT tiers_prices_check CHECK (price_monthly_minor >= 0 AND price_yearly_minor >= 0),
        CONSTRAINT tiers_limits_check CHECK (
          coalesce(stories_per_month, 0) >= 0 AND coalesce(narrations_per_month, 0) >= 0 AND coalesce(videos_per_month, 0) >= 0
          AND coalesce(video_max_seconds, 0) >= 0 AND coalesce(collaborators_per_story, 0) >= 0)
      )`);
    await q.query(`
      CREATE TABLE subscriptions (
        id                   uuid        NOT NULL,
        user_id              uuid        NOT NULL,
        tier                 text        NOT NULL REFERENCES tiers (id),
        status               text        NOT NULL,
        billing_cycle        text        NOT NULL,
        current_period_start timestamptz NOT NULL,
        current_period_end   timestamptz NOT NULL,
        cancel_at_period_end boolean     NOT NULL DEFAULT false,
        pending_change       jsonb       NULL,
        payment_method       text        NULL,
        version              integer     NOT NULL DEFAULT 0,
        created_at           timestamptz NOT NULL DEFAULT now(),
        updated_at           timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT subscriptions_pkey PRIMARY KEY (id),
        CONSTRAINT subscriptions_user_key UNIQUE (user_id),
        CONSTRAINT subscriptions_status_check CHECK (status IN ('pending', 'active', 'payment_failed', 'cancelled', 'expired', 'suspended')),
        CONSTRAINT subscriptions_cycle_check CHECK (billing_cycle IN ('monthly', 'yearly')),
        CONSTRAINT subscriptions_period_check CHECK (current_period_end > current_period_start),
        CONSTRAINT subscriptions_version_check CHECK (version >= 0)
      )`);
    // The renewal scheduler walks live subscriptions by period end.
    await q.query(`CREATE INDEX subscriptions_period_end_idx ON subscriptions (current_period_end) WHERE status IN ('active', 'payment_failed')`);
    await q.query(`
      CREATE TABLE usage_counters (
        subscription_id uuid        NOT NULL REFERENCES subscriptions (id),
        resource        text        NOT NULL,
        period_start    timestamptz NOT NULL,
        period_end      timestamptz NOT NULL,
        used            integer     NOT NULL DEFAULT 0,
        reserved        integer     NOT NULL DEFAULT 0,
        CONSTRAINT usage_counters_pkey PRIMARY KEY (subscription_id, resource, period_start),
        CONSTRAINT usage_counters_resource_check CHECK (resource IN ('stories', 'narrations', 'videos')),
        CONSTRAINT usage_counters_amounts_check CHECK (used >= 0 AND reserved >= 0)
      )`);
    await q.query(`
      CREATE TABLE usage_reservations (
        id              uuid        NOT NULL,
        subscription_id uuid        NOT NULL REFERENCES subscriptions (id),
        user_id         uuid        NOT NULL,
        resource        text        NOT NULL,
        amount          integer     NOT NULL,
        period_start    timestamptz NOT NULL,
        status          text        NOT NULL,
        saga_id         uuid        NULL,
        expires_at      timestamptz NOT NULL,
        created_at      timestamptz NOT NULL,
        updated_at      timestamptz NOT NULL,
        CONSTRAINT usage_reservations_pkey PRIMARY KEY (id),
        CONSTRAINT usage_reservations_status_check CHECK (status IN ('reserved', 'committed', 'released', 'expired', 'refused')),
        CONSTRAINT usage_reservations_amount_check CHECK (amount > 0)
      )`);
    await q.query(`CREATE INDEX usage_reservations_expiry_idx ON usage_reservations (expires_at) WHERE status = 'reserved'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS usage_reservations`);
    await q.query(`DROP TABLE IF EXISTS usage_counters`);
    await q.query(`DROP TABLE IF EXISTS subscriptions`);
    await q.query(`DROP TABLE IF EXISTS tiers`);
  }
}
