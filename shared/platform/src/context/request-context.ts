import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * What travels with one unit of work (an HTTP request, a gRPC call, a consumed event):
 * logs, outgoing gRPC metadata, outbox rows and Kafka headers all read it from here.
 */
export interface RequestContext {
  correlationId: string;
  causationId?: string;
  traceparent?: string;
  /** The caller's bearer token, forwarded to downstream gRPC calls. */
  bearerToken?: string;
  /**
   * The client's `Idempotency-Key` (gateway header → gRPC metadata `idempotency-key`), read by
   * withIdempotency in the service that owns the effect (docs/adr/0015-idempotency-keys.md).
   */
  idempotencyKey?: string;
}

/** 1..255 visible ASCII characters: what an Idempotency-Key may be (API.md). */
export const IDEMPOTENCY_KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

export function isValidIdempotencyKey(value: unknown): value is string {
  return typeof value === 'string' && IDEMPOTENCY_KEY_PATTERN.test(value);
}

const storage = new AsyncLocalStorage<RequestContext>();

export function runWithContext<T>(context: RequestContext, fn: () => T): T {
  return storage.run(context, fn);
}

export function currentContext(): RequestContext | undefined {
  return storage.getStore();
}
