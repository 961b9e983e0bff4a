import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The sandbox provider's own books (docs/payments.md): what a real provider keeps on its side, so a
 * charge or refund replayed after a restart is answered from here instead of being made twice.
 * Keyed by the idempotency key we send (the payment id; the refund id). Only the sandbox adapter
 * writes them; with PAYMENTS_PROVIDER=stripe they stay empty.
 * - `sandbox_charges`: the outcome given (jsonb ChargeResult), the parameters' fingerprint (a key
 *   reused with other parameters is refused) and how much of a succeeded charge was refunded;
 * - `sandbox_refunds`: the refund given, with its fingerprint.
 */
export class SandboxLedger1766000000000 implements MigrationInterface {
  name = 'SandboxLedger1766000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE sandbox_charges (
        idempotency_key     varchar(255) NOT NULL,
        fingerprint         varchar(600) NOT NULL,
        outcome             jsonb        NOT NULL,
        provider_payment_id varchar(255),
        amount_minor        bigint       NOT NULL,
        refunded_minor      bigint       NOT NULL DEFAULT 0,
        created_at          timestamptz  NOT NULL DEFAULT now(),
        CONSTRAINT sandbox_charges_pkey PRIMARY KEY (idempotency_key),
        CONSTRAINT sandbox_charges_refunded_check CHECK (refunded_minor >= 0 AND refunded_minor <= amount_minor)
      )`);
    await q.query(`CREATE INDEX sandbox_charges_provider_payment_idx ON sandbox_charges (provider_payment_id) WHERE provider_payment_id IS NOT NULL`);
    await q.query(`
      CREATE TABLE sandbox_refunds (
        idempotency_key     varchar(255) NOT NULL,
        fingerprint         varchar(600) NOT NULL,
        provider_payment_id varchar(255) NOT NULL,
        provider_refund_id  varchar(255) NOT NULL,
        amount_minor        bigint       NOT NULL,
        created_at          timestamptz  NOT NULL DEFAULT now(),
        CONSTRAINT sandbox_refunds_pkey PRIMARY KEY (idempotency_key)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE sandbox_refunds`);
    await q.query(`DROP TABLE sandbox_charges`);
  }
}
