import type { Clock } from '@storytelling/kernel';
import { RepositoryUnitOfWork, withIdempotency, type EventStore, type IdempotencyOptions, type IdempotentRequest, type UnitOfWork } from '@storytelling/platform';
import type { DataSource, EntityManager } from 'typeorm';
import type { IdentityUnitOfWork } from '../../application/ports/index.js';
import type { IdentityRepositories } from '../../domain/index.js';
import { SqlAccessTokenRevocationRepository, SqlRefreshTokenRepository } from './sql-refresh-token.repository.js';
import { SqlRoleRepository } from './sql-role.repository.js';
import { SqlUserRepository } from './sql-user.repository.js';

/** identity's repositories writing through `em` (a transaction's manager, or the pool's for reads). */
export function sqlRepositories(em: EntityManager, events: EventStore, clock: Clock): IdentityRepositories {
  return {
    users: new SqlUserRepository(em, events, clock),
    roles: new SqlRoleRepository(em, events, clock),
    refreshTokens: new SqlRefreshTokenRepository(em),
    revocations: new SqlAccessTokenRevocationRepository(em),
  };
}

/**
 * identity's repositories bound to the platform's UnitOfWork (one Postgres transaction, joined
 * when one is already open in the async context), plus the Idempotency-Key guard of Register.
 */
export class SqlIdentityUnitOfWork extends RepositoryUnitOfWork<IdentityRepositories> implements IdentityUnitOfWork {
  constructor(
    private readonly transactions: UnitOfWork,
    dataSource: DataSource,
    private readonly repositoriesIn: (em: EntityManager) => IdentityRepositories,
  ) {
    super(transactions, dataSource, repositoriesIn);
  }

  runIdempotent<T>(request: IdempotentRequest, work: (repos: IdentityRepositories) => Promise<T>, options?: IdempotencyOptions<T>): Promise<T> {
    return this.transactions.run((tx) => withIdempotency(tx, request, () => work(this.repositoriesIn(tx)), options));
  }
}

export function identityUnitOfWork(uow: UnitOfWork, events: EventStore, dataSource: DataSource, clock: Clock): IdentityUnitOfWork {
  return new SqlIdentityUnitOfWork(uow, dataSource, (em) => sqlRepositories(em, events, clock));
}
