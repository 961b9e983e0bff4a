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
  /**
   * When the caller stops waiting (epoch ms): a gRPC call's deadline. Past it the caller has been
   * told the call failed, so a transaction for it neither opens nor commits (UnitOfWork), and a
   * retry does not find the effect of an attempt it was told did not happen.
   */
  deadline?: number;
}

/** The caller's deadline passed before the work's transaction opened or committed: nothing was applied. */
export class DeadlinePassedError extends Error {
  constructor(readonly deadline: number) {
    super(`the caller's deadline passed ${new Date(deadline).toISOString()}; nothing was applied`);
    this.name = 'DeadlinePassedError';
  }
}

/** Throws DeadlinePassedError when the context's deadline is at or before `now`. */
export function assertBeforeDeadline(context: RequestContext | undefined = storage.getStore(), now: number = Date.now()): void {
  if (context?.deadline !== undefined && now >= context.deadline) throw new DeadlinePassedError(context.deadline);
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
