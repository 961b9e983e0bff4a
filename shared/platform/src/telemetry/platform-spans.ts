import { context, SpanKind, SpanStatusCode, trace, type Attributes, type Context, type Span } from '@opentelemetry/api';
import { contextWithParent, traceparentOf } from './traceparent.js';

/** The platform's own spans (outbox append, relay publish, consume, gRPC server without instrumentation). */
export const PLATFORM_TRACER = '@storytelling/platform';

export function platformTracer(): ReturnType<typeof trace.getTracer> {
  return trace.getTracer(PLATFORM_TRACER);
}

export interface PlatformSpanOptions {
  kind?: SpanKind;
  attributes?: Attributes;
  /**
   * Parent as a W3C traceparent (stored row, message header, call metadata). `null` means the
   * span starts its own trace; undefined: the active span is the parent.
   */
  parent?: string | null;
  /** With `parent` undefined and no active span: the traceparent to continue (the request context's). */
  fallbackParent?: string | undefined;
}

/** Starts a span (not made active); its context is the one to run the work in. */
export function startPlatformSpan(name: string, options: PlatformSpanOptions = {}): { span: Span; context: Context; traceparent: string | undefined } {
  const parent = options.parent === undefined && !trace.getActiveSpan() ? options.fallbackParent : options.parent;
  const parentContext = parent === undefined ? context.active() : contextWithParent(parent);
  const span = platformTracer().startSpan(name, { kind: options.kind ?? SpanKind.INTERNAL, ...(options.attributes ? { attributes: options.attributes } : {}) }, parentContext);
  const spanContext = span.spanContext();
  // With tracing off the no-op tracer hands back the parent's context (or an invalid one):
  // the traceparent then stays what it was, as before tracing existed.
  const traceparent = trace.isSpanContextValid(spanContext) ? traceparentOf(spanContext) : parent ?? undefined;
  return { span, context: trace.setSpan(parentContext, span), traceparent };
}

/** Ends a span with an error status when `error` is given. */
export function endSpan(span: Span, error?: unknown): void {
  if (error !== undefined) {
    if (error instanceof Error) span.recordException(error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
  }
  span.end();
}

/** Runs `fn` inside a new active span, ending it when `fn` settles (failures recorded). */
export async function withPlatformSpan<T>(name: string, options: PlatformSpanOptions, fn: (traceparent: string | undefined) => Promise<T>): Promise<T> {
  const { span, context: spanContext, traceparent } = startPlatformSpan(name, options);
  try {
    const result = await context.with(spanContext, () => fn(traceparent));
    endSpan(span);
    return result;
  } catch (err) {
    endSpan(span, err);
    throw err;
  }
}

export { SpanKind };
