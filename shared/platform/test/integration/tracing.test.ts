// Tracing through the messaging path with the SDK's in-memory exporter, against real PostgreSQL
// and Kafka: a unit of work's span → the outbox append span (its context stored with the row) →
// the relay's publish span (the message's traceparent) → the consumer's process span, in which
// the handler runs, its log lines carry trace_id/span_id, and what it appends goes on in the trace.
import { context, SpanKind, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { pino } from 'pino';
import type { EntityManager } from 'typeorm';
import { currentContext, runWithContext } from '../../src/context/request-context.js';
import { rootLogger } from '../../src/logging/logger.js';
import { EventStore, KafkaEventConsumer, OutboxRelay, prefixedTopic, type CloudEvent, type EventHandler } from '../../src/messaging/index.js';
import { SagaDeadlinePoller, SagaStore } from '../../src/saga/index.js';
import { currentTraceparent, shutdownTelemetry, startTelemetry, tracingStarted } from '../../src/telemetry/index.js';
import { createSandbox, RawProbe, Thing, THING_TOPIC, until, type Sandbox } from './messaging-fixtures.js';

/** What the handler saw while it ran. */
interface Seen {
  eventId: string;
  activeTraceparent: string | undefined;
  contextTraceparent: string | undefined;
  logFields: Record<string, unknown>;
}

const mixinOf = (): Record<string, unknown> => (rootLogger as unknown as Record<symbol, () => Record<string, unknown>>)[pino.symbols.mixinSym]!();

class ObservingHandler implements EventHandler {
  readonly seen: Seen[] = [];
  constructor(private readonly store: EventStore) {}
  async handle(event: CloudEvent, tx: EntityManager): Promise<void> {
    this.seen.push({ eventId: event.id, activeTraceparent: currentTraceparent(), contextTraceparent: currentContext()?.traceparent, logFields: mixinOf() });
    // A reaction, appended in the handler's transaction: the trace goes on through it.
    if (event.data.n === 1) {
      const reaction = new Thing();
      reaction.happen(2);
      await this.store.append(tx, reaction, 'thing');
    }
  }
}

describe('tracing through outbox, relay and consumer (in-memory exporter)', () => {
  const exporter = new InMemorySpanExporter();
  const store = new EventStore();
  const handler = new ObservingHandler(store);
  let sb: Sandbox;
  let relay: OutboxRelay;
  let consumer: KafkaEventConsumer;
  let probe: RawProbe;

  beforeAll(async () => {
    expect(await startTelemetry({ serviceName: 'tracing-test', spanProcessors: [new SimpleSpanProcessor(exporter)] })).toBe(true);
    sb = await createSandbox('tracing', { sagas: true });
    probe = await new RawProbe(sb.kafka, [prefixedTopic(sb.kafka, THING_TOPIC)]).start();
    relay = new OutboxRelay({ service: 'tracing-test', kafka: sb.kafka, database: sb.database, pollIntervalMs: 100 });
    relay.start();
    await relay.waitUntilActive();
    consumer = new KafkaEventConsumer({ service: 'tracing-consumer', kafka: sb.kafka, dataSource: sb.dataSource, subscriptions: [{ topic: THING_TOPIC, handler }] });
    await consumer.start();
    await consumer.waitUntilJoined();
  }, 60_000);

  afterAll(async () => {
    await consumer?.stop();
    await relay?.stop();
    await probe?.stop();
    await sb?.close();
    await shutdownTelemetry();
  });

  it('one trace from the request span to the consumer of the reaction; each hop the parent of the next', async () => {
    const tracer = trace.getTracer('tracing-test');
    const request = tracer.startSpan('request', { kind: SpanKind.SERVER });
    const thing = new Thing();
    thing.happen(1);
    await context.with(trace.setSpan(context.active(), request), () =>
      runWithContext({ correlationId: 'corr-trace', traceparent: currentTraceparent()! }, () => sb.dataSource.transaction((tx) => store.append(tx, thing, 'thing'))),
    );
    request.end();
    const traceId = request.spanContext().traceId;

    await until(() => handler.seen.length >= 2, 20_000, 'the event and the reaction were handled');
    const spans = exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId);
    const parentOf = (s: ReadableSpan): string | undefined => s.parentSpanContext?.spanId;
    const named = (name: string): ReadableSpan[] => spans.filter((s) => s.name === name);

    // request → outbox append → publish → process → outbox append (reaction) → publish → process
    const [append, reactionAppend] = named('outbox append').sort((a, b) => Number(a.startTime[0] - b.startTime[0]) || a.startTime[1] - b.startTime[1]);
    expect(parentOf(append!)).toBe(request.spanContext().spanId);
    const publishes = spans.filter((s) => s.name === `publish ${THING_TOPIC}` && s.kind === SpanKind.PRODUCER);
    const processes = spans.filter((s) => s.name === `process ${prefixedTopic(sb.kafka, THING_TOPIC)}` && s.kind === SpanKind.CONSUMER);
    expect([publishes.length, processes.length]).toEqual([2, 2]);
    const publish1 = publishes.find((p) => parentOf(p) === append!.spanContext().spanId)!;
    const process1 = processes.find((p) => parentOf(p) === publish1.spanContext().spanId)!;
    expect(process1).toBeDefined();
    expect(parentOf(reactionAppend!)).toBe(process1.spanContext().spanId);
    const publish2 = publishes.find((p) => parentOf(p) === reactionAppend!.spanContext().spanId)!;
    expect(processes.find((p) => parentOf(p) === publish2.spanContext().spanId)).toBeDefined();

    // The message carries the publish span's context, in the header and the envelope.
    const wire = probe.messages.find((m) => m.key === thing.id)!;
    const publishTraceparent = `00-${traceId}-${publish1.spanContext().spanId}-01`;
    expect(wire.headers.traceparent).toBe(publishTraceparent);
    expect(JSON.parse(wire.value!.toString()).traceparent).toBe(publishTraceparent);

    // Inside the handler: the process span is active, the request context agrees, and log lines carry both ids.
    const first = handler.seen.find((s) => s.eventId === wire.id)!;
    const processTraceparent = `00-${traceId}-${process1.spanContext().spanId}-01`;
    expect(first).toMatchObject({
      activeTraceparent: processTraceparent,
      contextTraceparent: processTraceparent,
      logFields: { trace_id: traceId, span_id: process1.spanContext().spanId },
    });
  }, 60_000);

  it("a saga's deadline, fired by the poller with no request around it, goes on in the trace of the work that last moved the saga", async () => {
    const sagas = new SagaStore({ service: 'tracing-test', events: store });
    const tracer = trace.getTracer('tracing-test');
    const request = tracer.startSpan('request', { kind: SpanKind.SERVER });
    const started = await context.with(trace.setSpan(context.active(), request), () =>
      runWithContext({ correlationId: 'corr-saga', traceparent: currentTraceparent()! }, () =>
        sb.dataSource.transaction((tx) => sagas.start(tx, { type: 'traced-deadline', step: 'wait', state: {}, deadlineAt: new Date(Date.now() - 1_000) })),
      ),
    );
    request.end();
    const seen: Array<{ active: string | undefined; context: string | undefined; correlationId: string | undefined }> = [];
    const poller = new SagaDeadlinePoller({
      service: 'tracing-test',
      store: sagas,
      types: ['traced-deadline'],
      transaction: (work) => sb.dataSource.transaction(work),
      onDeadline: async (tx, saga) => {
        seen.push({ active: currentTraceparent(), context: currentContext()?.traceparent, correlationId: currentContext()?.correlationId });
        await sagas.update(tx, saga, { status: 'failed', log: { status: 'timed_out' } });
      },
    });
    expect(await poller.pollOnce()).toBe(1);

    const traceId = request.spanContext().traceId;
    const deadline = exporter.getFinishedSpans().find((s) => s.name === 'saga deadline traced-deadline')!;
    expect(deadline.spanContext().traceId).toBe(traceId);
    expect(deadline.parentSpanContext?.spanId).toBe(request.spanContext().spanId);
    const deadlineTraceparent = `00-${traceId}-${deadline.spanContext().spanId}-01`;
    expect(seen).toEqual([{ active: deadlineTraceparent, context: deadlineTraceparent, correlationId: started.id }]);
  });

  it('a log line outside any span carries no trace ids', () => {
    expect(tracingStarted()).toBe(true);
    expect(mixinOf()).not.toHaveProperty('trace_id');
    expect(mixinOf()).not.toHaveProperty('span_id');
  });
});
