import { DomainError, VersionConflictError, type DomainEvent } from '@storytelling/kernel';

/** One row of an in-memory outbox: what EventStore.append writes to `domain_events`. */
export interface OutboxEntry {
  aggregateType: string;
  event: DomainEvent;
}

/**
 * Appends events to an in-memory outbox with `domain_events`' unique (aggregate id, version):
 * a second writer of the same version gets VersionConflictError, as from PostgreSQL.
 */
export function appendToOutbox(outbox: OutboxEntry[], aggregateType: string, events: readonly DomainEvent[]): void {
  for (const event of events) {
    if (outbox.some((o) => o.event.aggregateId === event.aggregateId && o.event.aggregateVersion === event.aggregateVersion)) {
      throw new VersionConflictError(event.aggregateId, event.aggregateVersion - 1);
    }
    outbox.push({ aggregateType, event });
  }
}

/** `ok`, or `<kind>:<code>` of the DomainError the promise rejected with (anything else is rethrown). */
export async function outcomeOf(work: Promise<unknown>): Promise<string> {
  try {
    await work;
    return 'ok';
  } catch (err) {
    if (err instanceof DomainError) return `${err.kind}:${err.code}`;
    throw err;
  }
}
