import { decodeCursor, pageSize, toPage, type Page, type PageRequest } from '@storytelling/kernel';
import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { Caller } from '@storytelling/platform';
import type { StoredNotification } from '../../domain/index.js';
import { NOTIFICATION_UNIT_OF_WORK, type NotificationUnitOfWork } from '../ports/index.js';

export class ListNotificationsQuery extends Query<Page<StoredNotification>> {
  constructor(
    readonly caller: Caller,
    readonly page: PageRequest,
    readonly unreadOnly: boolean,
  ) {
    super();
  }
}

/** The caller's in-app notifications, newest first (created_at, then id), keyset-paginated. */
@QueryHandler(ListNotificationsQuery)
export class ListNotificationsHandler implements IQueryHandler<ListNotificationsQuery> {
  constructor(@Inject(NOTIFICATION_UNIT_OF_WORK) private readonly uow: NotificationUnitOfWork) {}

  async execute(query: ListNotificationsQuery): Promise<Page<StoredNotification>> {
    const limit = pageSize(query.page.limit);
    const rows = await this.uow.reader.notifications.listInApp(query.caller.userId, limit + 1, decodeCursor(query.page.cursor), query.unreadOnly);
    return toPage(rows, limit, (r) => ({ at: r.createdAt, id: r.id }), (r) => r);
  }
}
