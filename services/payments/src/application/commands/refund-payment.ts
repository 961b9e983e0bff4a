import { uuidv7 } from '@storytelling/kernel';
import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { paymentNotFound, type Payment } from '../../domain/index.js';
import { PAYMENT_PROVIDER, PAYMENTS_UNIT_OF_WORK, type PaymentProvider, type PaymentsStore, type PaymentsUnitOfWork, type RefundRecord } from '../ports/index.js';

/** What a RefundPayment command carries (translated from the payments.commands envelope). */
export interface RefundDetails {
  commandId: string;
  sagaId: string;
  paymentId: string;
  /** 0: everything not refunded yet. */
  amountMinor: number;
  reason: string;
}

export class RefundPaymentCommand extends Command<Payment> {
  constructor(readonly refund: RefundDetails) {
    super();
  }
}

/**
 * RefundPayment, idempotent per (payment, saga): one saga gets at most one refund of a payment.
 * Same shape as a charge: the refund is recorded `pending` in its own transaction first, its id is
 * the provider's idempotency key, the outcome commits with the consumer's inbox row, and a
 * refund already made is answered again (PaymentRefunded) without calling the provider.
 * Only succeeded payments are refunded, partially or fully (DomainError PAYMENT_NOT_REFUNDABLE);
 * one already fully refunded by another path is answered PaymentRefunded of 0.
 *
 * Like ChargePayment, the consumer calls `execute(command, store)` with its inbox transaction's
 * store (the CommandBus cannot carry it); without one the handler opens its own transaction.
 */
@CommandHandler(RefundPaymentCommand)
export class RefundPaymentHandler implements ICommandHandler<RefundPaymentCommand> {
  constructor(
    @Inject(PAYMENTS_UNIT_OF_WORK) private readonly uow: PaymentsUnitOfWork,
    @Inject(PAYMENT_PROVIDER) private readonly provider: PaymentProvider,
  ) {}

  async execute({ refund: command }: RefundPaymentCommand, store?: PaymentsStore): Promise<Payment> {
    if (!store) return this.uow.run((own) => this.refund(command, own));
    return this.refund(command, store);
  }

  private async refund(command: RefundDetails, store: PaymentsStore): Promise<Payment> {
    const payment = await store.findPayment(command.paymentId, { lock: true });
    if (!payment) throw paymentNotFound();
    let refund = await store.findRefund(payment.id, command.sagaId);
    if (refund?.status === 'succeeded') {
      payment.refunded(refund.amountMinor, payment.snapshot.refundedMinor, refund.providerRefundId ?? '');
      await store.save(payment);
      return payment;
    }
    if (!refund && payment.answerIfFullyRefunded()) {
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
