import { Column } from 'typeorm';

/**
 * The columns every aggregate's row carries: the aggregate version (kept in step with the
 * outbox's (aggregate_id, version)) and its timestamps. Entities extend it instead of
 * declaring the three columns again.
 */
export abstract class VersionedRecord {
  @Column({ type: 'integer' })
  version!: number;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
