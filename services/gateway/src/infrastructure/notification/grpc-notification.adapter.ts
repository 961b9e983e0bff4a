import type { notification } from '@storytelling/contracts';
import type { GrpcClient, GrpcHealthProbe } from '@storytelling/platform';
import type { InAppNotificationView, NotificationPort, NotificationPreferencesView } from '../../application/notification.port.js';
import type { Page, PageRequest } from '../../application/story.port.js';
import { ContractViolationError } from '../identity/grpc-identity.adapter.js';

/** The notification service's gRPC client (promise-based, built from the peer table by connectPeer). */
export type NotificationGrpcClient = GrpcClient<notification.NotificationServiceClient>;

const orNull = (v: string | undefined | null): string | null => (v === undefined || v === null || v === '' ? null : v);

function toInApp(n: notification.InAppNotification): InAppNotificationView {
  if (!n.id || !n.type) throw new ContractViolationError('notification', 'notification');
  return { id: n.id, type: n.type, title: n.title, body: n.body, link: orNull(n.link), readAt: orNull(n.readAt), createdAt: n.createdAt };
}

export function toPreferencesView(p: notification.Preferences | undefined): NotificationPreferencesView {
  if (!p) throw new ContractViolationError('preferences', 'notification');
  return {
    email: p.email,
    sms: p.sms,
    inApp: p.inApp,
    mutedTypes: [...(p.mutedTypes ?? [])],
    quietHours: p.quietHours ? { start: p.quietHours.start, end: p.quietHours.end, timeZone: p.quietHours.timeZone } : null,
    phone: orNull(p.phone),
  };
}

function toProto(p: NotificationPreferencesView): notification.Preferences {
  return {
    email: p.email,
    sms: p.sms,
    inApp: p.inApp,
    mutedTypes: [...p.mutedTypes],
    ...(p.quietHours ? { quietHours: { ...p.quietHours } } : {}),
    phone: p.phone ?? '',
  };
}

/** NotificationPort over the notification service's gRPC API (caller's token as metadata). */
export class GrpcNotificationAdapter implements NotificationPort {
  constructor(
    private readonly client: NotificationGrpcClient,
    private readonly health: GrpcHealthProbe,
  ) {}

  async listNotifications(page: PageRequest, unreadOnly: boolean): Promise<Page<InAppNotificationView>> {
    const res = await this.client.listNotifications({ page: { limit: page.limit, cursor: page.cursor ?? '' }, unreadOnly });
    return { items: (res.notifications ?? []).map(toInApp), nextCursor: orNull(res.page?.nextCursor) };
  }

  async markRead(notificationId: string): Promise<void> {
    await this.client.markNotificationRead({ notificationId });
  }

  async getPreferences(): Promise<NotificationPreferencesView> {
    return toPreferencesView((await this.client.getPreferences({})).preferences);
  }

  async updatePreferences(preferences: NotificationPreferencesView): Promise<NotificationPreferencesView> {
    return toPreferencesView((await this.client.updatePreferences({ preferences: toProto(preferences) })).preferences);
  }

  checkHealth(): Promise<void> {
    return this.health.check('');
  }

  close(): void {
    this.client.close();
    this.health.close();
  }
}
