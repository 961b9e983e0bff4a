import { decodeCursor, encodeCursor } from '@storytelling/kernel';
import { currentContext, type RequestContext } from '@storytelling/platform';
import { grpcError } from './grpc-error.js';

export interface RecordedCall {
  method: string;
  /** The request context (bearer token, idempotency key, ...) the gateway passed down with the call. */
  context: RequestContext | undefined;
  args: unknown[];
}

/**
 * What every in-memory stand-in for a service behind a gateway port shares: it records each call
 * with its request context, fails every call with `failWith` when a test sets it, is unhealthy
 * when `healthy` is false, and reads the caller from the bearer token the gateway forwards.
 */
export abstract class FakePort {
  readonly calls: RecordedCall[] = [];
  failWith: Error | undefined;
  healthy = true;

  protected constructor(private readonly service: string) {}

  protected record(method: string, ...args: unknown[]): void {
    const ctx = currentContext();
    this.calls.push({ method, context: ctx ? { ...ctx } : undefined, args });
    if (this.failWith) throw this.failWith;
  }

  /** The `sub` of the forwarded bearer token (the fake does not verify it: the gateway did). */
  protected callerId(): string {
    const token = currentContext()?.bearerToken;
    if (!token) throw grpcError(16, 'no token', 'UNAUTHENTICATED');
    return (JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { sub: string }).sub;
  }

  /** Between tests: no failure injected, no calls recorded. */
  reset(): void {
    this.failWith = undefined;
    this.calls.length = 0;
  }

  async checkHealth(): Promise<void> {
    if (!this.healthy) throw new Error(`${this.service} is down`);
  }

  close(): void {}
}

/**
 * One page of `items` (already newest first) with real cursors, as the services page (the gateway
 * decodes cursors as they do): positioned by the id of the last item of the previous page.
 */
export function fakePage<T>(items: readonly T[], page: { limit: number; cursor?: string | undefined }, keyOf: (item: T) => { at: string; id: string }): { items: T[]; nextCursor: string | null } {
  const after = decodeCursor(page.cursor);
  const start = after ? items.findIndex((item) => keyOf(item).id === after.id) + 1 : 0;
  const slice = items.slice(start, start + page.limit);
  const last = slice[slice.length - 1];
  const more = start + page.limit < items.length && last !== undefined;
  return { items: slice, nextCursor: more ? encodeCursor({ at: new Date(keyOf(last).at), id: keyOf(last).id }) : null };
}
