import { DomainError, type ErrorKind, type FieldError } from '@storytelling/kernel';
import { RpcException } from '@nestjs/microservices';
import { DeadlinePassedError } from '../context/request-context.js';
import { asciiJson, grpc, GrpcStatus, isMetadata, RpcMetadataKeys, type GrpcMetadata } from './grpc.js';

/** DomainError kind -> gRPC status (one table for the fleet). */
export const GRPC_STATUS_BY_KIND: Readonly<Record<ErrorKind, GrpcStatus>> = {
  validation: GrpcStatus.INVALID_ARGUMENT,
  unauthenticated: GrpcStatus.UNAUTHENTICATED,
  forbidden: GrpcStatus.PERMISSION_DENIED,
  not_found: GrpcStatus.NOT_FOUND,
  conflict: GrpcStatus.ALREADY_EXISTS,
  precondition: GrpcStatus.FAILED_PRECONDITION,
  business_rule: GrpcStatus.FAILED_PRECONDITION,
  unavailable: GrpcStatus.UNAVAILABLE,
};

/**
 * What a gRPC server sends for a failure: grpc-js reads `code`, `details` and `metadata` (trailers)
 * from the error a handler fails with.
 */
export class GrpcStatusError extends Error {
  constructor(
    readonly code: GrpcStatus,
    readonly details: string,
    readonly metadata: GrpcMetadata = new grpc.Metadata(),
  ) {
    super(details);
    this.name = 'GrpcStatusError';
  }
}

export interface ToGrpcStatusOptions {
  /** Seconds to advertise in x-retry-after for UNAVAILABLE. */
  retryAfterSeconds?: number;
}

/**
 * Any error -> the gRPC status to answer with.
 * - DomainError: status by kind, `x-error-code`, `x-error-kind`, `x-field-errors` (JSON) in trailers;
 * - an error that already is a gRPC status (RpcException({code, message}), GrpcStatusError) passes;
 * - DeadlinePassedError (the caller's deadline passed before the transaction) is DEADLINE_EXCEEDED;
 * - a failed downstream call that was UNAVAILABLE / DEADLINE_EXCEEDED becomes UNAVAILABLE;
 * - anything else is INTERNAL with no detail (the caller learns nothing about internals).
 */
export function toGrpcStatus(err: unknown, options: ToGrpcStatusOptions = {}): GrpcStatusError {
  if (err instanceof GrpcStatusError) return err;
  // The caller has gone; what it reads (if anything) says the deadline, as its own client did.
  if (err instanceof DeadlinePassedError) return new GrpcStatusError(GrpcStatus.DEADLINE_EXCEEDED, 'deadline exceeded; nothing was applied');
  if (err instanceof DomainError || isDomainErrorLike(err)) return fromDomainError(err, options);
  if (err instanceof RpcException) {
    const e = err.getError();
    if (typeof e === 'object' && e !== null && isStatusCode((e as { code?: unknown }).code)) {
      const { code, message, details, metadata } = e as { code: number; message?: unknown; details?: unknown; metadata?: unknown };
      const text = typeof details === 'string' ? details : typeof message === 'string' ? message : '';
      return new GrpcStatusError(code, text, isMetadata(metadata) ? metadata : new grpc.Metadata());
    }
    return internal();
  }
  if (isDownstreamFailure(err)) {
    if (err.code === GrpcStatus.UNAVAILABLE || err.code === GrpcStatus.DEADLINE_EXCEEDED) {
      const md = new grpc.Metadata();
      md.set(RpcMetadataKeys.errorCode, 'DEPENDENCY_UNAVAILABLE');
      md.set(RpcMetadataKeys.errorKind, 'unavailable');
      if (options.retryAfterSeconds !== undefined) md.set(RpcMetadataKeys.retryAfter, String(options.retryAfterSeconds));
      return new GrpcStatusError(GrpcStatus.UNAVAILABLE, 'a dependency is unavailable', md);
    }
  }
  return internal();
}

function internal(): GrpcStatusError {
  return new GrpcStatusError(GrpcStatus.INTERNAL, 'internal error');
}

/** A DomainError from another copy of @storytelling/kernel (src vs dist) still maps by kind. */
function isDomainErrorLike(err: unknown): err is DomainError {
  if (!(err instanceof Error)) return false;
  const e = err as { kind?: unknown; code?: unknown; fieldErrors?: unknown };
  return typeof e.kind === 'string' && e.kind in GRPC_STATUS_BY_KIND && typeof e.code === 'string' && Array.isArray(e.fieldErrors);
}

function fromDomainError(err: DomainError, options: ToGrpcStatusOptions): GrpcStatusError {
  const md = new grpc.Metadata();
  md.set(RpcMetadataKeys.errorCode, err.code);
  md.set(RpcMetadataKeys.errorKind, err.kind);
  if (err.fieldErrors.length > 0) {
    const fields: FieldError[] = err.fieldErrors.map((f) => ({ field: f.field, message: f.message }));
    md.set(RpcMetadataKeys.fieldErrors, asciiJson(fields));
  }
  if (err.kind === 'unavailable' && options.retryAfterSeconds !== undefined) {
    md.set(RpcMetadataKeys.retryAfter, String(options.retryAfterSeconds));
  }
  return new GrpcStatusError(GRPC_STATUS_BY_KIND[err.kind], err.message, md);
}

function isStatusCode(code: unknown): code is GrpcStatus {
  return typeof code === 'number' && Number.isInteger(code) && code >= 0 && code <= 16;
}

/** A grpc-js client error (ServiceError) from a call this server made. */
function isDownstreamFailure(err: unknown): err is { code: GrpcStatus } {
  return err instanceof Error && isStatusCode((err as { code?: unknown }).code) && isMetadata((err as { metadata?: unknown }).metadata);
}
