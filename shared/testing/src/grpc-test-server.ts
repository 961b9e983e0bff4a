import { grpc, GrpcStatus, loadGrpcServiceDefinition, type GrpcMetadata } from '@storytelling/platform';

type ProtoServiceRef = Parameters<typeof loadGrpcServiceDefinition>[0];

/** One unary method of a fake peer: the request and call metadata in, a response (or a thrown `{code, details}`) out. */
export type FakeUnaryHandler = (request: unknown, metadata: GrpcMetadata) => unknown;

export interface GrpcTestServer {
  /** `127.0.0.1:<port>`, for `<PEER>_GRPC_URL`. */
  url: string;
  stop(): Promise<void>;
}

/**
 * A real grpc-js server on a free loopback port that serves one published service with the given
 * handlers (by proto method name, e.g. `CheckQuota`); other methods answer UNIMPLEMENTED. A
 * handler that throws `{ code, details }` fails the call with that status. For tests that need a
 * peer service that is not part of the test.
 */
export async function startGrpcTestServer(ref: ProtoServiceRef, handlers: Record<string, FakeUnaryHandler>): Promise<GrpcTestServer> {
  const definition = loadGrpcServiceDefinition(ref);
  type Callback = (err: { code: number; details: string } | null, value?: unknown) => void;
  const impl: Record<string, (call: { request: unknown; metadata: GrpcMetadata }, callback: Callback) => void> = {};
  for (const name of Object.keys(definition)) {
    const handler = handlers[name];
    impl[name] = (call, callback) => {
      if (!handler) return callback({ code: GrpcStatus.UNIMPLEMENTED, details: `${name} is not faked` });
      Promise.resolve()
        .then(() => handler(call.request, call.metadata))
        .then(
          (response) => callback(null, response),
          (err: { code?: number; details?: string; message?: string }) =>
            callback({ code: err.code ?? GrpcStatus.INTERNAL, details: err.details ?? err.message ?? 'fake failure' }),
        );
    };
  }
  const server = new grpc.Server();
  server.addService(definition, impl as unknown as Parameters<typeof server.addService>[1]);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  return {
    url: `127.0.0.1:${port}`,
    stop: () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())),
  };
}
