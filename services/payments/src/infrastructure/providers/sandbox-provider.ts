import { createHash } from 'node:crypto';
import {
  ProviderRejectedError,
  type ChargeRequest,
  type ChargeResult,
  type PaymentProvider,
  type RefundRequest,
  type RefundResult,
} from '../../application/ports/index.js';

/** API.md's sandbox tokens. */
export const SANDBOX_TOKENS = {
  succeeds: 'tok_visa',
  declined: 'tok_chargeDeclined',
  insufficientFunds: 'tok_insufficientFunds',
} as const;

interface SandboxCharge {
  fingerprint: string;
  result: ChargeResult;
  refundedMinor: number;
  amountMinor: number;
}

/** Deterministic ids: the same key always names the same provider object (also after a restart). */
const idFor = (prefix: string, key: string) => `${prefix}_${createHash('sha256').update(key).digest('hex').slice(0, 24)}`;

/**
 * The local provider (default; offline). Behaves like a provider as far as the payments context
 * can tell: answers by token (`tok_visa` succeeds, `tok_chargeDeclined` card_declined,
 * `tok_insufficientFunds` insufficient_funds, anything else invalid_token), dedupes by
 * idempotency key (the same key returns the first outcome; reused with other parameters it is
 * refused), and refuses refunds beyond the charge. Its ledger lives in this process: a local
 * stand-in, not a bank. `charges` counts real charges made, for tests and the local log.
 */
export class SandboxPaymentProvider implements PaymentProvider {
  readonly name = 'sandbox';
  private readonly charges = new Map<string, SandboxCharge>();
  private readonly refunds = new Map<string, { fingerprint: string; result: RefundResult }>();
  /** Charges actually made (idempotent replays not counted). */
  chargeCount = 0;
  /** Calls to charge(), replays included. */
  chargeCalls = 0;

  async charge(request: ChargeRequest): Promise<ChargeResult> {
    this.chargeCalls++;
    const fingerprint = `${request.amountMinor}|${request.currency}|${request.paymentMethod}`;
    const known = this.charges.get(request.paymentId);
    if (known) {
      if (known.fingerprint !== fingerprint) throw new ProviderRejectedError(`sandbox: idempotency key ${request.paymentId} was used with other parameters`);
      return known.result;
    }
    const providerPaymentId = idFor('sbx_pi', request.paymentId);
    const result = outcomeFor(request.paymentMethod, providerPaymentId);
    this.charges.set(request.paymentId, { fingerprint, result, refundedMinor: 0, amountMinor: request.amountMinor });
    if (result.outcome === 'succeeded') this.chargeCount++;
    return result;
  }

  async refund(request: RefundRequest): Promise<RefundResult> {
    const fingerprint = `${request.providerPaymentId}|${request.amountMinor}`;
    const known = this.refunds.get(request.idempotencyKey);
    if (known) {
      if (known.fingerprint !== fingerprint) throw new ProviderRejectedError(`sandbox: idempotency key ${request.idempotencyKey} was used with other parameters`);
      return known.result;
    }
    const charge = [...this.charges.values()].find((c) => c.result.outcome === 'succeeded' && c.result.providerPaymentId === request.providerPaymentId);
    if (charge && charge.refundedMinor + request.amountMinor > charge.amountMinor) {
      throw new ProviderRejectedError(`sandbox: refund of ${request.amountMinor} exceeds what is left on ${request.providerPaymentId}`);
    }
    if (charge) charge.refundedMinor += request.amountMinor;
    const result = { providerRefundId: idFor('sbx_re', request.idempotencyKey) };
    this.refunds.set(request.idempotencyKey, { fingerprint, result });
    return result;
  }
}

function outcomeFor(token: string, providerPaymentId: string): ChargeResult {
  switch (token) {
    case SANDBOX_TOKENS.succeeds:
      return { outcome: 'succeeded', providerPaymentId };
    case SANDBOX_TOKENS.declined:
      return { outcome: 'declined', reason: 'card_declined', message: 'Your card was declined.', providerPaymentId };
    case SANDBOX_TOKENS.insufficientFunds:
      return { outcome: 'declined', reason: 'insufficient_funds', message: 'Your card has insufficient funds.', providerPaymentId };
    default:
      return { outcome: 'declined', reason: 'invalid_token', message: 'No such payment method.' };
  }
}
