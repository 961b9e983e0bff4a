import { pino, type Logger } from 'pino';
import { currentContext } from '../context/request-context.js';
import { traceIdsForLog } from '../telemetry/traceparent.js';
import { logDestination } from './destination.js';
import { REDACTED_PATHS, REDACTION_CENSOR, serializeError } from './redaction.js';

/**
 * One pino root per process. Every line carries the service name and, when there is one,
 * the correlation id of the unit of work it belongs to. Secrets never go to logs: the
 * redact list removes the usual suspects, and errors lose what a failed statement quoted
 * (redaction.ts).
 */
let serviceName = process.env.SERVICE_NAME ?? 'unknown';

export const rootLogger: Logger = pino({
  level: process.env.LOG_LEVEL ?? 'info',
  // `service` comes from the mixin so setServiceName can change it without duplicating the key.
  base: { pid: process.pid },
  timestamp: pino.stdTimeFunctions.isoTime,
  redact: { paths: [...REDACTED_PATHS], censor: REDACTION_CENSOR },
  serializers: { err: serializeError, error: serializeError, cause: serializeError },
  mixin() {
    const ctx = currentContext();
    // trace_id/span_id: the active span's, else the unit of work's traceparent (tracing off).
    const ids = traceIdsForLog(ctx?.traceparent);
    const base = ctx ? { service: serviceName, correlationId: ctx.correlationId } : { service: serviceName };
    return ids ? { ...base, ...ids } : base;
  },
}, logDestination());

export function getLogger(component: string): Logger {
  return rootLogger.child({ component });
}

export function setServiceName(service: string): void {
  serviceName = service;
}
