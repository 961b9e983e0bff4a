import type { GrpcClient } from '@storytelling/platform';
import { createGrpcClient } from '@storytelling/platform';
import { PROTO_SERVICES, type payments } from '@storytelling/contracts';

export type PaymentsGrpcClient = GrpcClient<payments.PaymentsServiceClient>;

/** The payments service's gRPC client: one channel for the gateway's lifetime. */
export function createPaymentsClient(url: string, deadlineMs: number): PaymentsGrpcClient {
  return createGrpcClient<payments.PaymentsServiceClient>(PROTO_SERVICES.payments, { url, deadlineMs });
}
