import type { Clock } from '@storytelling/kernel';
import { RepositoryUnitOfWork, withIdempotency, type EventStore, type UnitOfWork } from '@storytelling/platform';
import type { DataSource, EntityManager } from 'typeorm';
import type { NarrationUnitOfWork } from '../../application/ports/index.js';
import type { NarrationRepositories } from '../../domain/index.js';
import { SqlNarrationJobRepository } from './sql-narration-job.repository.js';
import { SqlNarrationRepository } from './sql-narration.repository.js';
import { SqlVoiceTrainingJobRepository } from './sql-voice-training-job.repository.js';
import { SqlVoiceRepository } from './sql-voice.repository.js';

/** narration's repositories over one EntityManager (a transaction's, or the pool's). */
export function sqlRepositories(tx: EntityManager, events: EventStore, clock: Clock): NarrationRepositories {
  return {
    voices: new SqlVoiceRepository(tx, events, clock),
    voiceTrainingJobs: new SqlVoiceTrainingJobRepository(tx),
    narrations: new SqlNarrationRepository(tx, events, clock),
    narrationJobs: new SqlNarrationJobRepository(tx),
  };
}

/**
 * narration's repositories bound to the platform's UnitOfWork (one Postgres transaction, the
 * ambient one if open), and `runIdempotent`: the platform's withIdempotency in that transaction
 * (the key row of `idempotency_keys` commits or rolls back with the effect, ADR 0015).
 * Repositories that save aggregates also take the EventStore (outbox) and CLOCK: add them to this
 * factory's parameters and to `inject` in narration.module.ts.
 */
export function narrationUnitOfWork(uow: UnitOfWork, events: EventStore, dataSource: DataSource, clock: Clock): NarrationUnitOfWork {
  const bind = (tx: EntityManager): NarrationRepositories => sqlRepositories(tx, events, clock);
  const repositories = new RepositoryUnitOfWork<NarrationRepositories>(uow, dataSource, bind);
  return {
    get reader() {
      return repositories.reader;
    },
    run: (work, options) => repositories.run(work, options),
    runIdempotent: (request, work, { propagation, ...options } = {}) =>
      uow.run((tx) => withIdempotency(tx, request, () => work(bind(tx)), options), propagation ? { propagation } : {}),
  };
}
