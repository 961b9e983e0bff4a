import { AggregateRoot, FixedClock, eventType, topicForEventType, uuidv7, isUuid } from '@storytelling/kernel';

class Counter extends AggregateRoot {
  static create(id: string, clock: FixedClock): Counter {
    const c = new Counter(id, 0, clock);
    c.record(eventType('demo', 'counter', 'created'), { id });
    return c;
  }
  bump(): void {
    this.record(eventType('demo', 'counter', 'bumped'), { by: 1 });
  }
}

describe('AggregateRoot', () => {
  it('numbers recorded events after the loaded version and clears them once persisted', () => {
    const clock = new FixedClock(new Date('2026-01-01T00:00:00Z'));
    const c = Counter.create(uuidv7(), clock);
    c.bump();
    expect(c.pendingEvents.map((e) => e.aggregateVersion)).toEqual([1, 2]);
    expect(c.version).toBe(2);
    expect(c.loadedVersion).toBe(0);
    expect(c.pendingEvents[0]!.occurredAt.toISOString()).toBe('2026-01-01T00:00:00.000Z');
    c.markPersisted();
    expect(c.pendingEvents).toHaveLength(0);
    expect(c.loadedVersion).toBe(2);
    c.bump();
    expect(c.pendingEvents[0]!.aggregateVersion).toBe(3);
  });
});

describe('event types', () => {
  it('derive the topic from the type and reject malformed types', () => {
    expect(topicForEventType('storytelling.identity.user.registered.v1')).toBe('identity.user.events');
    expect(() => eventType('Identity', 'user', 'registered')).toThrow(/malformed/);
  });
});

describe('uuidv7', () => {
  it('is a valid, time-ordered uuid', () => {
    const a = uuidv7(1_000);
    const b = uuidv7(2_000);
    expect(isUuid(a)).toBe(true);
    expect(a[14]).toBe('7');
    expect(a < b).toBe(true);
  });
});
