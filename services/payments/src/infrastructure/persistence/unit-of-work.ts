import type { Clock } from '@storytelling/kernel';
import { RepositoryUnitOfWork, type EventStore, type UnitOfWork } from '@storytelling/platform';
import type { DataSource, EntityManager } from 'typeorm';
import type { PaymentsUnitOfWork } from '../../application/ports/index.js';
import type { PaymentsRepositories } from '../../domain/index.js';
import { SqlPaymentRepository } from './sql-payment.repository.js';
import { SqlProviderEventRepository } from './sql-provider-event.repository.js';
import { SqlRefundRepository } from './sql-refund.repository.js';

/** payments' repositories bound to the platform's UnitOfWork (one Postgres transaction, the ambient one if open). */
export function paymentsUnitOfWork(uow: UnitOfWork, events: EventStore, dataSource: DataSource, clock: Clock): PaymentsUnitOfWork {
  return new RepositoryUnitOfWork<PaymentsRepositories>(
    uow,
    dataSource,
    (tx: EntityManager): PaymentsRepositories => ({
      payments: new SqlPaymentRepository(tx, events, clock),
      refunds: new SqlRefundRepository(tx, clock),
      providerEvents: new SqlProviderEventRepository(tx),
    }),
  );
}
