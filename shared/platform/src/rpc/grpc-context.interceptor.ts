import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { Observable } from 'rxjs';
import { runWithContext } from '../context/request-context.js';
import { contextFromMetadata } from './call-context.js';
import { isMetadata, RpcMetadataKeys } from './grpc.js';

/**
 * Runs every gRPC handler inside `runWithContext(...)` built from the call metadata, so logs,
 * outgoing calls and outbox rows carry the caller's correlation id and bearer token.
 * bootstrapService installs it on the gRPC microservice.
 */
@Injectable()
export class GrpcContextInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'rpc') return next.handle();
    const metadata: unknown = context.switchToRpc().getContext();
    const requestContext = contextFromMetadata(isMetadata(metadata) ? metadata : undefined);
    // Remember a generated correlation id on the call, so the exception filter logs the same one.
    if (isMetadata(metadata) && metadata.get(RpcMetadataKeys.correlationId)[0] !== requestContext.correlationId) {
      metadata.set(RpcMetadataKeys.correlationId, requestContext.correlationId);
    }
    return new Observable<unknown>((subscriber) => runWithContext(requestContext, () => next.handle().subscribe(subscriber)));
  }
}
