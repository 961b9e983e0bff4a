import { AggregateRoot, type Clock } from '@storytelling/kernel';
import { SubscriptionChangePendingError, SubscriptionInactiveError, SubscriptionNotCancellableError, AlreadySubscribedError, TierNotPurchasableError } from './errors.js';
import { SubscriptionEventTypes as T, type CancelReason } from './events.js';
import { dunningDueAt, graceEnd, nextRetry, type Dunning, type DunningPolicy } from './dunning.js';
import { periodEnd, proRataMinor } from './period.js';
import { FREE_TIER, isFree, priceFor, type BillingCycle, type Tier } from './tier.js';

export type SubscriptionStatus = 'pending' | 'active' | 'payment_failed' | 'cancelled' | 'expired' | 'suspended';

/** A tier change in flight (payment_pending: the saga runs; scheduled: at period end; payment_failed: the last try). */
export interface PendingChange {
  tier: string;
  billingCycle: BillingCycle;
  status: 'payment_pending' | 'scheduled' | 'payment_failed';
  effectiveAt: Date | null;
  failureReason: string | null;
  sagaId: string | null;
}

export interface SubscriptionState {
  id: string;
  userId: string;
  tier: string;
  status: SubscriptionStatus;
  billingCycle: BillingCycle;
  currentPeriodStart: Date;
  currentPeriodEnd: Date;
  cancelAtPeriodEnd: boolean;
  pendingChange: PendingChange | null;
  /** The provider reference last paid with (renewals charge it again); never card data. */
  paymentMethod: string | null;
  /** A refused renewal being retried (status payment_failed, the paid tier kept); null otherwise. */
  dunning: Dunning | null;
  createdAt: Date;
  updatedAt: Date;
}

/** What a requested change leads to. */
export type ChangePlan =
  | { kind: 'charge'; reason: 'new' | 'upgrade'; amountMinor: number; currency: string; periodStart: Date; periodEnd: Date; keepsPeriod: boolean }
  | { kind: 'scheduled'; effectiveAt: Date };

/** What the saga activates on success (kept in its state). */
export interface Activation {
  tier: string;
  billingCycle: BillingCycle;
  periodStart: Date;
  periodEnd: Date;
  paymentId: string;
  amountMinor: number;
  currency: string;
  /** renewal: the next period of the same subscription; change: a new tier/cycle. */
  renewal: boolean;
}

const iso = (d: Date) => d.toISOString();

/**
 * A user's subscription (one per user). Free for everyone from registration; a paid tier is in
 * force only after its charge succeeded; downgrades and cancellation wait for the period end.
 * Every state change records its event; the row's version is the event stream's version.
 */
export class Subscription extends AggregateRoot {
  private constructor(
    private s: SubscriptionState,
    version: number,
    clock: Clock,
  ) {
    super(s.id, version, clock);
  }

  static rehydrate(state: SubscriptionState, version: number, clock: Clock): Subscription {
    return new Subscription({ ...state }, version, clock);
  }

  /** The free subscription every registered user gets; monthly periods from `registeredAt`. */
  static createFree(id: string, userId: string, registeredAt: Date, clock: Clock): Subscription {
    const now = clock.now();
    const sub = new Subscription(
      {
        id,
        userId,
        tier: FREE_TIER,
        status: 'active',
        billingCycle: 'monthly',
        currentPeriodStart: registeredAt,
        currentPeriodEnd: periodEnd(registeredAt, 'monthly'),
        cancelAtPeriodEnd: false,
        pendingChange: null,
        paymentMethod: null,
        dunning: null,
        createdAt: now,
        updatedAt: now,
      },
      0,
      clock,
    );
    sub.emit(T.SubscriptionCreated, {
      subscriptionId: id,
      userId,
      tier: FREE_TIER,
      status: 'active',
      billingCycle: 'monthly',
      currentPeriodStart: iso(sub.s.currentPeriodStart),
      currentPeriodEnd: iso(sub.s.currentPeriodEnd),
    });
    return sub;
  }

  get state(): Readonly<SubscriptionState> {
    return this.s;
  }

  get userId(): string {
    return this.s.userId;
  }

  get isLive(): boolean {
    return this.s.status === 'active' || this.s.status === 'payment_failed';
  }

