import { Injectable } from '@nestjs/common';
import {
  VersionConflictError,
  isUuid,
  parseEventType,
  topicForEventType,
  uuidv7,
  type AggregateRoot,
  type DomainEvent,
} from '@storytelling/kernel';
import type { EntityManager } from 'typeorm';
import { currentContext } from '../context/request-context.js';
import { SpanKind, withPlatformSpan } from '../telemetry/platform-spans.js';
import { workTraceparent } from '../telemetry/traceparent.js';
import type { EventMetadata } from './cloud-event.js';

/** A command a saga sends to another context through the outbox. */
export interface OutgoingCommand<TData extends object = object> {
  /** `<context>.commands` (no prefix). */
  topic: string;
  /** `storytelling.<context>.<aggregate>.<name>.v<N>` */
  type: string;
  /** The saga id: commands of one saga share a key (ordering) and a synthetic aggregate (versioning). */
  subject: string;
  data: TData;
  /** Command id; a UUIDv7 is generated when absent. */
  id?: string;
  /** Recorded in aggregate_type (default `saga`). */
  aggregateType?: string;
}

/** The stored form of an appended command (its id is what the reply's causationid will carry). */
export interface AppendedCommand {
  id: string;
  topic: string;
  type: string;
  subject: string;
  version: number;
  metadata: EventMetadata;
}

const COMMAND_TOPIC = /^[a-z][a-z0-9-]*\.commands$/;
const UNIQUE_VIOLATION = '23505';
const VERSION_CONSTRAINT = 'domain_events_aggregate_version_key';

const INSERT_EVENTS = `
  INSERT INTO domain_events (id, aggregate_id, aggregate_type, version, type, topic, data, metadata, occurred_at)
  SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::int[], $5::text[], $6::text[], $7::jsonb[], $8::jsonb[], $9::timestamptz[])`;

/**
 * Writes events to the outbox (`domain_events`) inside the caller's transaction. The row is the
 * event: the relay publishes it after commit, and a rollback leaves no trace anywhere.
 */
@Injectable()
export class EventStore {
  /**
   * Appends the aggregate's pending events, then marks them persisted. Another writer that
   * committed the same version first makes this throw VersionConflictError.
   */
  async append(tx: EntityManager, aggregate: AggregateRoot, aggregateType: string): Promise<void> {
    const events = aggregate.pendingEvents;
    if (events.length === 0) return;
    await this.insert(tx, events, aggregateType, aggregate.loadedVersion);
    aggregate.markPersisted();
  }

  /** Appends events that no AggregateRoot produced (saga events, imports); versions are the caller's. */
  async appendRaw(tx: EntityManager, events: readonly DomainEvent[], aggregateType: string): Promise<void> {
    if (events.length === 0) return;
    await this.insert(tx, events, aggregateType, events[0]!.aggregateVersion - 1);
  }

  /**
   * Appends a command for `<context>.commands`. Commands share the outbox with events: the
   * synthetic aggregate is the saga (`subject`), whose next version is taken here, so two
   * concurrent writers for one saga conflict (VersionConflictError) instead of interleaving.
   */
  async appendCommand<TData extends object>(tx: EntityManager, command: OutgoingCommand<TData>): Promise<AppendedCommand> {
    if (!COMMAND_TOPIC.test(command.topic)) throw new Error(`command topic must be <context>.commands, got ${command.topic}`);
    parseEventType(command.type);
    if (!isUuid(command.subject)) throw new Error(`command subject (saga id) must be a UUID, got ${command.subject}`);
    return withPlatformSpan('outbox append', appendSpanOptions(command.aggregateType ?? 'saga', [command.type]), () => this.insertCommand(tx, command));
  }

