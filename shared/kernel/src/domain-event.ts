/**
 * A fact recorded by an aggregate. `type` follows EVENTS.md:
 * `storytelling.<context>.<aggregate>.<event>.v<N>`; the topic is derived from it
 * (`<context>.<aggregate>.events`), so an event cannot be sent to the wrong topic.
 * `data` is the JSON mapping of the event's protobuf message.
 */
export interface DomainEvent<TData extends object = object> {
  readonly id: string;
  readonly type: string;
  readonly aggregateId: string;
  readonly aggregateVersion: number;
  readonly occurredAt: Date;
  readonly data: TData;
}

const TYPE = /^storytelling\.([a-z][a-z0-9-]*)\.([a-z][a-z0-9-]*)\.([a-z][a-z0-9_.]*)\.v(\d+)$/;

export interface EventTypeParts {
  context: string;
  aggregate: string;
  name: string;
  version: number;
}

export function parseEventType(type: string): EventTypeParts {
  const m = TYPE.exec(type);
  if (!m) throw new Error(`malformed event type: ${type}`);
  return { context: m[1]!, aggregate: m[2]!, name: m[3]!, version: Number(m[4]) };
}

export function topicForEventType(type: string): string {
  const { context, aggregate } = parseEventType(type);
  return `${context}.${aggregate}.events`;
}

export function eventType(context: string, aggregate: string, name: string, version = 1): string {
  const type = `storytelling.${context}.${aggregate}.${name}.v${version}`;
  parseEventType(type);
  return type;
}
