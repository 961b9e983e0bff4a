import type { Keyset } from '@storytelling/kernel';
import type { SelectQueryBuilder } from 'typeorm';

/** Newest first by (created_at, id), strictly after the keyset cursor: the fleet's list order. */
export function keysetPage<T extends { createdAt: Date; id: string }>(qb: SelectQueryBuilder<T>, alias: string, limit: number, after: Keyset | undefined): SelectQueryBuilder<T> {
  if (after) qb.andWhere(`(${alias}.createdAt, ${alias}.id) < (CAST(:afterAt AS timestamptz), CAST(:afterId AS uuid))`, { afterAt: after.at, afterId: after.id });
  return qb.orderBy(`${alias}.createdAt`, 'DESC').addOrderBy(`${alias}.id`, 'DESC').limit(limit);
}
