import type { FailureReason } from './payment.js';

/**
 * A provider's webhook event after its signature was checked, in the payments context's terms.
 * `paymentId` is ours (the provider echoes it in metadata); `providerPaymentId` is theirs.
 */
export type ProviderEvent =
  | ({ kind: 'payment_succeeded' } & ProviderEventBase)
  | ({ kind: 'payment_failed'; reason: FailureReason; message: string } & ProviderEventBase)
  | ({ kind: 'refunded'; totalRefundedMinor: number; providerRefundId: string } & ProviderEventBase)
  | ({ kind: 'other' } & Partial<ProviderEventBase> & { id: string; type: string });

interface ProviderEventBase {
  /** The provider's event id (dedupe key). */
  id: string;
  /** The provider's event type, e.g. payment_intent.succeeded. */
  type: string;
  paymentId: string | null;
  providerPaymentId: string;
}
