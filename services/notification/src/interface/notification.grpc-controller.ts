import type { Page } from '@storytelling/kernel';
import { Controller, Inject } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { CallerResolver, type MetadataLike } from '@storytelling/platform';
import { notification } from '@storytelling/contracts';
import { GetPreferencesQuery, ListDeliveriesQuery, ListNotificationsQuery, MarkNotificationReadCommand, UpdatePreferencesCommand } from '../application/index.js';
import type { Preferences, PreferencesInput, StoredDelivery, StoredNotification } from '../domain/index.js';

/**
 * notification's gRPC surface (proto/storytelling/notification/v1/notification_service.proto).
 * Every method resolves the caller from the bearer token first, then runs a command or query;
 * DomainErrors map to statuses through the platform's gRPC filter.
 */
@Controller()
@notification.NotificationServiceControllerMethods()
export class NotificationGrpcController implements notification.NotificationServiceController {
  constructor(
    @Inject(CommandBus) private readonly commands: CommandBus,
    @Inject(QueryBus) private readonly queries: QueryBus,
    @Inject(CallerResolver) private readonly callers: CallerResolver,
  ) {}

  async listNotifications(request: notification.ListNotificationsRequest, metadata?: MetadataLike): Promise<notification.ListNotificationsResponse> {
    const caller = await this.callers.require(metadata);
    const page: Page<StoredNotification> = await this.queries.execute(new ListNotificationsQuery(caller, pageRequest(request.page), request.unreadOnly));
    return { notifications: page.items.map(toInApp), page: { nextCursor: page.nextCursor ?? '' } };
  }

  async markNotificationRead(request: notification.MarkNotificationReadRequest, metadata?: MetadataLike): Promise<notification.MarkNotificationReadResponse> {
    const caller = await this.callers.require(metadata);
    await this.commands.execute(new MarkNotificationReadCommand(caller, request.notificationId));
    return {};
  }

  async getPreferences(_request: notification.GetPreferencesRequest, metadata?: MetadataLike): Promise<notification.GetPreferencesResponse> {
    const caller = await this.callers.require(metadata);
    return { preferences: toProtoPreferences(await this.queries.execute(new GetPreferencesQuery(caller))) };
  }

  async updatePreferences(request: notification.UpdatePreferencesRequest, metadata?: MetadataLike): Promise<notification.UpdatePreferencesResponse> {
    const caller = await this.callers.require(metadata);
    const updated = await this.commands.execute(new UpdatePreferencesCommand(caller, fromProtoPreferences(request.preferences)));
    return { preferences: toProtoPreferences(updated) };
  }

  async listDeliveries(request: notification.ListDeliveriesRequest, metadata?: MetadataLike): Promise<notification.ListDeliveriesResponse> {
    const caller = await this.callers.require(metadata);
    const page: Page<StoredDelivery> = await this.queries.execute(
      new ListDeliveriesQuery(caller, { recipientId: request.recipientId, sourceEventId: request.sourceEventId }, pageRequest(request.page)),
    );
    return { deliveries: page.items.map(toProtoDelivery), page: { nextCursor: page.nextCursor ?? '' } };
  }
}

function pageRequest(page: { limit: number; cursor: string } | undefined): { limit?: number; cursor?: string } {
  return { limit: page?.limit ?? 0, cursor: page?.cursor ?? '' };
}

function toInApp(n: StoredNotification): notification.InAppNotification {
  return {
    id: n.id,
    type: n.type,
    title: n.title ?? '',
    body: n.body ?? '',
    link: n.link ?? '',
    readAt: n.readAt?.toISOString() ?? '',
    createdAt: n.createdAt.toISOString(),
  };
}

export function toProtoPreferences(p: Preferences): notification.Preferences {
  return {
    email: p.email,
    sms: p.sms,
    inApp: p.inApp,
    mutedTypes: [...p.mutedTypes],
    ...(p.quietHours ? { quietHours: { ...p.quietHours } } : {}),
    phone: p.phone ?? '',
  };
}

/** An absent message is all-off; absent quiet hours are none (proto3 message presence). */
function fromProtoPreferences(p: notification.Preferences | undefined): PreferencesInput {
  return {
    email: p?.email ?? false,
    sms: p?.sms ?? false,
    inApp: p?.inApp ?? false,
    mutedTypes: p?.mutedTypes ?? [],
    quietHours: p?.quietHours ? { start: p.quietHours.start, end: p.quietHours.end, timeZone: p.quietHours.timeZone } : null,
    phone: p?.phone ? p.phone : null,
  };
}

function toProtoDelivery(d: StoredDelivery): notification.Delivery {
  return {
    id: d.id,
    notificationId: d.notificationId,
    recipientId: d.recipientId,
    type: d.type,
    channel: d.channel,
    sourceEventId: d.sourceEventId,
    status: d.status,
    attempts: d.attempts,
    lastError: d.lastError ?? '',
    providerMessageId: d.providerMessageId ?? '',
    createdAt: d.createdAt.toISOString(),
    sentAt: d.sentAt?.toISOString() ?? '',
    nextAttemptAt: d.nextAttemptAt?.toISOString() ?? '',
  };
}
