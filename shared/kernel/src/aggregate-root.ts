import type { DomainEvent } from './domain-event.js';
import { uuidv7 } from './ids.js';
import type { Clock } from './clock.js';
import { systemClock } from './clock.js';

/**
 * Aggregates record events as they change. `version` is the version that was loaded (0 for a
 * new aggregate); each recorded event takes the next one. The outbox stores events under a
 * unique (aggregate_id, version), which is the optimistic-concurrency check.
 */
export abstract class AggregateRoot {
  private pending: DomainEvent[] = [];

  protected constructor(
    readonly id: string,
    private persistedVersion: number,
    protected readonly clock: Clock = systemClock,
  ) {}

  /** Version after the pending events are applied. */
  get version(): number {
    return this.persistedVersion + this.pending.length;
  }

  /** Version as loaded from storage: the one a writer expects to still be current. */
  get loadedVersion(): number {
    return this.persistedVersion;
  }

  protected record<T extends object>(type: string, data: T): DomainEvent<T> {
    const event: DomainEvent<T> = {
      id: uuidv7(),
      type,
      aggregateId: this.id,
      aggregateVersion: this.version + 1,
      occurredAt: this.clock.now(),
      data,
    };
    this.pending.push(event);
    return event;
  }

  /** Events not yet saved, in order. */
  get pendingEvents(): readonly DomainEvent[] {
    return this.pending;
  }

  /** Called by the repository once the events are in the outbox. */
  markPersisted(): void {
    this.persistedVersion += this.pending.length;
    this.pending = [];
  }
}
