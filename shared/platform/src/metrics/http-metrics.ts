import { histogram } from './registry.js';

/** The few express request/response members the middleware needs by default (no express type dependency). */
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

export interface HttpMetricsOptions<Req> {
  /**
   * The route pattern `req` matched (`/users/:id`), read when the response ends; undefined when
   * none did. Default: express' `req.baseUrl` + `req.route.path`.
   */
  routeOf?: (req: Req) => string | undefined;
}

const expressRoute = (req: HttpRequestLike): string | undefined => (typeof req.route?.path === 'string' ? `${req.baseUrl ?? ''}${req.route.path}` : undefined);

/**
 * Middleware (express, or any framework's Node request/response with `routeOf`) timing every
 * request into `http_request_duration_seconds`. The route label is the matched route pattern
 * (`/users/:id`), never the raw URL, so cardinality stays bounded; unmatched requests are
 * labelled `unmatched`.
 */
export function httpMetricsMiddleware<Req extends { method?: string | undefined } = HttpRequestLike>(
  options: HttpMetricsOptions<Req> = {},
): (req: Req, res: HttpResponseLike, next: () => void) => void {
  const metric = httpDuration();
  const routeOf = options.routeOf ?? (expressRoute as unknown as (req: Req) => string | undefined);
  return (req, res, next) => {
    const end = metric.startTimer();
    let recorded = false;
    const record = (): void => {
      if (recorded) return;
      recorded = true;
      end({ method: req.method ?? '', route: routeOf(req) ?? 'unmatched', status_code: String(res.statusCode) });
    };
    res.once('finish', record);
    res.once('close', record);
    next();
  };
}
