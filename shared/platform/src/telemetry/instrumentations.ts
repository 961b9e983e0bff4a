import type { Instrumentation } from '@opentelemetry/instrumentation';
import { GrpcInstrumentation } from '@opentelemetry/instrumentation-grpc';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';

/** Probes and scrapes are not traffic: no trace for each of them. */
const PROBE_PATH = /^\/(health|ready|metrics)(\/|\?|$)/;

/**
 * The maintained instrumentations the fleet uses (http, grpc-js, pg). Queries and outgoing calls
 * outside any span (the relay's polling, the job loops' claims, health checks) start no trace.
 */
export function platformInstrumentations(): Instrumentation[] {
  return [
    new HttpInstrumentation({
      ignoreIncomingRequestHook: (req) => PROBE_PATH.test(req.url ?? ''),
      requireParentforOutgoingSpans: true,
    }),
    new GrpcInstrumentation({ ignoreGrpcMethods: [(name: string) => name === 'Check' || name === 'Watch'] }),
    new PgInstrumentation({ requireParentSpan: true }),
  ];
}
