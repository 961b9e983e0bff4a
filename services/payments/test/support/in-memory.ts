import type { Clock, DomainEvent, Keyset } from '@storytelling/kernel';
import { FixedClock, VersionConflictError, uuidv7 } from '@storytelling/kernel';
import { InMemoryUnitOfWork } from '@storytelling/testing';
import type { ChargePaymentInput } from '../../src/application/index.js';
import {
  PAYMENT_AGGREGATE_TYPE,
  Payment,
  type PaymentRepository,
  type PaymentState,
  type PaymentsRepositories,
  type ProviderEventRepository,
  type RefundRecord,
  type RefundRepository,
  type StoredProviderEvent,
} from '../../src/domain/index.js';

export interface StoredEvent {
  aggregateType: string;
  event: DomainEvent;
}

/** payments' tables in memory: rows are replaced, never mutated, so a unit's copy is a copy of the maps. */
export interface PaymentsTables {
  payments: Map<string, { state: PaymentState; version: number }>;
  /** By refund id; (paymentId, sagaId) is unique, as in the schema. */
  refunds: Map<string, RefundRecord>;
  /** By `provider|eventId`, the schema's primary key. */
  providerEvents: Map<string, StoredProviderEvent & { outcome: string }>;
  outbox: StoredEvent[];
}

export type PaymentsUnitOfWorkInMemory = InMemoryUnitOfWork<PaymentsTables, PaymentsRepositories>;

const emptyTables = (): PaymentsTables => ({ payments: new Map(), refunds: new Map(), providerEvents: new Map(), outbox: [] });

const cloneTables = (t: PaymentsTables): PaymentsTables => ({
  payments: new Map(t.payments),
  refunds: new Map(t.refunds),
  providerEvents: new Map(t.providerEvents),
  outbox: [...t.outbox],
});

class InMemoryPayments implements PaymentRepository {
  constructor(
    private readonly t: PaymentsTables,
    private readonly clock: Clock,
  ) {}

  async find(id: string): Promise<Payment | undefined> {
    const row = this.t.payments.get(id);
    return row && Payment.restore(row.state, row.version, this.clock);
  }

  async findByProviderId(provider: string, providerPaymentId: string): Promise<Payment | undefined> {
    const row = [...this.t.payments.values()].find((r) => r.state.provider === provider && r.state.providerPaymentId === providerPaymentId);
    return row && Payment.restore(row.state, row.version, this.clock);
  }

  async insertPendingIfAbsent(payment: Payment): Promise<boolean> {
    if (this.t.payments.has(payment.id)) return false;
    this.t.payments.set(payment.id, { state: { ...payment.snapshot }, version: 0 });
    return true;
  }

  async save(payment: Payment): Promise<void> {
    const row = this.t.payments.get(payment.id);
    if (!row || row.version !== payment.loadedVersion) throw new VersionConflictError(payment.id, payment.loadedVersion);
    for (const event of payment.pendingEvents) this.t.outbox.push({ aggregateType: PAYMENT_AGGREGATE_TYPE, event });
    this.t.payments.set(payment.id, { state: { ...payment.snapshot }, version: payment.version });
    payment.markPersisted();
  }

  async listByUser(userId: string, limit: number, after?: Keyset): Promise<Payment[]> {
    const newestFirst = (a: PaymentState, b: PaymentState) => b.createdAt.getTime() - a.createdAt.getTime() || b.id.localeCompare(a.id);
    const before = (s: PaymentState) => !after || s.createdAt.getTime() < after.at.getTime() || (s.createdAt.getTime() === after.at.getTime() && s.id < after.id);
    return [...this.t.payments.values()]
      .filter((r) => r.state.userId === userId && before(r.state))
      .sort((a, b) => newestFirst(a.state, b.state))
      .slice(0, limit)
      .map((r) => Payment.restore(r.state, r.version, this.clock));
  }

  async forgetUserDetails(userId: string): Promise<string[]> {
    const mine = [...this.t.payments.values()].filter((r) => r.state.userId === userId);
    for (const r of mine) this.t.payments.set(r.state.id, { ...r, state: { ...r.state, description: '', failureMessage: null } });
    return mine.map((r) => r.state.id);
  }
}

