import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { context as otelContext, trace } from '@opentelemetry/api';
import { Observable } from 'rxjs';
import { runWithContext } from '../context/request-context.js';
import { endSpan, SpanKind, startPlatformSpan } from '../telemetry/platform-spans.js';
import { currentTraceparent } from '../telemetry/traceparent.js';
import { contextFromMetadata } from './call-context.js';
import { isMetadata, RpcMetadataKeys } from './grpc.js';

/**
 * Runs every gRPC handler inside `runWithContext(...)` built from the call metadata, so logs,
 * outgoing calls and outbox rows carry the caller's correlation id and bearer token.
 * With tracing on, the handler runs in a server span (grpc-js' instrumentation's when it made
 * one, else the platform's, child of the call's `traceparent`) and the context's traceparent
 * is that span's. The call's deadline goes into the context too (UnitOfWork honours it).
 * bootstrapService installs it on the gRPC microservice.
 */
@Injectable()
export class GrpcContextInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'rpc') return next.handle();
    const metadata: unknown = context.switchToRpc().getContext();
    const requestContext = contextFromMetadata(isMetadata(metadata) ? metadata : undefined);
    const deadline = callDeadline(context.getArgByIndex(2));
    if (deadline !== undefined) requestContext.deadline = deadline;
    // Remember a generated correlation id on the call, so the exception filter logs the same one.
    if (isMetadata(metadata) && metadata.get(RpcMetadataKeys.correlationId)[0] !== requestContext.correlationId) {
      metadata.set(RpcMetadataKeys.correlationId, requestContext.correlationId);
    }
    if (trace.getActiveSpan()) {
      requestContext.traceparent = currentTraceparent() ?? requestContext.traceparent;
      return new Observable<unknown>((subscriber) => runWithContext(requestContext, () => next.handle().subscribe(subscriber)));
    }
    const span = startPlatformSpan(`${context.getClass().name}/${context.getHandler().name}`, {
      kind: SpanKind.SERVER,
      parent: requestContext.traceparent ?? null,
      attributes: { 'rpc.system': 'grpc', 'rpc.service': context.getClass().name, 'rpc.method': context.getHandler().name },
    });
    if (span.traceparent) requestContext.traceparent = span.traceparent;
    let ended = false;
    const end = (err?: unknown): void => {
      if (ended) return;
      ended = true;
      endSpan(span.span, err);
    };
    return new Observable<unknown>((subscriber) => {
      const subscription = otelContext.with(span.context, () =>
        runWithContext(requestContext, () =>
          next.handle().subscribe({
            next: (value) => subscriber.next(value),
            error: (err: unknown) => {
              end(err);
              subscriber.error(err);
            },
            complete: () => {
              end();
              subscriber.complete();
            },
          }),
        ),
      );
      // A cancelled call ends its span too.
      return () => {
        subscription.unsubscribe();
        end();
      };
    });
  }
}

/** The call's deadline (epoch ms) from grpc-js' server call, if the client set one. */
export function callDeadline(call: unknown): number | undefined {
  if (typeof call !== 'object' || call === null || typeof (call as { getDeadline?: unknown }).getDeadline !== 'function') return undefined;
  const deadline: unknown = (call as { getDeadline(): unknown }).getDeadline();
  const at = deadline instanceof Date ? deadline.getTime() : typeof deadline === 'number' ? deadline : Number.NaN;
  return Number.isFinite(at) ? at : undefined;
}
