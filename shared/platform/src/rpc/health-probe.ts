import healthCheck from 'grpc-health-check';
import { grpc } from './grpc.js';

export interface GrpcHealthProbe {
  /** Resolves when the peer answers grpc.health.v1 Check with SERVING for `service` ('' = whole server). */
  check(service?: string): Promise<void>;
  close(): void;
}

/** A grpc.health.v1 client: what a caller's `/ready` asks of the peers it cannot work without. */
export function createGrpcHealthProbe(url: string, timeoutMs: number): GrpcHealthProbe {
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
          else if (res?.status !== 'SERVING') reject(new Error(`${url} reports ${res?.status ?? 'UNKNOWN'}`));
          else resolve();
        });
      }),
    close: () => client.close(),
  };
}
