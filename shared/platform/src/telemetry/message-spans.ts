import { SpanKind, type Span } from '@opentelemetry/api';
import { endSpan, startPlatformSpan, withPlatformSpan } from './platform-spans.js';
import { tracingStarted } from './start-telemetry.js';

/** What the relay knows of a row it publishes. */
export interface PublishedRow {
  id: string;
  /** Logical topic (no prefix). */
  topic: string;
  type: string;
  /** The traceparent stored with the row (the unit of work that appended it). */
  traceparent: string | null;
}

/** The relay's spans of one batch: one producer span per row, child of the row's stored context. */
export interface PublishSpans {
  /** What the message carries as `traceparent` (header and envelope). */
  traceparentOf(row: PublishedRow): string | undefined;
  /** Ends every span of the batch (with the error when the send failed). */
  end(error?: unknown): void;
}

const PASS_THROUGH: PublishSpans = {
  traceparentOf: (row) => row.traceparent ?? undefined,
  end: () => undefined,
};

/**
 * Starts a `publish <topic>` producer span per row, whose parent is the row's stored traceparent:
 * the trace goes on from the request that appended the event, minutes later and in another
 * process if need be. Without tracing the message carries the stored traceparent unchanged.
 */
export function startPublishSpans(rows: readonly PublishedRow[], service: string): PublishSpans {
  if (!tracingStarted()) return PASS_THROUGH;
  const spans = new Map<string, { span: Span; traceparent: string | undefined }>();
  for (const row of rows) {
    const { span, traceparent } = startPlatformSpan(`publish ${row.topic}`, {
      kind: SpanKind.PRODUCER,
      parent: row.traceparent,
      attributes: {
        'messaging.system': 'kafka',
        'messaging.operation.type': 'send',
        'messaging.destination.name': row.topic,
        'messaging.message.id': row.id,
        'cloudevents.event_type': row.type,
        'service.component': `${service}-outbox-relay`,
      },
    });
    spans.set(row.id, { span, traceparent });
  }
  return {
    traceparentOf: (row) => spans.get(row.id)?.traceparent ?? row.traceparent ?? undefined,
    end: (error) => {
      for (const { span } of spans.values()) endSpan(span, error);
    },
  };
}

/** The consumed message as the consumer span sees it. */
export interface ConsumedMessage {
  id: string;
  type: string;
  traceparent?: string | undefined;
}

/**
 * Runs a handler inside a `process <topic>` consumer span whose parent is the message's
 * traceparent (set by the relay's publish span); `fn` gets the traceparent its own outgoing
 * calls and appended events carry.
 */
export async function withConsumerSpan<T>(
  message: ConsumedMessage,
  topic: string,
  group: string,
  fn: (traceparent: string | undefined) => Promise<T>,
): Promise<T> {
  if (!tracingStarted()) return fn(message.traceparent);
  return withPlatformSpan(
    `process ${topic}`,
    {
      kind: SpanKind.CONSUMER,
      parent: message.traceparent ?? null,
      attributes: {
        'messaging.system': 'kafka',
        'messaging.operation.type': 'process',
        'messaging.destination.name': topic,
        'messaging.consumer.group.name': group,
        'messaging.message.id': message.id,
        'cloudevents.event_type': message.type,
      },
    },
    fn,
  );
}
