import { AggregateRoot, type Clock } from '@storytelling/kernel';
import { refundNotAllowed } from './errors.js';
import { PaymentEventTypes, type PaymentFailedData, type PaymentProcessedData, type PaymentRefundedData } from './events.js';
import type { Money } from './money.js';

export const PAYMENT_STATUSES = ['pending', 'succeeded', 'failed', 'refunded'] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

/** Why a charge did not go through (PaymentFailed.reason). */
export const FAILURE_REASONS = ['card_declined', 'insufficient_funds', 'invalid_token', 'provider_error'] as const;
export type FailureReason = (typeof FAILURE_REASONS)[number];

/**
 * Order of the states: webhooks may arrive out of order, so a payment only ever moves to a
 * higher rank (pending → succeeded|failed → refunded), never back.
 */
const RANK: Readonly<Record<PaymentStatus, number>> = { pending: 0, succeeded: 1, failed: 1, refunded: 2 };

export interface PaymentState {
  id: string;
  userId: string;
  subscriptionId: string;
  sagaId: string;
  amount: Money;
  provider: string;
  providerPaymentId: string | null;
  status: PaymentStatus;
  failureReason: FailureReason | null;
  failureMessage: string | null;
  refundedMinor: number;
  description: string;
  createdAt: Date;
  updatedAt: Date;
  settledAt: Date | null;
}

/** What a charge starts from: the facts of the command, before any provider answer. */
export type NewCharge = Pick<PaymentState, 'id' | 'userId' | 'subscriptionId' | 'sagaId' | 'amount' | 'provider' | 'description'>;

/**
 * A charge of `amount` to a user, made through one provider. It is recorded `pending` before the
 * provider is called (the provider dedupes on the payment id); the outcome settles it once.
 * Events are recorded only on a real transition, except `reannounce`, which answers a resent
 * command with the stored outcome.
 */
export class Payment extends AggregateRoot {
  private constructor(
    private state: PaymentState,
    version: number,
    clock: Clock,
  ) {
    super(state.id, version, clock);
  }

  static pending(charge: NewCharge, clock: Clock): Payment {
    const now = clock.now();
    return new Payment(
      { ...charge, providerPaymentId: null, status: 'pending', failureReason: null, failureMessage: null, refundedMinor: 0, createdAt: now, updatedAt: now, settledAt: null },
      0,
      clock,
    );
  }

  static restore(state: PaymentState, version: number, clock: Clock): Payment {
    return new Payment({ ...state }, version, clock);
  }

  get snapshot(): Readonly<PaymentState> {
    return this.state;
  }

  get status(): PaymentStatus {
    return this.state.status;
  }

  get isSettled(): boolean {
    return this.state.status !== 'pending';
  }

  get refundableMinor(): number {
    return this.state.status === 'succeeded' ? this.state.amount.amountMinor - this.state.refundedMinor : 0;
  }

  /** The provider charged it. @returns whether this was a transition. */
  succeed(providerPaymentId: string): boolean {
    if (this.state.status !== 'pending') return false;
    const now = this.clock.now();
    this.state = { ...this.state, status: 'succeeded', providerPaymentId, settledAt: now, updatedAt: now };
    this.recordProcessed();
    return true;
  }

  /** The provider refused it. @returns whether this was a transition. */
  fail(reason: FailureReason, message: string, providerPaymentId?: string): boolean {
    if (this.state.status !== 'pending') return false;
    const now = this.clock.now();
    this.state = {
      ...this.state,
      status: 'failed',
      failureReason: reason,
      failureMessage: message,
      providerPaymentId: providerPaymentId ?? this.state.providerPaymentId,
      settledAt: now,
      updatedAt: now,
    };
    this.recordFailed();
    return true;
  }

  /** The provider accepted the charge but has not settled it (a webhook will): remember its id. */
  awaitProvider(providerPaymentId: string): void {
    if (this.state.status !== 'pending') return;
    this.state = { ...this.state, providerPaymentId, updatedAt: this.clock.now() };
  }

  /** Answers a resent ChargePayment with the stored outcome (PaymentProcessed or PaymentFailed). */
  reannounce(): void {
    if (this.state.status === 'pending') throw new Error(`payment ${this.id} is not settled`);
    if (this.state.status === 'failed') this.recordFailed();
    else this.recordProcessed();
  }

