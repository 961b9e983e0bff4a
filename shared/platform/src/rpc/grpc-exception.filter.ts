import { Catch, type ArgumentsHost, type RpcExceptionFilter } from '@nestjs/common';
import { throwError, type Observable } from 'rxjs';
import { getLogger } from '../logging/logger.js';
import { contextFromMetadata } from './call-context.js';
import { toGrpcStatus, type GrpcStatusError } from './domain-to-grpc.js';
import { GrpcStatus, isMetadata } from './grpc.js';

const log = getLogger('grpc');

/** The gRPC method path of the call being handled, e.g. /storytelling.identity.v1.IdentityService/GetMe. */
export function grpcMethodPath(host: ArgumentsHost): string | undefined {
  const call: unknown = host.getArgByIndex(2);
  if (typeof call === 'object' && call !== null && typeof (call as { getPath?: unknown }).getPath === 'function') {
    return (call as { getPath(): string }).getPath();
  }
  return undefined;
}

/**
 * The one place gRPC servers turn exceptions into statuses (see toGrpcStatus). Domain errors are
 * expected outcomes (logged at debug); anything unexpected is logged with its stack and answered
 * INTERNAL without detail.
 */
@Catch()
export class GrpcExceptionFilter implements RpcExceptionFilter<unknown> {
  catch(exception: unknown, host: ArgumentsHost): Observable<never> {
    const status: GrpcStatusError = toGrpcStatus(exception);
    const metadata: unknown = host.getType() === 'rpc' ? host.switchToRpc().getContext() : undefined;
    const fields = {
      method: grpcMethodPath(host),
      correlationId: contextFromMetadata(isMetadata(metadata) ? metadata : undefined).correlationId,
      grpcCode: GrpcStatus[status.code],
    };
    if (status.code === GrpcStatus.INTERNAL || status.code === GrpcStatus.UNKNOWN) {
      log.error({ ...fields, err: exception }, 'gRPC handler failed');
    } else {
      log.debug({ ...fields, errorCode: status.metadata.get('x-error-code')[0] }, 'gRPC handler rejected the call');
    }
    return throwError(() => status);
  }
}
