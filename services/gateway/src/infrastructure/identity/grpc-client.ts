import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { PROTO_SERVICES, protoFile, protoRoot, type ProtoServiceRef } from '@storytelling/contracts';
import { currentContext } from '@storytelling/platform';
import { service as healthService } from 'grpc-health-check';

/**
 * LOCAL-UNTIL-SHARED: a minimal gRPC client helper (the platform rpc area's job): loads a
 * published service with proto-loader, gives every call a deadline and the request context's
 * metadata (authorization, x-correlation-id, traceparent), and checks the server with the
 * standard grpc.health.v1 protocol. Replace with `@storytelling/platform` rpc when it lands.
 */
export interface UnaryClient {
  call<Req extends object, Res>(method: string, request: Req): Promise<Res>;
  /** Resolves when the server reports SERVING for `service` ('' = the whole server). */
  checkHealth(service?: string): Promise<void>;
  close(): void;
}

const LOADER_OPTIONS: protoLoader.Options = { keepCase: false, longs: String, enums: String, defaults: true, oneofs: true };

type UnaryMethod = (
  request: object,
  metadata: grpc.Metadata,
  options: grpc.CallOptions,
  callback: (err: grpc.ServiceError | null, response?: unknown) => void,
) => grpc.ClientUnaryCall;

export function outgoingMetadata(): grpc.Metadata {
  const md = new grpc.Metadata();
  const ctx = currentContext();
  if (ctx) {
    md.set('x-correlation-id', ctx.correlationId);
    if (ctx.traceparent) md.set('traceparent', ctx.traceparent);
    if (ctx.bearerToken) md.set('authorization', `Bearer ${ctx.bearerToken}`);
  }
  return md;
}

export function createUnaryClient(ref: ProtoServiceRef, target: string, deadlineMs: number): UnaryClient {
  const definition = protoLoader.loadSync(protoFile(ref.file), { ...LOADER_OPTIONS, includeDirs: [protoRoot()] });
  const pkg = grpc.loadPackageDefinition(definition);
  const Ctor = [...ref.package.split('.'), ref.service].reduce<unknown>(
    (node, key) => (node as Record<string, unknown> | undefined)?.[key],
    pkg,
  ) as grpc.ServiceClientConstructor | undefined;
  if (typeof Ctor !== 'function') throw new Error(`service ${ref.package}.${ref.service} not found in ${ref.file}`);
  const channelOptions: grpc.ChannelOptions = {
    'grpc.keepalive_time_ms': 30_000,
    'grpc.keepalive_timeout_ms': 10_000,
    'grpc.initial_reconnect_backoff_ms': 200,
    'grpc.max_reconnect_backoff_ms': 2_000,
  };
  const client = new Ctor(target, grpc.credentials.createInsecure(), channelOptions);
  const HealthClient = grpc.makeGenericClientConstructor(healthService, 'Health');
  const health = new HealthClient(target, grpc.credentials.createInsecure(), channelOptions);

  const invoke = <Res>(target: grpc.Client, method: string, request: object, metadata: grpc.Metadata, deadline: number): Promise<Res> => {
    const fn = (target as unknown as Record<string, UnaryMethod | undefined>)[method];
    if (typeof fn !== 'function') return Promise.reject(new Error(`unknown gRPC method ${method}`));
    return new Promise<Res>((resolve, reject) => {
      fn.call(target, request, metadata, { deadline: Date.now() + deadline }, (err, response) => {
        if (err) reject(err);
        else resolve(response as Res);
      });
    });
  };

  return {
    call: <Req extends object, Res>(method: string, request: Req) => invoke<Res>(client, method, request, outgoingMetadata(), deadlineMs),
    async checkHealth(service = ''): Promise<void> {
      const res = await invoke<{ status?: string }>(health, 'check', { service }, new grpc.Metadata(), Math.min(deadlineMs, 2000));
      if (res.status !== 'SERVING') throw new Error(`health status ${res.status ?? 'UNKNOWN'}`);
    },
    close(): void {
      client.close();
      health.close();
    },
  };
}

export const IDENTITY_SERVICE = PROTO_SERVICES.identity;
