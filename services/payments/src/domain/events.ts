import { eventType } from '@storytelling/kernel';

/**
 * The payments context's integration events (proto/storytelling/payments/v1/events.proto). `data`
 * is the proto3 JSON mapping as ts-proto's toJSON writes it: camelCase, int64 as decimal strings,
 * timestamps as RFC 3339, fields at their default omitted. Never card data.
 */
export const PaymentEventTypes = {
  PaymentProcessed: eventType('payments', 'payment', 'processed'),
  PaymentFailed: eventType('payments', 'payment', 'failed'),
  PaymentRefunded: eventType('payments', 'payment', 'refunded'),
} as const;

export const PAYMENT_AGGREGATE_TYPE = 'payment';

interface PaymentEventBase {
  paymentId: string;
  userId?: string;
  subscriptionId?: string;
  amountMinor: string;
  currency: string;
  provider: string;
  sagaId?: string;
}

export interface PaymentProcessedData extends PaymentEventBase {
  providerPaymentId?: string;
  processedAt: string;
}

export interface PaymentFailedData extends PaymentEventBase {
  reason: string;
  message?: string;
  failedAt: string;
}

export interface PaymentRefundedData extends PaymentEventBase {
  providerRefundId?: string;
  refundedAt: string;
}
