import { createGrpcClient, type GrpcClient, type ServiceHandle } from '@storytelling/platform';
import { serviceEnv } from './service-env.js';

type ProtoServiceRef = Parameters<typeof createGrpcClient>[0];

/** What every in-process start passes to a service's `create<Service>App`. */
export interface InProcessAppOptions {
  migrateOnStart: boolean;
  shutdownHooks: boolean;
}

export interface InProcessService<C> {
  handle: ServiceHandle;
  /** A gRPC client on the service's port (15 s deadline). */
  client: GrpcClient<C>;
  env: Record<string, string>;
  /** Closes the client, then the service. */
  close(): Promise<void>;
}

/**
 * The environment a service gets from `npm start`, for a process inside the test: free ports
 * (HTTP and gRPC on 0) and warn-level logs unless LOG_LEVEL says otherwise; `overrides` win.
 */
export function inProcessEnv(service: string, overrides: Record<string, string> = {}): Record<string, string> {
  return serviceEnv(service, { HTTP_PORT: '0', GRPC_PORT: '0', LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn', ...overrides });
}

/**
 * Starts a service in this process with `create` (its `create<Service>App`), migrated on start,
 * without shutdown hooks, and opens a gRPC client on it.
 */
export async function startInProcess<C, O extends object = Record<never, never>>(
  service: string,
  proto: ProtoServiceRef,
  create: (env: Record<string, string>, options: O & InProcessAppOptions) => Promise<ServiceHandle>,
  overrides: Record<string, string> = {},
  options?: O,
): Promise<InProcessService<C>> {
  const env = inProcessEnv(service, overrides);
  const handle = await create(env, { ...(options as O), migrateOnStart: true, shutdownHooks: false });
  const client = createGrpcClient<C>(proto, { url: handle.grpcUrl!, deadlineMs: 15_000 });
  return {
    handle,
    client,
    env,
    async close() {
      client.close();
      await handle.close();
    },
  };
}
