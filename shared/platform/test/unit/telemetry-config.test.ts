// When tracing starts (OTEL_* variables), and the traceparent helpers it relies on.
import { SpanKind } from '@opentelemetry/api';
import { contextWithParent, spanContextOf, startPlatformSpan, traceIdsForLog, traceparentOf, tracingConfigured, tracingStarted } from '../../src/telemetry/index.js';

const TP = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

describe('tracingConfigured', () => {
  it('is off when nothing is set, on with an OTLP endpoint or an exporter, off when disabled or none', () => {
    expect(tracingConfigured({})).toBe(false);
    expect(tracingConfigured({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://jaeger:4318' })).toBe(true);
    expect(tracingConfigured({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://jaeger:4318/v1/traces' })).toBe(true);
    expect(tracingConfigured({ OTEL_TRACES_EXPORTER: 'otlp' })).toBe(true);
    expect(tracingConfigured({ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://jaeger:4318' })).toBe(false);
    expect(tracingConfigured({ OTEL_SDK_DISABLED: 'true', OTEL_TRACES_EXPORTER: 'otlp' })).toBe(false);
    expect(tracingConfigured({ OTEL_EXPORTER_OTLP_ENDPOINT: '  ' })).toBe(false);
  });
});

describe('traceparent helpers (tracing off: the API is a no-op)', () => {
  it('parses and prints a W3C traceparent; refuses malformed and all-zero ones', () => {
    const sc = spanContextOf(TP)!;
    expect(sc).toMatchObject({ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', isRemote: true });
    expect(traceparentOf(sc)).toBe(TP);
    expect(spanContextOf('00-00000000000000000000000000000000-b7ad6b7169203331-01')).toBeUndefined();
    expect(spanContextOf('garbage')).toBeUndefined();
    expect(spanContextOf(null)).toBeUndefined();
    expect(contextWithParent('garbage')).toBeDefined();
  });

  it('a platform span passes the parent traceparent on unchanged when no SDK runs', () => {
    expect(tracingStarted()).toBe(false);
    expect(startPlatformSpan('x', { kind: SpanKind.PRODUCER, parent: TP }).traceparent).toBe(TP);
    expect(startPlatformSpan('x', { parent: null }).traceparent).toBeUndefined();
    expect(startPlatformSpan('x', { fallbackParent: TP }).traceparent).toBe(TP);
  });

  it('log ids fall back to the unit of work’s traceparent', () => {
    expect(traceIdsForLog(TP)).toEqual({ trace_id: '0af7651916cd43dd8448eb211c80319c', span_id: 'b7ad6b7169203331' });
    expect(traceIdsForLog(undefined)).toBeUndefined();
  });
});
