import { GrpcStatus } from '@storytelling/platform';

const STATUS_NAMES = GrpcStatus as unknown as Readonly<Record<number, string>>;

/**
 * `<gRPC status name>:<x-error-code>` of a failed call, or `ok`: one string a test can compare,
 * so an assertion names both the status and the stable error code. Non-gRPC errors are rethrown.
 */
export async function grpcOutcome(call: Promise<unknown>): Promise<string> {
  try {
    await call;
    return 'ok';
  } catch (err) {
    const e = err as { code?: number; metadata?: { get(key: string): unknown[] } };
    if (typeof e.code !== 'number') throw err;
    const code = e.metadata?.get('x-error-code')[0];
    return `${STATUS_NAMES[e.code] ?? e.code}:${code === undefined ? '' : String(code)}`;
  }
}
