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
 * Waits until the service's Kafka consumers joined their group (the optional `consumers`
 * readiness check; services without one pass at once). A service serves before that; tests
 * that publish right after start expect its consumers to be there.
 */
export async function consumersJoined(handle: ServiceHandle, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const consumers = (await handle.readiness.report()).checks.consumers;
    if (!consumers || consumers.ok) return;
    if (Date.now() > deadline) throw new Error(`${handle.name}: consumers not joined after ${timeoutMs} ms (${consumers.error ?? 'no detail'})`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Starts a service in this process with `create` (its `create<Service>App`), migrated on start,
 * without shutdown hooks, waits for its consumers to join, and opens a gRPC client on it.
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
  await consumersJoined(handle).catch(async (error: unknown) => {
    await handle.close();
    throw error;
  });
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
