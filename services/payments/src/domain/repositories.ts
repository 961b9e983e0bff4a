import type { Keyset } from '@storytelling/kernel';
import type { Payment } from './payment.js';

/** A refund of a payment, one per (payment, saga): `pending` before the provider is called. */
export interface RefundRecord {
  id: string;
  paymentId: string;
  sagaId: string | null;
  amountMinor: number;
  status: 'pending' | 'succeeded';
  providerRefundId: string | null;
  reason: string;
}

/** A provider webhook event as received (the dedupe key is provider + event id). */
export interface StoredProviderEvent {
  provider: string;
  eventId: string;
  type: string;
  paymentId: string | null;
  payload: unknown;
  receivedAt: Date;
}

/**
 * Repository ports. An instance is bound to one transaction (application/ports
 * PaymentsUnitOfWork): saving a payment writes its row and appends its pending events to the
 * outbox in that same transaction.
 */
export interface PaymentRepository {
  /** With `lock`, the row stays locked (FOR NO KEY UPDATE) until the transaction ends. */
  find(id: string, options?: { lock?: boolean }): Promise<Payment | undefined>;
  findByProviderId(provider: string, providerPaymentId: string, options?: { lock?: boolean }): Promise<Payment | undefined>;
  /** Inserts the pending payment unless one with its id exists. @returns whether it was inserted. */
  insertPendingIfAbsent(payment: Payment): Promise<boolean>;
  /** Writes the payment at its loaded version and appends its pending events. @throws VersionConflictError */
  save(payment: Payment): Promise<void>;
  /** The user's payments, newest first (created_at, id), after the keyset if given. */
  listByUser(userId: string, limit: number, after?: Keyset): Promise<Payment[]>;
  /**
   * Erasure (identity's UserDeactivated): blanks what accounting does not need (the description,
   * the provider's failure message) on every payment of the user. Amounts, currency, dates,
   * statuses and provider ids stay. @returns the ids of the user's payments.
   */
  forgetUserDetails(userId: string): Promise<string[]>;
}

export interface RefundRepository {
  find(paymentId: string, sagaId: string): Promise<RefundRecord | undefined>;
  /** Inserts the pending refund unless its (payment, saga) has one. @returns the refund stored for them. */
  insertPendingIfAbsent(refund: RefundRecord): Promise<RefundRecord>;
  /**
   * Stores the refund as succeeded at the provider: an upsert, so it does not depend on the
   * caller's transaction seeing the pending row another transaction committed meanwhile
   * (READ COMMITTED does; a snapshot, like the in-memory unit of work's, does not).
   */
  saveSucceeded(refund: RefundRecord, providerRefundId: string): Promise<void>;
  /** What the succeeded refunds of the payment add up to (minor units). */
  succeededTotal(paymentId: string): Promise<number>;
  /** Erasure: blanks the free-text reason of these payments' refunds. */
  forgetReasons(paymentIds: readonly string[]): Promise<void>;
}

export interface ProviderEventRepository {
  /** @returns false when this provider event id was seen before (a replay). */
  record(event: StoredProviderEvent): Promise<boolean>;
  setOutcome(provider: string, eventId: string, outcome: string, paymentId: string | null): Promise<void>;
  /** Erasure: empties the stored webhook payloads of these payments (type, ids and times stay). */
  forgetPayloads(paymentIds: readonly string[]): Promise<void>;
}

export interface PaymentsRepositories {
  payments: PaymentRepository;
  refunds: RefundRepository;
  providerEvents: ProviderEventRepository;
}
