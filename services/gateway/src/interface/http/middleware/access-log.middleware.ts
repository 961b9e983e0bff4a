import { getLogger } from '@storytelling/platform';
import type { NextFunction, Request, Response } from 'express';

const log = getLogger('access');

/**
 * One line per request (after the context middleware, so it carries the correlation id):
 * method, path without the query string (no secrets from URLs), status, duration, client IP.
 * 5xx at warn, everything else at info; health probes and metrics scrapes at debug.
 */
export function accessLogMiddleware(req: Request, res: Response, next: NextFunction): void {
  const started = process.hrtime.bigint();
  res.once('finish', () => writeAccessLine(req, res, started));
  next();
}

function writeAccessLine(req: Request, res: Response, started: bigint): void {
  const path = (req.originalUrl ?? req.url).split('?')[0];
  const level = res.statusCode >= 500 ? 'warn' : path === '/health' || path === '/ready' || path === '/metrics' ? 'debug' : 'info';
  // Below LOG_LEVEL (e.g. warn in benchmarks): no entry is built for a line nobody writes.
  if (!log.isLevelEnabled(level)) return;
  const entry = {
    method: req.method,
    path,
    status: res.statusCode,
    durationMs: Number((process.hrtime.bigint() - started) / 1000n) / 1000,
    ip: req.ip,
    userAgent: req.headers['user-agent'],
  };
  log[level](entry, 'request');
}
