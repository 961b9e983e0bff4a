import { type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { tap, type Observable } from 'rxjs';
import { histogram } from './registry.js';
import grpcJs from '@grpc/grpc-js';

const serverDuration = () =>
  histogram('grpc_server_handling_seconds', 'gRPC calls handled by this server', ['grpc_service', 'grpc_method', 'grpc_code'] as const);
const clientDuration = () =>
  histogram('grpc_client_handling_seconds', 'gRPC calls made by this process', ['grpc_service', 'grpc_method', 'grpc_code'] as const);

/** Starts timing one client call; the returned function records it with the final status code. */
export function grpcClientMetrics(service: string, method: string): () => (code: number) => void {
  const metric = clientDuration();
  return () => {
    const end = metric.startTimer({ grpc_service: service, grpc_method: method });
    return (code) => end({ grpc_code: grpcJs.status[code] ?? String(code) });
  };
}

function splitPath(context: ExecutionContext): { service: string; method: string } {
  const call: unknown = context.getArgByIndex(2);
  const path = typeof call === 'object' && call !== null && typeof (call as { getPath?: unknown }).getPath === 'function'
    ? (call as { getPath(): string }).getPath()
    : undefined;
  const m = path ? /^\/([^/]+)\/([^/]+)$/.exec(path) : null;
  return m ? { service: m[1]!, method: m[2]! } : { service: context.getClass().name, method: context.getHandler().name };
}

/**
 * Times every gRPC handler into `grpc_server_handling_seconds{grpc_service,grpc_method,grpc_code}`.
 * The code of a failure is resolved by the rpc area's error mapping (`codeOf`); bootstrapService
 * passes `(err) => toGrpcStatus(err).code`.
 */
export class GrpcMetricsInterceptor implements NestInterceptor {
  constructor(private readonly codeOf: (err: unknown) => number = () => grpcJs.status.UNKNOWN) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'rpc') return next.handle();
    const { service, method } = splitPath(context);
    const end = serverDuration().startTimer({ grpc_service: service, grpc_method: method });
    return next.handle().pipe(
      tap({
        complete: () => end({ grpc_code: 'OK' }),
        error: (err: unknown) => end({ grpc_code: grpcJs.status[this.codeOf(err)] ?? 'UNKNOWN' }),
      }),
    );
  }
}
