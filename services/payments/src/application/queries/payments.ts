import { ForbiddenError, ValidationError, decodeCursor, isUuid, pageSize, toPage, type Page } from '@storytelling/kernel';
import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { Caller } from '@storytelling/platform';
import { formatDecimal, paymentNotFound, type Payment } from '../../domain/index.js';
import { PAYMENTS_UNIT_OF_WORK, type PaymentsUnitOfWork } from '../ports/index.js';

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

export type PaymentPage = Page<PaymentView>;

export class ListPaymentsQuery extends Query<PaymentPage> {
  constructor(
    readonly caller: Caller,
    readonly request: { userId?: string; limit?: number; cursor?: string },
  ) {
    super();
  }
}

/** The caller's payments (or, for support roles, the named user's), newest first. */
@QueryHandler(ListPaymentsQuery)
export class ListPaymentsHandler implements IQueryHandler<ListPaymentsQuery> {
  constructor(@Inject(PAYMENTS_UNIT_OF_WORK) private readonly uow: PaymentsUnitOfWork) {}

  async execute({ caller, request }: ListPaymentsQuery): Promise<PaymentPage> {
    const userId = request.userId ? request.userId.toLowerCase() : caller.userId;
    if (userId !== caller.userId && !PAYMENT_READER_ROLES.includes(caller.role)) throw new ForbiddenError("only support roles may read another user's payments", 'FORBIDDEN');
    if (!isUuid(userId)) throw new ValidationError('invalid user id', [{ field: 'userId', message: 'must be a UUID' }]);
    const limit = pageSize(request.limit);
    const rows = await this.uow.reader.listByUser(userId, limit + 1, decodeCursor(request.cursor));
    return toPage(rows, limit, (p) => ({ at: p.snapshot.createdAt, id: p.id }), toView);
  }
}

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
    const payment = await this.uow.reader.findPayment(paymentId.toLowerCase());
    if (!payment || (payment.snapshot.userId !== caller.userId && !PAYMENT_READER_ROLES.includes(caller.role))) throw paymentNotFound();
    return toView(payment);
  }
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

