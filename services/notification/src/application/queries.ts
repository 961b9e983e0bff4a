import type { Clock } from '@storytelling/kernel';
import { ForbiddenError, NotFoundError, ValidationError, isUuid } from '@storytelling/kernel';
import { Inject, Injectable } from '@nestjs/common';
import { validatePreferences, type Preferences, type PreferencesInput } from '../domain/index.js';
import { decodeCursor, pageSize, toPage, type Page, type PageRequest } from '@storytelling/kernel';
import { CLOCK, NOTIFICATION_UNIT_OF_WORK, type DeliveryRecord, type NotificationRecord, type NotificationUnitOfWork } from './ports/index.js';

/** Who calls (from the verified bearer token). */
export interface Viewer {
  userId: string;
  role: string;
}

/** Roles that may read the delivery log (support work). */
export const DELIVERY_LOG_ROLES: readonly string[] = ['admin', 'super-admin', 'customer-support'];

export class NotificationNotFoundError extends NotFoundError {
  constructor() {
    super('notification', 'NOTIFICATION_NOT_FOUND');
  }
}

/** The caller's notifications and preferences, and the support delivery log. */
@Injectable()
export class NotificationQueries {
  constructor(
    @Inject(NOTIFICATION_UNIT_OF_WORK) private readonly uow: NotificationUnitOfWork,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** A user identity has not told us about yet gets the defaults they will start with. */
  async preferences(viewer: Viewer): Promise<Preferences> {
    const recipient = await this.uow.reader.recipients.find(viewer.userId);
    if (!recipient || !recipient.active) throw new NotFoundError('recipient', 'RECIPIENT_NOT_FOUND');
    return recipient.preferences;
  }

  async updatePreferences(viewer: Viewer, input: PreferencesInput): Promise<Preferences> {
    const preferences = validatePreferences(input);
    return this.uow.run(async (repos) => {
      const recipient = await repos.recipients.find(viewer.userId, { lock: true });
      if (!recipient || !recipient.active) throw new NotFoundError('recipient', 'RECIPIENT_NOT_FOUND');
      await repos.recipients.updatePreferences(recipient.id, preferences, this.clock.now());
      return preferences;
    });
  }

  async listNotifications(viewer: Viewer, page: PageRequest, unreadOnly: boolean): Promise<Page<NotificationRecord>> {
    const limit = pageSize(page.limit);
    const rows = await this.uow.reader.notifications.listInApp(viewer.userId, limit + 1, decodeCursor(page.cursor), unreadOnly);
    return toPage(rows, limit, (r) => ({ at: r.createdAt, id: r.id }), (r) => r);
  }

  /** Idempotent; another user's (or an unknown) id is NOT_FOUND, never FORBIDDEN (no existence leak). */
  async markRead(viewer: Viewer, notificationId: string): Promise<void> {
    if (!isUuid(notificationId)) throw new NotificationNotFoundError();
    const ok = await this.uow.reader.notifications.markRead(notificationId.toLowerCase(), viewer.userId, this.clock.now());
    if (!ok) throw new NotificationNotFoundError();
  }

  async listDeliveries(viewer: Viewer, filter: { recipientId: string; sourceEventId: string }, page: PageRequest): Promise<Page<DeliveryRecord>> {
    if (!DELIVERY_LOG_ROLES.includes(viewer.role)) throw new ForbiddenError('only support staff may read the delivery log', 'FORBIDDEN');
    const problems = [];
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
