import { context, isSpanContextValid, trace, TraceFlags, type Context, type SpanContext } from '@opentelemetry/api';
import { currentContext } from '../context/request-context.js';

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** The W3C `traceparent` of a span context (version 00). */
export function traceparentOf(spanContext: SpanContext): string {
  const flags = (spanContext.traceFlags & TraceFlags.SAMPLED) === TraceFlags.SAMPLED ? '01' : '00';
  return `00-${spanContext.traceId}-${spanContext.spanId}-${flags}`;
}

/** The traceparent of the active span, when there is one (tracing on, inside a span). */
export function currentTraceparent(): string | undefined {
  const span = trace.getActiveSpan();
  if (!span) return undefined;
  const spanContext = span.spanContext();
  return isSpanContextValid(spanContext) ? traceparentOf(spanContext) : undefined;
}

/**
 * The trace the work in progress runs in, to store with what it writes (outbox row, saga): the
 * active span's when tracing is on, else the request context's (passed on unchanged), else null.
 */
export function workTraceparent(): string | null {
  return currentTraceparent() ?? currentContext()?.traceparent ?? null;
}

/** The span context a `traceparent` carries (remote), or undefined when it is absent or malformed. */
export function spanContextOf(traceparent: string | null | undefined): SpanContext | undefined {
  if (!traceparent) return undefined;
  const m = TRACEPARENT.exec(traceparent.trim());
  if (!m) return undefined;
  const spanContext: SpanContext = { traceId: m[1]!, spanId: m[2]!, traceFlags: parseInt(m[3]!, 16) & TraceFlags.SAMPLED, isRemote: true };
  return isSpanContextValid(spanContext) ? spanContext : undefined;
}

/**
 * The context whose parent is the given `traceparent` (a stored outbox row, a Kafka message, a
 * gRPC call's metadata); without a valid one, a root context (the span starts a trace).
 * Parsed here rather than through the global propagator, which is a no-op when tracing is off.
 */
export function contextWithParent(traceparent: string | null | undefined, base: Context = context.active()): Context {
  const parent = spanContextOf(traceparent);
  return parent ? trace.setSpanContext(base, parent) : trace.deleteSpan(base);
}

/** trace_id and span_id for a log line: the active span's, else those of `fallbackTraceparent`. */
export function traceIdsForLog(fallbackTraceparent?: string): { trace_id: string; span_id: string } | undefined {
  const active = trace.getActiveSpan()?.spanContext();
  const ids = active && isSpanContextValid(active) ? active : spanContextOf(fallbackTraceparent);
  return ids ? { trace_id: ids.traceId, span_id: ids.spanId } : undefined;
}
