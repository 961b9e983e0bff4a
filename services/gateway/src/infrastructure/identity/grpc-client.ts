import type { GrpcClient } from '@storytelling/platform';
import { createGrpcClient } from '@storytelling/platform';
import { PROTO_SERVICES, type identity } from '@storytelling/contracts';

export type IdentityGrpcClient = GrpcClient<identity.IdentityServiceClient>;

/** identity's gRPC client: deadlines and context metadata come from the platform helper. */
export function createIdentityClient(url: string, deadlineMs: number): IdentityGrpcClient {
  return createGrpcClient<identity.IdentityServiceClient>(PROTO_SERVICES.identity, { url, deadlineMs });
}
