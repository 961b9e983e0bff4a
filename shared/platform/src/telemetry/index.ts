export { tracingConfigured } from './telemetry-config.js';
export { startTelemetry, shutdownTelemetry, tracingStarted, type StartTelemetryOptions } from './start-telemetry.js';
export { currentTraceparent, contextWithParent, spanContextOf, traceIdsForLog, traceparentOf, workTraceparent } from './traceparent.js';
export { endSpan, platformTracer, startPlatformSpan, withPlatformSpan, SpanKind, PLATFORM_TRACER, type PlatformSpanOptions } from './platform-spans.js';
export { startPublishSpans, withConsumerSpan, type ConsumedMessage, type PublishedRow, type PublishSpans } from './message-spans.js';
