import type { GrpcClient } from '@storytelling/platform';
import { createGrpcClient } from '@storytelling/platform';
import { PROTO_SERVICES, type notification } from '@storytelling/contracts';

export type NotificationGrpcClient = GrpcClient<notification.NotificationServiceClient>;

/** The notification service's gRPC client: one channel for the gateway's lifetime. */
export function createNotificationClient(url: string, deadlineMs: number): NotificationGrpcClient {
  return createGrpcClient<notification.NotificationServiceClient>(PROTO_SERVICES.notification, { url, deadlineMs });
}