class InMemoryRefunds implements RefundRepository {
  constructor(private readonly t: PaymentsTables) {}

  async find(paymentId: string, sagaId: string): Promise<RefundRecord | undefined> {
    return [...this.t.refunds.values()].find((r) => r.paymentId === paymentId && r.sagaId === sagaId);
  }

  async insertPendingIfAbsent(refund: RefundRecord): Promise<RefundRecord> {
    const stored = refund.sagaId === null ? undefined : await this.find(refund.paymentId, refund.sagaId);
    if (stored) return stored;
    const pending: RefundRecord = { ...refund, status: 'pending', providerRefundId: null };
    this.t.refunds.set(refund.id, pending);
    return pending;
  }

  async saveSucceeded(refund: RefundRecord, providerRefundId: string): Promise<void> {
    this.t.refunds.set(refund.id, { ...refund, status: 'succeeded', providerRefundId });
  }

  async succeededTotal(paymentId: string): Promise<number> {
    return [...this.t.refunds.values()].filter((r) => r.paymentId === paymentId && r.status === 'succeeded').reduce((sum, r) => sum + r.amountMinor, 0);
  }

  async forgetReasons(paymentIds: readonly string[]): Promise<void> {
    for (const r of [...this.t.refunds.values()]) if (paymentIds.includes(r.paymentId)) this.t.refunds.set(r.id, { ...r, reason: '' });
  }
}

class InMemoryProviderEvents implements ProviderEventRepository {
  constructor(private readonly t: PaymentsTables) {}

  async record(event: StoredProviderEvent): Promise<boolean> {
    const key = `${event.provider}|${event.eventId}`;
    if (this.t.providerEvents.has(key)) return false;
    this.t.providerEvents.set(key, { ...event, outcome: 'received' });
    return true;
  }

  async setOutcome(provider: string, eventId: string, outcome: string, paymentId: string | null): Promise<void> {
    const key = `${provider}|${eventId}`;
    const row = this.t.providerEvents.get(key);
    if (row) this.t.providerEvents.set(key, { ...row, outcome, paymentId: paymentId ?? row.paymentId });
  }

  async forgetPayloads(paymentIds: readonly string[]): Promise<void> {
    for (const [key, e] of [...this.t.providerEvents]) if (e.paymentId !== null && paymentIds.includes(e.paymentId)) this.t.providerEvents.set(key, { ...e, payload: {} });
  }
}

/** payments' UnitOfWorkPort over in-memory tables (rolls back on a throw; `requires_new` commits on its own). */
export function inMemoryPayments(clock: Clock = fixedClock()): PaymentsUnitOfWorkInMemory {
  return new InMemoryUnitOfWork<PaymentsTables, PaymentsRepositories>(emptyTables(), cloneTables, (t) => ({
    payments: new InMemoryPayments(t, clock),
    refunds: new InMemoryRefunds(t),
    providerEvents: new InMemoryProviderEvents(t),
  }));
}

/** The events committed to the outbox, optionally of one type (and one payment). */
export function outboxEvents(uow: PaymentsUnitOfWorkInMemory, type?: string, paymentId?: string): DomainEvent[] {
  return uow.tables.outbox.map((s) => s.event).filter((e) => (!type || e.type === type) && (!paymentId || e.aggregateId === paymentId));
}

/** The committed state of a payment. */
export function paymentRow(uow: PaymentsUnitOfWorkInMemory, id: string): PaymentState & { version: number } {
  const row = uow.tables.payments.get(id);
  if (!row) throw new Error(`no payment ${id}`);
  return { ...row.state, version: row.version };
}

export function fixedClock(iso = '2026-11-20T10:00:00.000Z'): FixedClock {
  return new FixedClock(new Date(iso));
}

/** A valid ChargePayment as a saga sends it (fresh ids; sandbox token tok_visa). */
export function chargeInput(overrides: Partial<ChargePaymentInput> = {}): ChargePaymentInput {
  return {
    sagaId: uuidv7(),
    paymentId: uuidv7(),
    userId: uuidv7(),
    subscriptionId: uuidv7(),
    amountMinor: '999',
    currency: 'USD',
    paymentMethod: 'tok_visa',
    description: 'silver, monthly',
    ...overrides,
  };
}
