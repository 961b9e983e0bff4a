import { isUuid } from '@storytelling/kernel';
import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { Caller } from '@storytelling/platform';
import { paymentNotFound } from '../../domain/index.js';
import { PAYMENT_READER_ROLES, toView, type PaymentView } from '../payment-view.js';
import { PAYMENTS_UNIT_OF_WORK, type PaymentsUnitOfWork } from '../ports/index.js';

export class GetPaymentQuery extends Query<PaymentView> {
  constructor(
    readonly caller: Caller,
    readonly paymentId: string,
  ) {
    super();
  }
}

/** One payment: its owner (or a support role) sees it; anyone else gets NOT_FOUND, as if it did not exist. */
@QueryHandler(GetPaymentQuery)
export class GetPaymentHandler implements IQueryHandler<GetPaymentQuery> {
  constructor(@Inject(PAYMENTS_UNIT_OF_WORK) private readonly uow: PaymentsUnitOfWork) {}

  async execute({ caller, paymentId }: GetPaymentQuery): Promise<PaymentView> {
    if (!isUuid(paymentId)) throw paymentNotFound();
    const payment = await this.uow.reader.payments.find(paymentId.toLowerCase());
    if (!payment || (payment.snapshot.userId !== caller.userId && !PAYMENT_READER_ROLES.includes(caller.role))) throw paymentNotFound();
    return toView(payment);
  }
}