  /**
   * Decides what asking for `target` (with `cycle`) means now: a charge (new paid tier from free:
   * the full price and a fresh period; an upgrade within the same cycle: pro rata, period kept; a
   * paid tier with another cycle: the full new price minus the unused part of the current one,
   * fresh period) or a change scheduled for the period end (a lower tier, or the same tier with
   * another cycle). Does not change state: `beginPayment` / `schedule` do.
   */
  planChange(current: Tier, target: Tier, cycle: BillingCycle): ChangePlan {
    if (!this.isLive) throw new SubscriptionInactiveError();
    if (this.s.pendingChange?.status === 'payment_pending') throw new SubscriptionChangePendingError();
    if (isFree(target)) throw new TierNotPurchasableError();
    const now = this.clock.now();
    const unpaid = this.s.dunning;
    if (unpaid) {
      // Grace period (ADR 0018): the unpaid period is paid in full for whichever paid tier is
      // asked, from where it started (the user has had it since); no credit, nothing scheduled.
      return { kind: 'charge', reason: 'new', amountMinor: priceFor(target, cycle), currency: target.currency, periodStart: unpaid.periodStart, periodEnd: periodEnd(unpaid.periodStart, cycle), keepsPeriod: false };
    }
    if (target.id === this.s.tier && cycle === this.s.billingCycle) {
      if (this.s.cancelAtPeriodEnd) return { kind: 'scheduled', effectiveAt: this.s.currentPeriodEnd }; // "resume": keep the tier
      throw new AlreadySubscribedError();
    }
    const period = { start: this.s.currentPeriodStart, end: this.s.currentPeriodEnd };
    if (isFree(current)) {
      return { kind: 'charge', reason: 'new', amountMinor: priceFor(target, cycle), currency: target.currency, periodStart: now, periodEnd: periodEnd(now, cycle), keepsPeriod: false };
    }
    if (target.rank > current.rank) {
      if (cycle === this.s.billingCycle) {
        const amount = proRataMinor(priceFor(current, cycle), priceFor(target, cycle), period, now);
        return { kind: 'charge', reason: 'upgrade', amountMinor: amount, currency: target.currency, periodStart: period.start, periodEnd: period.end, keepsPeriod: true };
      }
      const credit = proRataMinor(0, priceFor(current, this.s.billingCycle), period, now);
      const amount = Math.max(0, priceFor(target, cycle) - credit);
      return { kind: 'charge', reason: 'upgrade', amountMinor: amount, currency: target.currency, periodStart: now, periodEnd: periodEnd(now, cycle), keepsPeriod: false };
    }
    return { kind: 'scheduled', effectiveAt: this.s.currentPeriodEnd };
  }

  /** The saga started: the change waits for its payment. */
  beginPayment(tier: string, cycle: BillingCycle, sagaId: string, paymentMethod: string): void {
    this.s.pendingChange = { tier, billingCycle: cycle, status: 'payment_pending', effectiveAt: null, failureReason: null, sagaId };
    this.s.paymentMethod = paymentMethod;
    this.touch();
  }

  /** A renewal charge started for the next period (the tier stays in force meanwhile). */
  beginRenewal(tier: string, cycle: BillingCycle, sagaId: string): void {
    this.s.pendingChange = { tier, billingCycle: cycle, status: 'payment_pending', effectiveAt: this.s.currentPeriodEnd, failureReason: null, sagaId };
    this.touch();
  }

  /** A lower tier (or another cycle) from the period end; a later request replaces it. Undoes a cancellation. */
  schedule(tier: string, cycle: BillingCycle): void {
    if (tier === this.s.tier && cycle === this.s.billingCycle) this.s.pendingChange = null;
    else this.s.pendingChange = { tier, billingCycle: cycle, status: 'scheduled', effectiveAt: this.s.currentPeriodEnd, failureReason: null, sagaId: null };
    this.s.cancelAtPeriodEnd = false;
    this.touch();
  }

  /** Whether the saga `sagaId` may still activate: the subscription is live and waits for exactly it. */
  awaits(sagaId: string): boolean {
    return this.isLive && this.s.pendingChange?.status === 'payment_pending' && this.s.pendingChange.sagaId === sagaId;
  }

