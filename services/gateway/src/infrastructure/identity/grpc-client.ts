import { grpc, type GrpcClient } from '@storytelling/platform';
import { createGrpcClient } from '@storytelling/platform';
import { PROTO_SERVICES, type identity } from '@storytelling/contracts';
import healthCheck from 'grpc-health-check';

export type IdentityGrpcClient = GrpcClient<identity.IdentityServiceClient>;

/** identity's gRPC client: deadlines and context metadata come from the platform helper. */
export function createIdentityClient(url: string, deadlineMs: number): IdentityGrpcClient {
  return createGrpcClient<identity.IdentityServiceClient>(PROTO_SERVICES.identity, { url, deadlineMs });
}

export interface HealthProbe {
  /** Resolves when the server answers grpc.health.v1 Check with SERVING for `service` ('' = server). */
  check(service?: string): Promise<void>;
  close(): void;
}

/**
 * A grpc.health.v1 client (what `/ready` asks identity).
 * LOCAL-UNTIL-SHARED: the platform has the health server (GrpcHealth) but no client yet.
 */
export function createHealthProbe(url: string, timeoutMs: number): HealthProbe {
  const Client = grpc.makeGenericClientConstructor(healthCheck.service, 'Health');
  const client = new Client(url, grpc.credentials.createInsecure());
  type Check = (
    req: { service: string },
    md: InstanceType<typeof grpc.Metadata>,
    opts: { deadline: number },
    cb: (err: Error | null, res?: { status?: string }) => void,
  ) => void;
  const check = (client as unknown as { check: Check }).check.bind(client);
  return {
    check: (service = '') =>
      new Promise<void>((resolve, reject) => {
        check({ service }, new grpc.Metadata(), { deadline: Date.now() + timeoutMs }, (err, res) => {
          if (err) reject(err);
          else if (res?.status !== 'SERVING') reject(new Error(`identity reports ${res?.status ?? 'UNKNOWN'}`));
          else resolve();
        });
      }),
    close: () => client.close(),
  };
}