  /** Checks a refund of `amountMinor` (0: everything left) and returns the amount it would give back. */
  refundAmount(amountMinor: number): number {
    if (this.state.status !== 'succeeded') throw refundNotAllowed(`payment ${this.id} is ${this.state.status}; only succeeded payments are refunded`);
    const amount = amountMinor === 0 ? this.refundableMinor : amountMinor;
    if (!Number.isSafeInteger(amount) || amount <= 0 || amount > this.refundableMinor) {
      throw refundNotAllowed(`refund of ${amountMinor} exceeds the ${this.refundableMinor} left on payment ${this.id}`);
    }
    return amount;
  }

  /**
   * A refund of `amountMinor` went through at the provider; `totalRefundedMinor` is the total the
   * provider has refunded on this payment after it. Always records PaymentRefunded (the answer to
   * the command); the refunded total only grows, so a webhook that already counted it changes nothing.
   */
  refunded(amountMinor: number, totalRefundedMinor: number, providerRefundId: string): void {
    this.raiseRefundedTotal(totalRefundedMinor);
    this.recordRefunded(amountMinor, providerRefundId);
  }

  /**
   * A refund asked for when the payer already has everything back by another path (another
   * saga's refund, or one made in the provider's dashboard and reported by webhook). Nothing is
   * left to return, so the answer is PaymentRefunded of 0: the asking saga's compensation ends
   * instead of its command being dead-lettered as PAYMENT_NOT_REFUNDABLE.
   * @returns whether the payment was fully refunded (and so answered).
   */
  answerIfFullyRefunded(): boolean {
    if (this.state.status !== 'refunded') return false;
    this.recordRefunded(0, '');
    return true;
  }

  /** A provider webhook says the charge succeeded. */
  applyProviderSuccess(providerPaymentId: string): boolean {
    return this.succeed(providerPaymentId);
  }

  /** A provider webhook says the charge failed. */
  applyProviderFailure(reason: FailureReason, message: string, providerPaymentId?: string): boolean {
    return this.fail(reason, message, providerPaymentId);
  }

  /**
   * A provider webhook reports `totalRefundedMinor` refunded on this charge (cumulative, as Stripe
   * sends it). A refund implies the charge succeeded: a pending payment is settled first. Only a
   * larger total is a transition; older or repeated reports change nothing.
   */
  applyProviderRefundTotal(totalRefundedMinor: number, providerPaymentId: string, providerRefundId: string): boolean {
    if (this.state.status === 'failed') return false;
    const before = this.state.refundedMinor;
    const capped = Math.min(totalRefundedMinor, this.state.amount.amountMinor);
    if (capped <= before) return false;
    if (this.state.status === 'pending') this.succeed(providerPaymentId);
    this.raiseRefundedTotal(capped);
    this.recordRefunded(capped - before, providerRefundId);
    return true;
  }

  private raiseRefundedTotal(total: number): void {
    const refundedMinor = Math.max(this.state.refundedMinor, Math.min(total, this.state.amount.amountMinor));
    const status: PaymentStatus = refundedMinor >= this.state.amount.amountMinor ? 'refunded' : this.state.status;
    if (RANK[status] < RANK[this.state.status]) return;
    this.state = { ...this.state, refundedMinor, status, updatedAt: this.clock.now() };
  }

  private base() {
    const s = this.state;
    return {
      paymentId: s.id,
      userId: s.userId,
      subscriptionId: s.subscriptionId,
      amountMinor: String(s.amount.amountMinor),
      currency: s.amount.currency,
      provider: s.provider,
      sagaId: s.sagaId,
    };
  }

  private recordProcessed(): void {
    const data: PaymentProcessedData = {
      ...this.base(),
      ...(this.state.providerPaymentId ? { providerPaymentId: this.state.providerPaymentId } : {}),
      processedAt: (this.state.settledAt ?? this.clock.now()).toISOString(),
    };
    this.record(PaymentEventTypes.PaymentProcessed, data);
  }

  private recordFailed(): void {
    const data: PaymentFailedData = {
      ...this.base(),
      reason: this.state.failureReason ?? 'provider_error',
      ...(this.state.failureMessage ? { message: this.state.failureMessage } : {}),
      failedAt: (this.state.settledAt ?? this.clock.now()).toISOString(),
    };
    this.record(PaymentEventTypes.PaymentFailed, data);
  }

  private recordRefunded(amountMinor: number, providerRefundId: string): void {
    const data: PaymentRefundedData = {
      ...this.base(),
      amountMinor: String(amountMinor),
      ...(providerRefundId ? { providerRefundId } : {}),
      refundedAt: this.clock.now().toISOString(),
    };
    this.record(PaymentEventTypes.PaymentRefunded, data);
  }
}