  /** The charge succeeded: the new tier (or the next period) is in force. */
  activate(a: Activation, from: Tier, to: Tier): void {
    const previousTier = this.s.tier;
    this.s.tier = a.tier;
    this.s.billingCycle = a.billingCycle;
    this.s.currentPeriodStart = a.periodStart;
    this.s.currentPeriodEnd = a.periodEnd;
    this.s.status = 'active';
    this.s.pendingChange = null;
    this.s.cancelAtPeriodEnd = false;
    this.s.dunning = null;
    this.touch();
    const now = this.clock.now();
    const period = {
      subscriptionId: this.id,
      userId: this.s.userId,
      tier: a.tier,
      billingCycle: a.billingCycle,
      currentPeriodStart: iso(a.periodStart),
      currentPeriodEnd: iso(a.periodEnd),
      paymentId: a.paymentId,
    };
    if (a.renewal) {
      this.emit(T.SubscriptionRenewed, period);
      return;
    }
    this.emit(T.SubscriptionActivated, { ...period, amountMinor: String(a.amountMinor), currency: a.currency });
    if (to.rank > from.rank) this.emit(T.TierUpgraded, { subscriptionId: this.id, userId: this.s.userId, fromTier: previousTier, toTier: a.tier, effectiveAt: iso(now) });
  }

  /** The charge was refused: the user stays where they were; the change shows why. */
  paymentFailed(sagaId: string, paymentId: string, reason: string): void {
    const change = this.s.pendingChange;
    if (!change || change.sagaId !== sagaId) return;
    this.s.pendingChange = { ...change, status: 'payment_failed', failureReason: reason };
    this.touch();
    this.emit(T.SubscriptionPaymentFailed, {
      subscriptionId: this.id,
      userId: this.s.userId,
      requestedTier: change.tier,
      currentTier: this.s.tier,
      paymentId,
      reason,
    });
  }

  /** POST /subscription/cancel: the paid tier ends at the period end (free stays). */
  cancelAtPeriodEnd(): void {
    if (!this.isLive || isFreeTierId(this.s.tier)) throw new SubscriptionNotCancellableError();
    if (this.s.pendingChange?.status === 'payment_pending') throw new SubscriptionChangePendingError();
    this.s.cancelAtPeriodEnd = true;
    this.s.pendingChange = null;
    this.touch();
  }

  /** The account is gone: the subscription ends now, whatever is pending. @returns false when already cancelled. */
  deactivate(): boolean {
    if (this.s.status === 'cancelled') return false;
    this.s.status = 'cancelled';
    this.s.cancelAtPeriodEnd = false;
    this.s.pendingChange = null;
    this.s.dunning = null;
    this.touch();
    this.emit(T.SubscriptionCancelled, { subscriptionId: this.id, userId: this.s.userId, tier: this.s.tier, reason: 'account_deactivated', effectiveAt: iso(this.clock.now()) });
    return true;
  }

  /** The period is over; what happens next (the renewal scheduler asks). */
  dueAt(now: Date): boolean {
    if (!this.isLive || this.s.currentPeriodEnd.getTime() > now.getTime() || this.s.pendingChange?.status === 'payment_pending') return false;
    // In dunning the period is already over: due at the next retry or the grace end (or a cancellation).
    return !this.s.dunning || this.s.cancelAtPeriodEnd || dunningDueAt(this.s.dunning).getTime() <= now.getTime();
  }

  /**
   * Period-end rules that need no payment: a free subscription rolls over; cancel-at-period-end
   * goes back to free (SubscriptionCancelled); a scheduled change to free the same.
   * In dunning: the grace period over → free (`renewal_failed`); else the next retry.
   * @returns the paid tier/cycle to renew into and the attempt number when a charge is needed, else undefined.
   */
  closePeriod(tiers: (id: string) => Tier): { tier: Tier; cycle: BillingCycle; attempt: number } | undefined {
    const end = this.s.currentPeriodEnd;
    if (this.s.cancelAtPeriodEnd) {
      this.backToFree(end, 'user_request');
      return undefined;
    }
    const unpaid = this.s.dunning;
    if (unpaid) {
      if (unpaid.graceEndsAt.getTime() <= this.clock.now().getTime()) {
        this.backToFree(unpaid.periodStart, 'renewal_failed');
        return undefined;
      }
      return { tier: tiers(unpaid.tier), cycle: unpaid.billingCycle, attempt: unpaid.failedAttempts + 1 };
    }
    const change = this.s.pendingChange?.status === 'scheduled' ? this.s.pendingChange : null;
    const next = tiers(change?.tier ?? this.s.tier);
    const cycle = change?.billingCycle ?? this.s.billingCycle;
    if (change && next.id !== this.s.tier) {
      const from = tiers(this.s.tier);
      const previous = this.s.tier;
      this.s.tier = next.id;
      this.s.billingCycle = cycle;
      this.s.pendingChange = null;
      this.touch();
      if (next.rank < from.rank) this.emit(T.TierDowngraded, { subscriptionId: this.id, userId: this.s.userId, fromTier: previous, toTier: next.id, effectiveAt: iso(end) });
      else this.emit(T.TierUpgraded, { subscriptionId: this.id, userId: this.s.userId, fromTier: previous, toTier: next.id, effectiveAt: iso(end) });
    } else if (change) {
      this.s.billingCycle = cycle;
      this.s.pendingChange = null;
      this.touch();
    }
    if (isFree(next)) {
      this.rollOver(end);
      return undefined;
    }
    return { tier: next, cycle, attempt: 1 };
  }

