import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RawMiddleware } from './raw-middleware.js';

type Middleware = (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void;

/**
 * helmet's headers, set by one middleware. With static options (no nonce functions), what
 * helmet's twelve chained middlewares do to a response does not depend on the request: the
 * configured helmet runs once here, against a recording response, and every answer then gets
 * the same headers (and loses the same ones) in the same order, without the per-request chain
 * (docs/benchmarks.md, gateway read path). helmet stays the source of the values.
 */
export function staticSecurityHeaders(helmetMiddleware: Middleware): RawMiddleware {
  const set: Array<[string, string]> = [];
  const removed: string[] = [];
  const recorder = {
    setHeader(name: string, value: unknown): unknown {
      if (typeof value !== 'string') throw new Error(`security header ${name} is not a static string`);
      set.push([name, value]);
      return recorder;
    },
    removeHeader(name: string): void {
      removed.push(name);
    },
  };
  let finished = false;
  helmetMiddleware({} as IncomingMessage, recorder as unknown as ServerResponse, (err?: unknown) => {
    if (err) throw err instanceof Error ? err : new Error(String(err));
    finished = true;
  });
  // A directive that needs the request (a nonce function) would not finish here, or would throw above.
  if (!finished) throw new Error('security headers: helmet did not finish synchronously');
  return (_req, res, next): void => {
    for (const [name, value] of set) res.setHeader(name, value);
    for (const name of removed) res.removeHeader(name);
    next();
  };
}
