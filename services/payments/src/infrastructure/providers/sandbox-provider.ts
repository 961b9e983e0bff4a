import { createHash } from 'node:crypto';
import {
  ProviderRejectedError,
  type ChargeRequest,
  type ChargeResult,
  type PaymentProvider,
  type RefundRequest,
  type RefundResult,
} from '../../application/ports/index.js';
import { InMemorySandboxLedger, type SandboxLedger } from './sandbox-ledger.js';

/** API.md's sandbox tokens. */
export const SANDBOX_TOKENS = {
  succeeds: 'tok_visa',
  declined: 'tok_chargeDeclined',
  insufficientFunds: 'tok_insufficientFunds',
} as const;

/** Deterministic ids: the same key always names the same provider object (also after a restart). */
const idFor = (prefix: string, key: string) => `${prefix}_${createHash('sha256').update(key).digest('hex').slice(0, 24)}`;

/**
 * The local provider (default; offline). Behaves like a provider as far as the payments context
 * can tell: answers by token (`tok_visa` succeeds, `tok_chargeDeclined` card_declined,
 * `tok_insufficientFunds` insufficient_funds, anything else invalid_token), dedupes by
 * idempotency key (the same key returns the first outcome; reused with other parameters it is
 * refused), and refuses refunds beyond the charge. Its ledger is the service's database in a
 * running service (SqlSandboxLedger: a restarted process replaying a key gets the first answer,
 * as from a real provider) and this process's memory by default (unit tests). A local stand-in,
 * not a bank. `chargeCount` counts real charges this instance made, for tests and the local log.
 */
export class SandboxPaymentProvider implements PaymentProvider {
  readonly name = 'sandbox';
  /** Charges actually made (idempotent replays not counted). */
  chargeCount = 0;
  /** Calls to charge(), replays included. */
  chargeCalls = 0;

  constructor(private readonly ledger: SandboxLedger = new InMemorySandboxLedger()) {}

  async charge(request: ChargeRequest): Promise<ChargeResult> {
    this.chargeCalls++;
    const fingerprint = `${request.amountMinor}|${request.currency}|${request.paymentMethod}`;
    const providerPaymentId = idFor('sbx_pi', request.paymentId);
    const { entry, created } = await this.ledger.recordCharge({
      key: request.paymentId,
      fingerprint,
      result: outcomeFor(request.paymentMethod, providerPaymentId),
      amountMinor: request.amountMinor,
    });
    if (!created) {
      if (entry.fingerprint !== fingerprint) throw new ProviderRejectedError(`sandbox: idempotency key ${request.paymentId} was used with other parameters`);
      return entry.result;
    }
    if (entry.result.outcome === 'succeeded') this.chargeCount++;
    return entry.result;
  }

  async refund(request: RefundRequest): Promise<RefundResult> {
    const fingerprint = `${request.providerPaymentId}|${request.amountMinor}`;
    const recorded = await this.ledger.recordRefund({
      key: request.idempotencyKey,
      fingerprint,
      providerPaymentId: request.providerPaymentId,
      amountMinor: request.amountMinor,
      result: { providerRefundId: idFor('sbx_re', request.idempotencyKey) },
    });
    if (recorded === 'exceeds') throw new ProviderRejectedError(`sandbox: refund of ${request.amountMinor} exceeds what is left on ${request.providerPaymentId}`);
    if (!recorded.created && recorded.entry.fingerprint !== fingerprint) {
      throw new ProviderRejectedError(`sandbox: idempotency key ${request.idempotencyKey} was used with other parameters`);
    }
    return recorded.entry.result;
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
