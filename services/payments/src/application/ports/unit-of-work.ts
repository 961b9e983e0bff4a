import type { UnitOfWorkPort } from '@storytelling/kernel';
import type { PaymentsRepositories } from '../../domain/index.js';

/**
 * payments' repositories bound to one database transaction: everything `run`'s work does,
 * including the outbox rows of the payments it saves, commits or rolls back together. `run`
 * joins the transaction it is called in (the consumer's inbox transaction) unless told
 * `requires_new`; `reader` reads in that transaction if there is one.
 */
export type PaymentsUnitOfWork = UnitOfWorkPort<PaymentsRepositories>;

export const PAYMENTS_UNIT_OF_WORK = Symbol('payments.PaymentsUnitOfWork');
