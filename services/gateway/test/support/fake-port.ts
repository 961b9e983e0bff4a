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
