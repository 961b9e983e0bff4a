import { isAbsolute } from 'node:path';
import protoLoader from '@grpc/proto-loader';
import type { ChannelCredentials, ChannelOptions, Client, ServiceError } from '@grpc/grpc-js';
import type { Observable } from 'rxjs';
import { protoFile, protoRoot, type ProtoServiceRef } from '@storytelling/contracts';
import type { ReadinessCheck } from '../health/readiness.js';
import { grpcClientMetrics } from '../metrics/grpc-metrics.js';
import { currentContext } from '../context/request-context.js';
import { metadataFromContext } from './call-context.js';
import { grpc, GrpcStatus, isMetadata, type GrpcMetadata } from './grpc.js';
import { GRPC_LOADER_OPTIONS } from './server-options.js';

/** Per-call options of a platform gRPC client. */
export interface RpcCallOptions {
  /** Overrides the client's deadline for this call. */
  deadlineMs?: number;
  /** Extra metadata; `authorization`, `x-correlation-id`, `traceparent` come from currentContext() unless set here. */
  metadata?: GrpcMetadata | Readonly<Record<string, string>>;
}

/**
 * The promise-based face of a generated NestJS client interface (ts-proto `XServiceClient`):
 * `register(request, metadata?) => Observable<R>` becomes `register(request, options?) => Promise<R>`.
 */
export type PromiseClient<C> = {
  [K in keyof C]: C[K] extends (request: infer Req, metadata?: GrpcMetadata) => Observable<infer Res>
    ? (request: Req, options?: RpcCallOptions) => Promise<Res>
    : never;
};

export interface GrpcClientControl {
  /** Closes the channel. */
  close(): void;
  /** Resolves once the channel is connected; rejects after `timeoutMs`. */
  waitForReady(timeoutMs?: number): Promise<void>;
  /** A readiness check for ReadinessRegistry that connects (or reuses) the channel. */
  readinessCheck(name?: string): ReadinessCheck;
}

export type GrpcClient<C> = PromiseClient<C> & GrpcClientControl;

export interface GrpcClientOptions {
  /** `host:port` of the peer, e.g. from IDENTITY_GRPC_URL. */
  url: string;
  /** Deadline of each call (GRPC_DEADLINE_MS); default 5000. */
  deadlineMs?: number;
  /** Default insecure (inside the cluster network policy); pass TLS credentials where needed. */
  credentials?: ChannelCredentials;
  channelOptions?: ChannelOptions;
  /** Extra import roots (the proto root is always included). */
  includeDirs?: readonly string[];
}

interface MethodDefinitionLike {
  path: string;
  originalName?: string;
  requestStream: boolean;
  responseStream: boolean;
  requestSerialize: (value: unknown) => Buffer;
  responseDeserialize: (bytes: Buffer) => unknown;
}

/**
 * A typed client of one published service, over @grpc/grpc-js with the platform's loader options.
 * Every call carries a deadline (its own, or the incoming call's when that is sooner) and the caller's context as metadata (`authorization`,
 * `x-correlation-id`, `x-causation-id`, `traceparent` from currentContext()), and is timed in the
 * `grpc_client_handling_seconds` histogram. Failures reject with grpc-js' ServiceError; map them
 * with grpcErrorToProblem (gateway) or let toGrpcStatus turn them into UNAVAILABLE/INTERNAL.
 *
 *   const identity = createGrpcClient<identity.IdentityServiceClient>(PROTO_SERVICES.identity, { url, deadlineMs });
 *   const { user } = await identity.getMe({});
 */
export function createGrpcClient<C>(ref: ProtoServiceRef, options: GrpcClientOptions): GrpcClient<C> {
  const file = isAbsolute(ref.file) ? ref.file : protoFile(ref.file);
  const definition = protoLoader.loadSync(file, { ...GRPC_LOADER_OPTIONS, includeDirs: [protoRoot(), ...(options.includeDirs ?? [])] });
  const serviceName = `${ref.package}.${ref.service}`;
  const service = definition[serviceName] as unknown as Record<string, MethodDefinitionLike> | undefined;
  if (!service || typeof service !== 'object' || 'format' in service) {
    throw new Error(`service ${serviceName} not found in ${file}`);
  }
  const ClientCtor = grpc.makeGenericClientConstructor({}, serviceName);
  const client: Client = new ClientCtor(options.url, options.credentials ?? grpc.credentials.createInsecure(), options.channelOptions ?? {});
  const deadlineMs = options.deadlineMs ?? 5000;
  const methods: Record<string, (request: unknown, callOptions?: RpcCallOptions) => Promise<unknown>> = {};

  for (const [name, method] of Object.entries(service)) {
    if (method.requestStream || method.responseStream) continue; // unary only: streams are not part of the fleet's contracts
    const key = method.originalName ?? name.charAt(0).toLowerCase() + name.slice(1);
    const timer = grpcClientMetrics(serviceName, name);
    methods[key] = (request, callOptions = {}) =>
      new Promise((resolve, reject) => {
        const metadata = toMetadata(callOptions.metadata);
        metadataFromContext(undefined, metadata);
        const done = timer();
        client.makeUnaryRequest(
          method.path,
          method.requestSerialize,
          method.responseDeserialize,
          request,
          metadata,
          { deadline: callDeadline(callOptions.deadlineMs ?? deadlineMs) },
          (err: ServiceError | null, value?: unknown) => {
            done(err ? err.code : GrpcStatus.OK);
            if (err) reject(err);
            else resolve(value);
          },
        );
      });
  }

  const control: GrpcClientControl = {
    close: () => client.close(),
    waitForReady: (timeoutMs = deadlineMs) =>
      new Promise<void>((resolve, reject) => {
        client.waitForReady(Date.now() + timeoutMs, (err) => (err ? reject(err) : resolve()));
      }),
    readinessCheck: (name = `grpc:${ref.service}`) => ({
      name,
      check: () => control.waitForReady(Math.min(deadlineMs, 2000)),
    }),
  };
  return Object.assign(methods, control) as GrpcClient<C>;
}

/**
 * This call's deadline: its own, or sooner if the call made inside it (gRPC or consumed event)
 * has a caller that gives up sooner — nothing downstream outlives the caller's wait.
 */
function callDeadline(ownMs: number): number {
  const own = Date.now() + ownMs;
  const inherited = currentContext()?.deadline;
  return inherited !== undefined && inherited < own ? inherited : own;
}

function toMetadata(value: RpcCallOptions['metadata']): GrpcMetadata {
  if (value === undefined) return new grpc.Metadata();
  if (isMetadata(value)) return value.clone();
  const md = new grpc.Metadata();
  for (const [k, v] of Object.entries(value)) md.set(k, v);
  return md;
}
