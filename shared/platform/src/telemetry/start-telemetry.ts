import { createRequire } from 'node:module';
import type { NodeSDK } from '@opentelemetry/sdk-node';
import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { tracingConfigured } from './telemetry-config.js';

export interface StartTelemetryOptions {
  /** service.name, unless OTEL_SERVICE_NAME says otherwise. */
  serviceName: string;
  /** Tests: own span processors (an in-memory exporter); the SDK then starts whatever OTEL_* says. */
  spanProcessors?: SpanProcessor[];
  env?: NodeJS.ProcessEnv;
}

let sdk: NodeSDK | undefined;

/**
 * Starts OpenTelemetry tracing for this process, once, when configured (telemetry-config.ts):
 * the NodeSDK with an OTLP exporter read from the OTEL_* variables (endpoint, protocol,
 * headers, sampler, batch delays), W3C trace context, and the http/grpc-js/pg
 * instrumentations. Metrics stay with prom-client and logs with pino: the SDK gets no metric
 * reader and no log processor. Resolves whether tracing is on. The SDK is imported only then,
 * so a process without tracing loads none of it.
 *
 * Call it before Nest builds the app (bootstrapService does): the instrumentations patch
 * grpc-js and pg when they are first required, which Nest and TypeORM do while building it.
 */
export async function startTelemetry(options: StartTelemetryOptions): Promise<boolean> {
  if (sdk) return true;
  const env = options.env ?? process.env;
  if (!options.spanProcessors && !tracingConfigured(env)) return false;
  const [{ NodeSDK }, { platformInstrumentations }] = await Promise.all([import('@opentelemetry/sdk-node'), import('./instrumentations.js')]);
  if (sdk) return true;
  sdk = new NodeSDK({
    serviceName: env.OTEL_SERVICE_NAME?.trim() || options.serviceName,
    instrumentations: platformInstrumentations(),
    metricReaders: [],
    logRecordProcessors: [],
    ...(options.spanProcessors ? { spanProcessors: options.spanProcessors } : {}),
  });
  sdk.start();
  requireInstrumented();
  return true;
}

/** True once startTelemetry started the SDK in this process. */
export function tracingStarted(): boolean {
  return sdk !== undefined;
}

/** Exports what is still buffered and stops tracing (shutdown). Safe to call when tracing is off. */
export async function shutdownTelemetry(): Promise<void> {
  const current = sdk;
  sdk = undefined;
  await current?.shutdown();
}

/**
 * The instrumentations patch a module when it is next `require`d (require-in-the-middle). The
 * fleet is ESM: http, pg and grpc-js were imported (not required) before this ran, so nothing
 * would ever patch them. Requiring them here, after the SDK started, does: the patches land on
 * the shared module objects and prototypes (http.Server.prototype.emit, pg.Client.prototype.query,
 * grpc.Server.prototype.register), which the already-imported copies use too.
 */
function requireInstrumented(): void {
  const require = createRequire(import.meta.url);
  for (const name of ['http', 'https', 'pg', '@grpc/grpc-js']) {
    try {
      require(name);
    } catch {
      // Not installed next to the platform: nothing of it to patch.
    }
  }
}
