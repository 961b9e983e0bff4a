import { histogram } from './registry.js';

/** The few express request/response members the middleware needs (no express type dependency). */
interface HttpRequestLike {
  method: string;
  baseUrl?: string;
  route?: { path?: unknown };
}
interface HttpResponseLike {
  statusCode: number;
  once(event: 'finish' | 'close', listener: () => void): unknown;
}

const httpDuration = () =>
  histogram('http_request_duration_seconds', 'HTTP requests by method, route and status', ['method', 'route', 'status_code'] as const);

/**
 * Express middleware timing every request into `http_request_duration_seconds`. The route label is
 * the matched route pattern (`/users/:id`), never the raw URL, so cardinality stays bounded;
 * unmatched requests are labelled `unmatched`.
 */
export function httpMetricsMiddleware(): (req: HttpRequestLike, res: HttpResponseLike, next: () => void) => void {
  const metric = httpDuration();
  return (req, res, next) => {
    const end = metric.startTimer();
    let recorded = false;
    const record = (): void => {
      if (recorded) return;
      recorded = true;
      const path = typeof req.route?.path === 'string' ? `${req.baseUrl ?? ''}${req.route.path}` : 'unmatched';
      end({ method: req.method, route: path, status_code: String(res.statusCode) });
    };
    res.once('finish', record);
    res.once('close', record);
    next();
  };
}