  /**
   * A renewal charge (or a retry) was refused: the grace period (ADR 0018) starts or goes on —
   * status payment_failed, the paid tier kept, the next retry scheduled from the unpaid period's
   * start. With no retry left and the grace period over, back to free from the old period end.
   */
  renewalFailed(sagaId: string, paymentId: string, reason: string, policy: DunningPolicy): void {
    const change = this.s.pendingChange;
    if (!change || change.sagaId !== sagaId) return;
    const start = this.s.dunning?.periodStart ?? this.s.currentPeriodEnd;
    const failedAttempts = (this.s.dunning?.failedAttempts ?? 0) + 1;
    const dunning: Dunning = { periodStart: start, tier: change.tier, billingCycle: change.billingCycle, failedAttempts, nextRetryAt: nextRetry(policy, start, failedAttempts), graceEndsAt: graceEnd(policy, start) };
    const graceOver = dunning.nextRetryAt === null && dunning.graceEndsAt.getTime() <= this.clock.now().getTime();
    this.emit(T.SubscriptionPaymentFailed, {
      subscriptionId: this.id,
      userId: this.s.userId,
      requestedTier: change.tier,
      currentTier: graceOver ? FREE_TIER : this.s.tier,
      paymentId,
      reason,
      attempt: failedAttempts,
      ...(dunning.nextRetryAt && !graceOver ? { nextRetryAt: iso(dunning.nextRetryAt) } : {}),
      graceEndsAt: iso(dunning.graceEndsAt),
    });
    if (graceOver) {
      this.backToFree(start, 'renewal_failed');
      return;
    }
    this.s.status = 'payment_failed';
    this.s.dunning = dunning;
    this.s.pendingChange = { ...change, status: 'payment_failed', failureReason: reason };
    this.touch();
  }

  /** A paid period ended with nothing to charge (no payment method on file): back to free. */
  lapseToFree(): void {
    this.backToFree(this.s.currentPeriodEnd, 'renewal_failed');
  }

  private backToFree(from: Date, reason: CancelReason): void {
    const paidTier = this.s.tier;
    this.s.tier = FREE_TIER;
    this.s.billingCycle = 'monthly';
    this.s.cancelAtPeriodEnd = false;
    this.s.pendingChange = null;
    this.s.dunning = null;
    this.s.status = 'active';
    this.s.currentPeriodStart = from;
    this.s.currentPeriodEnd = periodEnd(from, 'monthly');
    this.touch();
    this.emit(T.SubscriptionCancelled, { subscriptionId: this.id, userId: this.s.userId, tier: paidTier, reason, effectiveAt: iso(from) });
  }

  /** A free period ends: the next one starts where it ended (SubscriptionRenewed without a payment). */
  private rollOver(from: Date): void {
    this.s.currentPeriodStart = from;
    this.s.currentPeriodEnd = periodEnd(from, this.s.billingCycle);
    this.touch();
    this.emit(T.SubscriptionRenewed, {
      subscriptionId: this.id,
      userId: this.s.userId,
      tier: this.s.tier,
      billingCycle: this.s.billingCycle,
      currentPeriodStart: iso(this.s.currentPeriodStart),
      currentPeriodEnd: iso(this.s.currentPeriodEnd),
    });
  }

  private touch(): void {
    this.s.updatedAt = this.clock.now();
  }

  private emit(type: string, data: Record<string, unknown>): void {
    this.record(type, data);
  }
}

function isFreeTierId(id: string): boolean {
  return id === FREE_TIER;
}
