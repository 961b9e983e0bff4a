import type { UnitOfWorkPort } from '@storytelling/kernel';
import type { DunningPolicy, SubscriptionRepository, TierCatalog, UsageResource, Window } from '../../domain/index.js';

export const SUBSCRIPTION_UNIT_OF_WORK = Symbol('subscription.UnitOfWork');
export const SUBSCRIPTION_SETTINGS = Symbol('subscription.Settings');

export interface SubscriptionSettings {
  /** How long a charge may take before the saga gives up and refunds whatever happens (ms). */
  chargeTimeoutMs: number;
  /** How long a refund may take before the saga is marked failed for an operator (ms). */
  refundTimeoutMs: number;
  /** Default lifetime of a usage reservation (s). */
  reservationTtlSeconds: number;
  /** Scheduler and sweeper cadence (ms); 0 disables the loops (tests drive them). */
  schedulerIntervalMs: number;
  /** Grace period and retry schedule after a refused renewal (ADR 0018). */
  dunning: DunningPolicy;
}

export interface Reservation {
  id: string;
  subscriptionId: string;
  userId: string;
  resource: UsageResource;
  amount: number;
  periodStart: Date;
  status: 'reserved' | 'committed' | 'released' | 'expired' | 'refused';
  sagaId: string | null;
  expiresAt: Date;
}

export interface CounterValues {
  used: number;
  reserved: number;
}

/** Usage rows of one transaction. Every method that changes a counter locks its row. */
export interface UsageLedger {
  counters(subscriptionId: string, window: Window): Promise<Record<UsageResource, CounterValues>>;
  /**
   * One statement: adds `amount` to `reserved` only if used + reserved + amount ≤ limit (or no
   * limit). @returns the counter after (reserved) or as it stands (refused).
   */
  tryReserve(subscriptionId: string, resource: UsageResource, window: Window, amount: number, limit: number | null): Promise<{ ok: boolean } & CounterValues>;
  /** Adds to `used` unconditionally (counted use: it already happened). */
  addUsed(subscriptionId: string, resource: UsageResource, window: Window, amount: number): Promise<CounterValues>;
  /** Moves `amount` from reserved to used (committed) or drops it (released/expired). */
  settle(reservation: Reservation, outcome: 'committed' | 'released' | 'expired'): Promise<CounterValues>;
  findReservation(id: string, options?: { lock?: boolean }): Promise<Reservation | undefined>;
  insertReservation(reservation: Reservation): Promise<void>;
  setReservationStatus(id: string, status: Reservation['status']): Promise<void>;
  /** Open reservations past their expiry, locked SKIP LOCKED (replicas split the sweep). */
  claimExpired(now: Date, limit: number): Promise<Reservation[]>;
  /** Appends a usage event on the subscription's stream (takes the next version under the row lock). */
  emit(subscriptionId: string, type: string, data: Record<string, unknown>): Promise<void>;
}

/** Everything one transaction can touch. */
export interface SubscriptionRepositories {
  subscriptions: SubscriptionRepository;
  tiers: TierCatalog;
  usage: UsageLedger;
  /** Idempotency-Key support: runs `work` once per (principal, scope, key) in this transaction. */
  idempotent<T>(request: { scope: string; principal: string; body: unknown }, work: () => Promise<T>): Promise<T>;
}

/** One transaction over the repositories; joins the one a consumer or worker already runs in. */
export type SubscriptionUnitOfWork = UnitOfWorkPort<SubscriptionRepositories>;
