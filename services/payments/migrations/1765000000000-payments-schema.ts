import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * payments' own tables (schema = search_path). Money is bigint minor units + ISO currency, never
 * floats (docs/adr/0011-payments-idempotent-charges.md):
 * - `payments`: one row per ChargePayment payment id (the provider's idempotency key), written
 *   `pending` before the provider is called; `version` is the aggregate version (outbox);
 * - `refunds`: one per (payment, saga), `pending` before the provider call, its id the refund's key;
 * - `provider_events`: every verified webhook event, unique per (provider, event id): the dedupe.
 * Never edit this once shipped; add a migration.
 */
export class PaymentsSchema1765000000000 implements MigrationInterface {
  name = 'PaymentsSchema1765000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE payments (
        id                  uuid         NOT NULL,
        user_id             uuid         NOT NULL,
        subscription_id     varchar(64)  NOT NULL DEFAULT '',
        saga_id             uuid         NOT NULL,
        amount_minor        bigint       NOT NULL,
        currency            char(3)      NOT NULL,
        provider            varchar(32)  NOT NULL,
        provider_payment_id varchar(255),
        status              varchar(16)  NOT NULL,
        failure_reason      varchar(32),
        failure_message     varchar(500),
        refunded_minor      bigint       NOT NULL DEFAULT 0,
        description         varchar(500) NOT NULL DEFAULT '',
        settled_at          timestamptz,
        version             integer      NOT NULL DEFAULT 0,
        created_at          timestamptz  NOT NULL DEFAULT now(),
        updated_at          timestamptz  NOT NULL DEFAULT now(),
        CONSTRAINT payments_pkey PRIMARY KEY (id),
        CONSTRAINT payments_amount_check CHECK (amount_minor > 0),
        CONSTRAINT payments_currency_check CHECK (currency ~ '^[A-Z]{3}$'),
        CONSTRAINT payments_status_check CHECK (status IN ('pending', 'succeeded', 'failed', 'refunded')),
        CONSTRAINT payments_refunded_check CHECK (refunded_minor >= 0 AND refunded_minor <= amount_minor),
        CONSTRAINT payments_failure_check CHECK ((status = 'failed') = (failure_reason IS NOT NULL)),
        CONSTRAINT payments_version_check CHECK (version >= 0)
      )`);
    await q.query(`CREATE INDEX payments_user_created_idx ON payments (user_id, created_at DESC, id DESC)`);
    await q.query(`CREATE UNIQUE INDEX payments_provider_payment_idx ON payments (provider, provider_payment_id) WHERE provider_payment_id IS NOT NULL`);

    await q.query(`
      CREATE TABLE refunds (
        id                 uuid         NOT NULL,
        payment_id         uuid         NOT NULL REFERENCES payments (id) ON DELETE CASCADE,
        saga_id            uuid,
        amount_minor       bigint       NOT NULL,
        status             varchar(16)  NOT NULL,
        provider_refund_id varchar(255),
        reason             varchar(500) NOT NULL DEFAULT '',
        created_at         timestamptz  NOT NULL DEFAULT now(),
        updated_at         timestamptz  NOT NULL DEFAULT now(),
        CONSTRAINT refunds_pkey PRIMARY KEY (id),
        CONSTRAINT refunds_amount_check CHECK (amount_minor > 0),
        CONSTRAINT refunds_status_check CHECK (status IN ('pending', 'succeeded'))
      )`);
    await q.query(`CREATE UNIQUE INDEX refunds_payment_saga_idx ON refunds (payment_id, saga_id)`);

    await q.query(`
      CREATE TABLE provider_events (
        provider    varchar(32)  NOT NULL,
        event_id    varchar(255) NOT NULL,
        type        varchar(128) NOT NULL,
        payment_id  uuid,
        outcome     varchar(16)  NOT NULL DEFAULT 'received',
        payload     jsonb        NOT NULL,
        received_at timestamptz  NOT NULL DEFAULT now(),
        CONSTRAINT provider_events_pkey PRIMARY KEY (provider, event_id)
      )`);
    await q.query(`CREATE INDEX provider_events_payment_idx ON provider_events (payment_id) WHERE payment_id IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE provider_events`);
    await q.query(`DROP TABLE refunds`);
    await q.query(`DROP TABLE payments`);
  }
}
