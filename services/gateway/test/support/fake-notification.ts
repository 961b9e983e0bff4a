import { decodeCursor, encodeCursor, uuidv7 } from '@storytelling/kernel';
import type { InAppNotificationView, NotificationPort, NotificationPreferencesView } from '../../src/application/notification.port.js';
import type { Page, PageRequest } from '../../src/application/story.port.js';
import { FakePort } from './fake-port.js';
import { grpcError } from './grpc-error.js';

const ZONES = new Set(['UTC', 'Europe/Madrid', 'America/New_York']);

/**
 * In-memory stand-in for the notification service behind the NotificationPort, for tests of the
 * HTTP layer: per-caller notifications and preferences, NOT_FOUND for other users' ids, and the
 * service's field errors for a bad zone or an SMS without phone. The real rules run in the e2e test.
 */
export class FakeNotification extends FakePort implements NotificationPort {
  readonly notifications: Array<InAppNotificationView & { owner: string }> = [];
  readonly preferences = new Map<string, NotificationPreferencesView>();

  constructor() {
    super('notification');
  }

  add(owner: string, type = 'welcome'): InAppNotificationView {
    const n = { id: uuidv7(), owner, type, title: `t-${type}`, body: 'b', link: 'https://app.test/x', readAt: null, createdAt: new Date().toISOString() };
    this.notifications.unshift(n);
    return n;
  }

  async listNotifications(page: PageRequest, unreadOnly: boolean): Promise<Page<InAppNotificationView>> {
    this.record('listNotifications', page, unreadOnly);
    const me = this.callerId();
    const mine = this.notifications.filter((n) => n.owner === me && (!unreadOnly || n.readAt === null));
    // Real cursors (the gateway decodes them as the services do), positioned by the item's id.
    const after = decodeCursor(page.cursor);
    const start = after ? mine.findIndex((n) => n.id === after.id) + 1 : 0;
    const items = mine.slice(start, start + page.limit).map(({ owner: _owner, ...n }) => n);
    const last = items[items.length - 1];
    const next = start + page.limit < mine.length && last ? encodeCursor({ at: new Date(last.createdAt), id: last.id }) : null;
    return { items, nextCursor: next };
  }

  async markRead(notificationId: string): Promise<void> {
    this.record('markRead', notificationId);
    const n = this.notifications.find((x) => x.id === notificationId && x.owner === this.callerId());
    if (!n) throw grpcError(5, 'notification not found', 'NOTIFICATION_NOT_FOUND');
    n.readAt ??= new Date().toISOString();
  }

  async getPreferences(): Promise<NotificationPreferencesView> {
    this.record('getPreferences');
    return this.preferences.get(this.callerId()) ?? { email: true, sms: false, inApp: true, mutedTypes: [], quietHours: null, phone: null };
  }

  async updatePreferences(preferences: NotificationPreferencesView): Promise<NotificationPreferencesView> {
    this.record('updatePreferences', preferences);
    const errors: { field: string; message: string }[] = [];
    if (preferences.quietHours && !ZONES.has(preferences.quietHours.timeZone)) errors.push({ field: 'quietHours.timeZone', message: 'must be an IANA time zone' });
    if (preferences.sms && !preferences.phone) errors.push({ field: 'sms', message: 'SMS needs a phone number' });
    if (errors.length > 0) throw grpcError(3, 'invalid notification preferences', 'VALIDATION_FAILED', errors);
    this.preferences.set(this.callerId(), preferences);
    return preferences;
  }

}
