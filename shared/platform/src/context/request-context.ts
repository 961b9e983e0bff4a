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
}

const storage = new AsyncLocalStorage<RequestContext>();

export function runWithContext<T>(context: RequestContext, fn: () => T): T {
  return storage.run(context, fn);
}

export function currentContext(): RequestContext | undefined {
  return storage.getStore();
}
