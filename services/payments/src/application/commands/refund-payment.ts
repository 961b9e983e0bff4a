import { uuidv7 } from '@storytelling/kernel';
import { Inject, Injectable } from '@nestjs/common';
import { paymentNotFound, type Payment } from '../domain/index.js';
import { PAYMENT_PROVIDER, PAYMENTS_UNIT_OF_WORK, type PaymentProvider, type PaymentsStore, type PaymentsUnitOfWork, type RefundRecord } from './ports/index.js';

export interface RefundCommand {
  commandId: string;
  sagaId: string;
  paymentId: string;
  /** 0: everything not refunded yet. */
  amountMinor: number;
  reason: string;
}

/**
 * RefundPayment, idempotent per (payment, saga): one saga gets at most one refund of a payment.
 * Same shape as a charge: the refund is recorded `pending` in its own transaction first, its id is
 * the provider's idempotency key, the outcome commits with the consumer's inbox row, and a
 * refund already made is answered again (PaymentRefunded) without calling the provider.
 * Only succeeded payments are refunded, partially or fully (DomainError PAYMENT_NOT_REFUNDABLE).
 */
@Injectable()
export class RefundPaymentHandler {
  constructor(
    @Inject(PAYMENTS_UNIT_OF_WORK) private readonly uow: PaymentsUnitOfWork,
    @Inject(PAYMENT_PROVIDER) private readonly provider: PaymentProvider,
  ) {}

  async execute(command: RefundCommand, store: PaymentsStore): Promise<Payment> {
    const payment = await store.findPayment(command.paymentId, { lock: true });
    if (!payment) throw paymentNotFound();
    let refund = await store.findRefund(payment.id, command.sagaId);
    if (refund?.status === 'succeeded') {
      payment.refunded(refund.amountMinor, payment.snapshot.refundedMinor, refund.providerRefundId ?? '');
      await store.save(payment);
      return payment;
    }
    if (!refund) {
      const draft: RefundRecord = {
        id: uuidv7(),
        paymentId: payment.id,
        sagaId: command.sagaId,
        amountMinor: payment.refundAmount(command.amountMinor),
        status: 'pending',
        providerRefundId: null,
        reason: command.reason,
      };
      await this.uow.run((own) => own.insertRefundIfAbsent(draft));
      refund = await store.findRefund(payment.id, command.sagaId);
      if (!refund) throw new Error(`refund of ${payment.id} for saga ${command.sagaId} vanished after insert`);
    }
    const result = await this.provider.refund({
      idempotencyKey: refund.id,
      paymentId: payment.id,
      providerPaymentId: payment.snapshot.providerPaymentId ?? '',
      amountMinor: refund.amountMinor,
      reason: command.reason,
    });
    await store.markRefundSucceeded(refund.id, result.providerRefundId);
    payment.refunded(refund.amountMinor, await store.succeededRefundTotal(payment.id), result.providerRefundId);
    await store.save(payment);
    return payment;
  }
}