  private async insertCommand<TData extends object>(tx: EntityManager, command: OutgoingCommand<TData>): Promise<AppendedCommand> {
    const id = command.id ?? uuidv7();
    const metadata = metadataFromContext(id);
    try {
      const rows: Array<{ version: number }> = await tx.query(
        `INSERT INTO domain_events (id, aggregate_id, aggregate_type, version, type, topic, data, metadata, occurred_at)
         SELECT $1::uuid, $2::uuid, $3::text, coalesce(max(version), 0) + 1, $4::text, $5::text, $6::jsonb, $7::jsonb, $8::timestamptz
           FROM domain_events WHERE aggregate_id = $2::uuid
         RETURNING version`,
        [
          id,
          command.subject,
          command.aggregateType ?? 'saga',
          command.type,
          command.topic,
          JSON.stringify(command.data),
          JSON.stringify(metadata),
          new Date(),
        ],
      );
      const version = rows[0]!.version;
      return { id, topic: command.topic, type: command.type, subject: command.subject, version, metadata };
    } catch (err) {
      if (isVersionConflict(err)) throw new VersionConflictError(command.subject, -1);
      throw err;
    }
  }

  /** The row's stored traceparent is this span's: the relay's publish span continues from it. */
  private insert(tx: EntityManager, events: readonly DomainEvent[], aggregateType: string, expectedVersion: number): Promise<void> {
    return withPlatformSpan('outbox append', appendSpanOptions(aggregateType, events.map((e) => e.type)), () => this.insertEvents(tx, events, aggregateType, expectedVersion));
  }

  private async insertEvents(tx: EntityManager, events: readonly DomainEvent[], aggregateType: string, expectedVersion: number): Promise<void> {
    const metadata = JSON.stringify(metadataFromContext(events[0]!.id));
    const cols = {
      id: [] as string[],
      aggregateId: [] as string[],
      version: [] as number[],
      type: [] as string[],
      topic: [] as string[],
      data: [] as string[],
      occurredAt: [] as Date[],
    };
    for (const e of events) {
      cols.id.push(e.id);
      cols.aggregateId.push(e.aggregateId);
      cols.version.push(e.aggregateVersion);
      cols.type.push(e.type);
      cols.topic.push(topicForEventType(e.type));
      cols.data.push(JSON.stringify(e.data));
      cols.occurredAt.push(e.occurredAt);
    }
    try {
      await tx.query(INSERT_EVENTS, [
        cols.id,
        cols.aggregateId,
        events.map(() => aggregateType),
        cols.version,
        cols.type,
        cols.topic,
        cols.data,
        events.map(() => metadata),
        cols.occurredAt,
      ]);
    } catch (err) {
      if (isVersionConflict(err)) throw new VersionConflictError(events[0]!.aggregateId, expectedVersion);
      throw err;
    }
  }
}

/**
 * Correlation and trace come from the unit of work; without one, the event starts its own chain.
 * The trace is the active span's (the outbox append span) when tracing is on.
 */
function metadataFromContext(fallbackCorrelationId: string): EventMetadata {
  const ctx = currentContext();
  return {
    correlationId: ctx?.correlationId ?? fallbackCorrelationId,
    causationId: ctx?.causationId ?? null,
    traceparent: workTraceparent(),
  };
}

function appendSpanOptions(aggregateType: string, types: readonly string[]): { kind: SpanKind; attributes: Record<string, string | number>; fallbackParent: string | undefined } {
  return {
    kind: SpanKind.INTERNAL,
    attributes: { 'outbox.aggregate_type': aggregateType, 'outbox.event_count': types.length, 'cloudevents.event_type': types[0] ?? '' },
    fallbackParent: currentContext()?.traceparent,
  };
}

function isVersionConflict(err: unknown): boolean {
  const driverError = (err as { driverError?: { code?: unknown; constraint?: unknown } } | null)?.driverError ?? err;
  const e = driverError as { code?: unknown; constraint?: unknown } | null;
  return e?.code === UNIQUE_VIOLATION && e.constraint === VERSION_CONSTRAINT;
}
