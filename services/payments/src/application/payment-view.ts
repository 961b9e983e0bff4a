import { formatDecimal, type Payment } from '../domain/index.js';

/** Roles that may read another user's payments (support answers billing questions). */
export const PAYMENT_READER_ROLES: readonly string[] = ['admin', 'super-admin', 'customer-support', 'service'];

export interface PaymentView {
  id: string;
  userId: string;
  subscriptionId: string;
  amountMinor: number;
  currency: string;
  amount: string;
  provider: string;
  providerPaymentId: string;
  status: string;
  failureReason: string;
  description: string;
  refundedMinor: number;
  createdAt: string;
  updatedAt: string;
}

export function toView(payment: Payment): PaymentView {
  const s = payment.snapshot;
  return {
    id: s.id,
    userId: s.userId,
    subscriptionId: s.subscriptionId,
    amountMinor: s.amount.amountMinor,
    currency: s.amount.currency,
    amount: formatDecimal(s.amount.amountMinor, s.amount.currency),
    provider: s.provider,
    providerPaymentId: s.providerPaymentId ?? '',
    status: s.status,
    failureReason: s.failureReason ?? '',
    description: s.description,
    refundedMinor: s.refundedMinor,
    createdAt: s.createdAt.toISOString(),
    updatedAt: s.updatedAt.toISOString(),
  };
}
