// @grpc/grpc-js is CommonJS: import it through its default export, which works the same in
// Node ESM, under jest's VM modules and in the compiled dist.
import grpcJs from '@grpc/grpc-js';
import type { Metadata as GrpcMetadata } from '@grpc/grpc-js';

export const grpc = grpcJs;
export const GrpcStatus = grpcJs.status;
export type GrpcStatus = grpcJs.status;
export type { GrpcMetadata };

/** Metadata keys the platform reads and writes (docs/adr/0004-proto-as-published-language.md). */
export const RpcMetadataKeys = {
  /** Stable UPPER_SNAKE error code (API.md). */
  errorCode: 'x-error-code',
  /** The DomainError kind (validation, not_found, ...), so the gateway maps without guessing. */
  errorKind: 'x-error-kind',
  /** JSON array of {field, message}. */
  fieldErrors: 'x-field-errors',
  /** Seconds the caller should wait before retrying (UNAVAILABLE). */
  retryAfter: 'x-retry-after',
  authorization: 'authorization',
  correlationId: 'x-correlation-id',
  causationId: 'x-causation-id',
  traceparent: 'traceparent',
  /** The client's Idempotency-Key, for the service that owns the effect. */
  idempotencyKey: 'idempotency-key',
} as const;

/** Structural check: grpc-js may be loaded twice (e.g. NestJS requires it, tests import it), so no instanceof. */
export function isMetadata(value: unknown): value is GrpcMetadata {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as GrpcMetadata).get === 'function' &&
    typeof (value as GrpcMetadata).set === 'function' &&
    typeof (value as GrpcMetadata).getMap === 'function'
  );
}

/** First value of a metadata key as a string. */
export function metadataValue(metadata: GrpcMetadata | undefined, key: string): string | undefined {
  const v = metadata?.get(key)[0];
  if (v === undefined) return undefined;
  return typeof v === 'string' ? v : v.toString('utf8');
}

/** JSON whose non-ASCII characters are \u-escaped: gRPC metadata values must be printable ASCII. */
export function asciiJson(value: unknown): string {
  return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
