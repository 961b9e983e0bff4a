import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The tiers of DOMAIN.md § Subscription (USD, minor units; yearly = 10 × monthly; NULL =
 * unlimited). A price change is a new migration, never an edit of this one.
 */
export class SubscriptionSeedTiers1762000000001 implements MigrationInterface {
  name = 'SubscriptionSeedTiers1762000000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      INSERT INTO tiers (id, name, rank, currency, price_monthly_minor, price_yearly_minor,
                         stories_per_month, narrations_per_month, videos_per_month, video_max_seconds, collaborators_per_story, voice_cloning)
      VALUES ('free',     'Free',     0, 'USD',    0,     0,    3,    3,  0,  0,    2, false),
             ('silver',   'Silver',   1, 'USD',  999,  9990,   10,   20,  0,  0,    5, true),
             ('gold',     'Gold',     2, 'USD', 1999, 19990,   30,   60, 10, 30,   10, true),
             ('platinum', 'Platinum', 3, 'USD', 3999, 39990, NULL, NULL, 40, 60, NULL, true)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM tiers WHERE id IN ('free', 'silver', 'gold', 'platinum')`);
  }
}
