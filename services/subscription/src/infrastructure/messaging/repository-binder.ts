import type { Clock } from '@storytelling/kernel';
import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { EventStore, SagaStore } from '@storytelling/platform';
import { CLOCK, type SubscriptionRepositories } from '../../application/ports/index.js';
import { TierCache, sqlRepositories } from '../persistence/repositories.js';

/** Binds the repositories to a transaction a consumer or poller already holds. */
@Injectable()
export class RepositoryBinder {
  private readonly tiers = new TierCache();

  constructor(
    @Inject(EventStore) private readonly events: EventStore,
    @Inject(SagaStore) private readonly sagas: SagaStore,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  bind(tx: EntityManager): SubscriptionRepositories {
    return sqlRepositories(tx, { events: this.events, clock: this.clock, sagas: this.sagas, tiers: this.tiers });
  }
}
