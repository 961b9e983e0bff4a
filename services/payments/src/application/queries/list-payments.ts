import { ForbiddenError, ValidationError, decodeCursor, isUuid, pageSize, toPage, type Page } from '@storytelling/kernel';
import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { Caller } from '@storytelling/platform';
import { PAYMENT_READER_ROLES, toView, type PaymentView } from '../payment-view.js';
import { PAYMENTS_UNIT_OF_WORK, type PaymentsUnitOfWork } from '../ports/index.js';

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
    const rows = await this.uow.reader.payments.listByUser(userId, limit + 1, decodeCursor(request.cursor));
    return toPage(rows, limit, (p) => ({ at: p.snapshot.createdAt, id: p.id }), toView);
  }
}
