import { BusinessRuleError } from '@storytelling/kernel';
import type { FailureReason, ProviderEvent } from '../../domain/index.js';

export interface ChargeRequest {
  /** Our payment id: the provider's idempotency key, so a retried call never charges twice. */
  paymentId: string;
  amountMinor: number;
  currency: string;
  /** The provider's payment-method reference (a token, never card data). */
  paymentMethod: string;
  description: string;
  metadata: Readonly<Record<string, string>>;
}

export type ChargeResult =
  | { outcome: 'succeeded'; providerPaymentId: string }
  | { outcome: 'declined'; reason: FailureReason; message: string; providerPaymentId?: string }
  /** Accepted but not settled yet (e.g. Stripe `processing`): a webhook settles it. */
  | { outcome: 'pending'; providerPaymentId: string };

export interface RefundRequest {
  /** Stable per refund: a retried call never refunds twice. */
  idempotencyKey: string;
  paymentId: string;
  providerPaymentId: string;
  amountMinor: number;
  reason: string;
}

export interface RefundResult {
  providerRefundId: string;
}

/** The provider could not be reached or failed on its side (5xx, network, rate limit): retry later. */
export class ProviderUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ProviderUnavailableError';
  }
}

/**
 * The provider refused the request itself (bad key, idempotency key reused with other
 * parameters): retrying cannot help. A DomainError, so a command it fails is dead-lettered at once.
 */
export class ProviderRejectedError extends BusinessRuleError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('PAYMENT_PROVIDER_REJECTED', message);
    if (options?.cause !== undefined) this.cause = options.cause;
  }
}

/**
 * An external payment provider (ARCHITECTURE.md §1): the sandbox by default, Stripe in production.
 * Declines are results; outages and refusals are the errors above.
 */
export interface PaymentProvider {
  /** Recorded on every payment it makes: `sandbox`, `stripe`. */
  readonly name: string;
  charge(request: ChargeRequest): Promise<ChargeResult>;
  refund(request: RefundRequest): Promise<RefundResult>;
}

/** Input of a webhook verifier: the raw body and the request headers (lower-case names). */
export interface WebhookDelivery {
  payload: Buffer;
  headers: Readonly<Record<string, string>>;
  receivedAt: Date;
}

/**
 * Checks a provider's webhook signature (and its timestamp tolerance) and translates the event.
 * @throws DomainError WEBHOOK_SIGNATURE_INVALID (unauthenticated) or WEBHOOK_PAYLOAD_INVALID (validation)
 */
export interface WebhookVerifier {
  readonly provider: string;
  verify(delivery: WebhookDelivery): ProviderEvent;
}

export const PAYMENT_PROVIDER = Symbol('payments.PaymentProvider');
export const WEBHOOK_VERIFIERS = Symbol('payments.WebhookVerifiers');
