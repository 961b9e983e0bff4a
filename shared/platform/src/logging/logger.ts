import { pino, type Logger } from 'pino';
import { currentContext } from '../context/request-context.js';

/**
 * One pino root per process. Every line carries the service name and, when there is one,
 * the correlation id of the unit of work it belongs to. Secrets never go to logs: the
 * redact list removes the usual suspects wherever they appear.
 */
let serviceName = process.env.SERVICE_NAME ?? 'unknown';

export const rootLogger: Logger = pino({
  level: process.env.LOG_LEVEL ?? 'info',
  // `service` comes from the mixin so setServiceName can change it without duplicating the key.
  base: { pid: process.pid },
  timestamp: pino.stdTimeFunctions.isoTime,
  redact: {
    paths: ['password', '*.password', 'refreshToken', '*.refreshToken', 'authorization', '*.authorization', 'token', '*.token'],
    censor: '[redacted]',
  },
  mixin() {
    const ctx = currentContext();
    return ctx ? { service: serviceName, correlationId: ctx.correlationId } : { service: serviceName };
  },
});

export function getLogger(component: string): Logger {
  return rootLogger.child({ component });
}

export function setServiceName(service: string): void {
  serviceName = service;
}
