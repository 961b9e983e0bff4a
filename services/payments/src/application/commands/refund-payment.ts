import { uuidv7 } from '@storytelling/kernel';
import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { getLogger } from '@storytelling/platform';
import { paymentNotFound, type Payment, type RefundRecord } from '../../domain/index.js';
import { PAYMENT_PROVIDER, PAYMENTS_UNIT_OF_WORK, type PaymentProvider, type PaymentsUnitOfWork } from '../ports/index.js';
import { minorUnitsField, requireValid, uuidField } from '../validation.js';

/** A refund as a saga asks for it (RefundPayment on payments.commands); amount "0": everything not refunded yet. */
export interface RefundPaymentInput {
  sagaId: string;
  paymentId: string;
  amountMinor: string;
  reason: string;
}

/** The refund once validated: ids lower-case, the amount a number (0: everything left). */
export interface RefundDetails extends Omit<RefundPaymentInput, 'amountMinor'> {
  amountMinor: number;
}

export class RefundPaymentCommand extends Command<Payment> {
  readonly refund: RefundDetails;

  /** @throws ValidationError PAYMENT_COMMAND_INVALID naming every field that is wrong */
  constructor(request: RefundPaymentInput) {
    super();
    requireValid('RefundPayment', [
      uuidField('sagaId', request.sagaId),
      uuidField('paymentId', request.paymentId),
      minorUnitsField('amountMinor', request.amountMinor, { zero: true }),
    ]);
    this.refund = { ...request, sagaId: request.sagaId.toLowerCase(), paymentId: request.paymentId.toLowerCase(), amountMinor: Number(request.amountMinor) };
  }
}

/**
 * RefundPayment, idempotent per (payment, saga): one saga gets at most one refund of a payment.
 * Same shape as a charge: with the payment locked in the ambient transaction (the consumer's),
 * the refund is recorded `pending` in a transaction of its own (`requires_new`) before the
 * provider is called, its id is the provider's idempotency key, the outcome commits with the
 * ambient transaction, and a refund already made is answered again (PaymentRefunded) without
 * calling the provider. Only succeeded payments are refunded, partially or fully (DomainError
 * PAYMENT_NOT_REFUNDABLE); one already fully refunded by another path is answered PaymentRefunded of 0.
 */
@CommandHandler(RefundPaymentCommand)
export class RefundPaymentHandler implements ICommandHandler<RefundPaymentCommand> {
  private readonly log = getLogger('refund-payment');

  constructor(
    @Inject(PAYMENTS_UNIT_OF_WORK) private readonly uow: PaymentsUnitOfWork,
    @Inject(PAYMENT_PROVIDER) private readonly provider: PaymentProvider,
  ) {}

  async execute({ refund: command }: RefundPaymentCommand): Promise<Payment> {
    const payment = await this.uow.run(async ({ payments, refunds }) => {
      const found = await payments.find(command.paymentId, { lock: true });
      if (!found) throw paymentNotFound();
      const refund = await refunds.find(found.id, command.sagaId);
      if (refund?.status === 'succeeded') {
        found.refunded(refund.amountMinor, found.snapshot.refundedMinor, refund.providerRefundId ?? '');
      } else if (!refund && found.answerIfFullyRefunded()) {
        // answered PaymentRefunded of 0: nothing left to give back
      } else {
        const pending = refund ?? (await this.recordPending(found, command));
        const result = await this.provider.refund({
          idempotencyKey: pending.id,
          paymentId: found.id,
          providerPaymentId: found.snapshot.providerPaymentId ?? '',
          amountMinor: pending.amountMinor,
          reason: command.reason,
        });
        await refunds.saveSucceeded(pending, result.providerRefundId);
        found.refunded(pending.amountMinor, await refunds.succeededTotal(found.id), result.providerRefundId);
      }
      await payments.save(found);
      return found;
    });
    this.log.info({ paymentId: payment.id, refundedMinor: payment.snapshot.refundedMinor, sagaId: command.sagaId }, 'refund handled');
    return payment;
  }

  /** Commits the pending refund on its own: a crash after the provider call finds it (same id, same key). */
  private recordPending(payment: Payment, command: RefundDetails): Promise<RefundRecord> {
    const draft: RefundRecord = {
      id: uuidv7(),
      paymentId: payment.id,
      sagaId: command.sagaId,
      amountMinor: payment.refundAmount(command.amountMinor),
      status: 'pending',
      providerRefundId: null,
      reason: command.reason,
    };
    return this.uow.run(({ refunds }) => refunds.insertPendingIfAbsent(draft), { propagation: 'requires_new' });
  }
}
