import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The grace period after a refused renewal (ADR 0018): `dunning` (jsonb: unpaid period start,
 * tier, cycle, failed attempts, next retry, grace end, and `dueAt` for the scheduler's claim);
 * NULL when the subscription is not in dunning.
 */
export class SubscriptionDunning1762000000002 implements MigrationInterface {
  name = 'SubscriptionDunning1762000000002';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE subscriptions ADD COLUMN dunning jsonb NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE subscriptions DROP COLUMN dunning`);
  }
}
