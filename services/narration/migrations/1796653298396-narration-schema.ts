import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * narration's own tables (schema = search_path; the service's role owns it). Write the first
 * tables here until the service first ships; from then on never edit it: add a migration
 * (`<timestamp>-narration-<what>.ts`, listed in migrations/index.ts). Rows of aggregates carry
 * `version`, `created_at`, `updated_at` (the platform's VersionedRecord).
 */
export class NarrationSchema1796653298396 implements MigrationInterface {
  name = 'NarrationSchema1796653298396';

  async up(_q: QueryRunner): Promise<void> {
    // await _q.query(`CREATE TABLE ... (id uuid PRIMARY KEY, version integer NOT NULL, created_at timestamptz NOT NULL, updated_at timestamptz NOT NULL)`);
  }

  async down(_q: QueryRunner): Promise<void> {
    // await _q.query(`DROP TABLE ...`);
  }
}
