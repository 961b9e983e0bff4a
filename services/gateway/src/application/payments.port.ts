import type { Page, PageRequest } from './story.port.js';

/** A payment as GET /payments shows it (API.md § Subscription and payments). */
export interface PaymentView {
  id: string;
  subscriptionId: string | null;
  /** Integer minor units (cents for USD): exact. */
  amountMinor: number;
  /** ISO 4217. */
  currency: string;
  /** The same amount as a decimal string for display, e.g. "9.99". */
  amount: string;
  status: 'pending' | 'succeeded' | 'failed' | 'refunded';
  provider: string;
  /** card_declined, insufficient_funds, invalid_token, provider_error; null unless failed. */
  failureReason: string | null;
  refundedMinor: number;
  description: string;
  createdAt: string;
  updatedAt: string;
}

/** A webhook the payments service refused as unsigned, wrongly signed or too old. */
export class WebhookSignatureRejectedError extends Error {
  constructor(readonly detail: string) {
    super(`webhook signature rejected: ${detail}`);
    this.name = 'WebhookSignatureRejectedError';
  }
}

/**
 * What the gateway needs from the payments service. listPayments acts for the caller (the adapter
 * forwards the verified bearer token); handleWebhook forwards a provider's request unchanged
 * (raw bytes and the headers its signature check needs) and throws WebhookSignatureRejectedError
 * when the signature does not hold.
 */
export interface PaymentsPort {
  listPayments(page: PageRequest): Promise<Page<PaymentView>>;
  handleWebhook(provider: string, payload: Buffer, headers: Readonly<Record<string, string>>): Promise<void>;
  checkHealth(): Promise<void>;
  close(): void;
}

export const PAYMENTS_PORT = Symbol('PAYMENTS_PORT');
