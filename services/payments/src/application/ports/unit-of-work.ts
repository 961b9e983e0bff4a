import type { Keyset } from '@storytelling/kernel';
import type { Payment } from '../../domain/index.js';

export interface RefundRecord {
  id: string;
  paymentId: string;
  sagaId: string | null;
  amountMinor: number;
  status: 'pending' | 'succeeded';
  providerRefundId: string | null;
  reason: string;
}

export interface StoredProviderEvent {
  provider: string;
  eventId: string;
  type: string;
  paymentId: string | null;
  payload: unknown;
  receivedAt: Date;
}

/** Payments, refunds and provider events through one transaction (or none: `reader`). */
export interface PaymentsStore {
  findPayment(id: string, options?: { lock?: boolean }): Promise<Payment | undefined>;
  findPaymentByProviderId(provider: string, providerPaymentId: string, options?: { lock?: boolean }): Promise<Payment | undefined>;
  /** Inserts the pending payment unless one with its id exists. @returns whether it was inserted. */
  insertPendingIfAbsent(payment: Payment): Promise<boolean>;
  /** Writes the payment's row and appends its pending events to the outbox (same transaction). */
  save(payment: Payment): Promise<void>;
  listByUser(userId: string, limit: number, after?: Keyset): Promise<Payment[]>;

  findRefund(paymentId: string, sagaId: string): Promise<RefundRecord | undefined>;
  insertRefundIfAbsent(refund: RefundRecord): Promise<void>;
  markRefundSucceeded(id: string, providerRefundId: string): Promise<void>;
  succeededRefundTotal(paymentId: string): Promise<number>;

  /** @returns false when this provider event id was seen before (a replay). */
  recordProviderEvent(event: StoredProviderEvent): Promise<boolean>;
  setProviderEventOutcome(provider: string, eventId: string, outcome: string, paymentId: string | null): Promise<void>;
}

/**
 * One database transaction: everything `work` does through `store`, including the outbox rows of
 * the payments it saves, commits or rolls back together.
 */
export interface PaymentsUnitOfWork {
  run<T>(work: (store: PaymentsStore) => Promise<T>): Promise<T>;
  /** The store outside any transaction (each statement commits on its own), for reads. */
  readonly reader: PaymentsStore;
}

export const PAYMENTS_UNIT_OF_WORK = Symbol('payments.PaymentsUnitOfWork');
