import { ForbiddenError, ValidationError, decodeCursor, isUuid, pageSize, toPage, type FieldError, type Page, type PageRequest } from '@storytelling/kernel';
import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { Caller } from '@storytelling/platform';
import type { StoredDelivery } from '../../domain/index.js';
import { NOTIFICATION_UNIT_OF_WORK, type NotificationUnitOfWork } from '../ports/index.js';

/** Roles that may read the delivery log (support work). */
export const DELIVERY_LOG_ROLES: readonly string[] = ['admin', 'super-admin', 'customer-support'];

export interface DeliveryFilter {
  recipientId: string;
  sourceEventId: string;
}

export class ListDeliveriesQuery extends Query<Page<StoredDelivery>> {
  constructor(
    readonly caller: Caller,
    readonly filter: DeliveryFilter,
    readonly page: PageRequest,
  ) {
    super();
  }
}

/**
 * The delivery log for support staff (DELIVERY_LOG_ROLES), by recipient and/or source event,
 * newest first, keyset-paginated.
 */
@QueryHandler(ListDeliveriesQuery)
export class ListDeliveriesHandler implements IQueryHandler<ListDeliveriesQuery> {
  constructor(@Inject(NOTIFICATION_UNIT_OF_WORK) private readonly uow: NotificationUnitOfWork) {}

  async execute(query: ListDeliveriesQuery): Promise<Page<StoredDelivery>> {
    const { caller, filter, page } = query;
    if (!DELIVERY_LOG_ROLES.includes(caller.role)) throw new ForbiddenError('only support staff may read the delivery log', 'FORBIDDEN');
    const problems: FieldError[] = [];
    if (!filter.recipientId && !filter.sourceEventId) problems.push({ field: 'recipientId', message: 'give recipientId or sourceEventId' });
    if (filter.recipientId && !isUuid(filter.recipientId)) problems.push({ field: 'recipientId', message: 'must be a UUID' });
    if (filter.sourceEventId && !isUuid(filter.sourceEventId)) problems.push({ field: 'sourceEventId', message: 'must be a UUID' });
    if (problems.length > 0) throw new ValidationError('invalid delivery filter', problems);
    const limit = pageSize(page.limit);
    const rows = await this.uow.reader.deliveries.list(
      {
        ...(filter.recipientId ? { recipientId: filter.recipientId.toLowerCase() } : {}),
        ...(filter.sourceEventId ? { sourceEventId: filter.sourceEventId.toLowerCase() } : {}),
      },
      limit + 1,
      decodeCursor(page.cursor),
    );
    return toPage(rows, limit, (r) => ({ at: r.createdAt, id: r.id }), (r) => r);
  }
}
