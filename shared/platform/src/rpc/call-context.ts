import { uuidv7 } from '@storytelling/kernel';
import { currentContext, isValidIdempotencyKey, type RequestContext } from '../context/request-context.js';
import { currentTraceparent } from '../telemetry/traceparent.js';
import { grpc, metadataValue, RpcMetadataKeys, type GrpcMetadata } from './grpc.js';

const CORRELATION_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const TRACEPARENT = /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;
const BEARER = /^Bearer\s+(\S+)$/i;

/**
 * Outgoing call metadata from a request context: `authorization: Bearer <token>`,
 * `x-correlation-id`, `x-causation-id`, `traceparent` (the active span's when tracing is on),
 * `idempotency-key`. Values already in `metadata` win.
 */
export function metadataFromContext(context: RequestContext | undefined = currentContext(), metadata: GrpcMetadata = new grpc.Metadata()): GrpcMetadata {
  if (!context) return metadata;
  const setIfAbsent = (key: string, value: string | undefined): void => {
    if (value !== undefined && value !== '' && metadata.get(key).length === 0) metadata.set(key, value);
  };
  setIfAbsent(RpcMetadataKeys.authorization, context.bearerToken ? `Bearer ${context.bearerToken}` : undefined);
  setIfAbsent(RpcMetadataKeys.correlationId, context.correlationId);
  setIfAbsent(RpcMetadataKeys.causationId, context.causationId);
  setIfAbsent(RpcMetadataKeys.traceparent, currentTraceparent() ?? context.traceparent);
  setIfAbsent(RpcMetadataKeys.idempotencyKey, context.idempotencyKey);
  return metadata;
}

/**
 * The request context of an incoming call. A missing or malformed correlation id (anything that
 * could smuggle text into logs) is replaced by a fresh UUIDv7; a malformed traceparent or
 * idempotency key is dropped (the gateway already refused it with 400).
 */
export function contextFromMetadata(metadata: GrpcMetadata | undefined): RequestContext {
  const correlation = metadataValue(metadata, RpcMetadataKeys.correlationId);
  const causation = metadataValue(metadata, RpcMetadataKeys.causationId);
  const traceparent = metadataValue(metadata, RpcMetadataKeys.traceparent);
  const bearer = bearerTokenFrom(metadataValue(metadata, RpcMetadataKeys.authorization));
  const idempotencyKey = metadataValue(metadata, RpcMetadataKeys.idempotencyKey);
  const context: RequestContext = {
    correlationId: correlation !== undefined && CORRELATION_ID.test(correlation) ? correlation : uuidv7(),
  };
  if (causation !== undefined && CORRELATION_ID.test(causation)) context.causationId = causation;
  if (traceparent !== undefined && TRACEPARENT.test(traceparent)) context.traceparent = traceparent;
  if (bearer !== undefined) context.bearerToken = bearer;
  if (isValidIdempotencyKey(idempotencyKey)) context.idempotencyKey = idempotencyKey;
  return context;
}

/** The token of an `Authorization: Bearer <token>` value. */
export function bearerTokenFrom(authorization: string | undefined): string | undefined {
  if (authorization === undefined) return undefined;
  const m = BEARER.exec(authorization.trim());
  return m ? m[1] : undefined;
}
