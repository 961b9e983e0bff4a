import { DomainError, VersionConflictError } from '@storytelling/kernel';
import type { MessageType } from '@storytelling/contracts';
import type { EntityManager } from 'typeorm';
import type { CloudEvent } from './cloud-event.js';
import { MalformedMessageError, NonRetryableError, errorMessage } from './errors.js';
import type { EventHandler } from './kafka-event-consumer.js';

/** The envelope attributes a handler may need besides the payload (ids, subject, version, time). */
export type Envelope = Omit<CloudEvent, 'data'>;

/** One message type and what to do with it, decoded. */
export interface MessageRoute {
  readonly message: MessageType<unknown>;
  handle(event: CloudEvent): Promise<void>;
}

/**
 * An inbound anti-corruption layer: each route turns one message of another context into this
 * context's command and hands it to the command bus. It translates; the use case decides.
 * Registered with `ServiceModule.forService({ translators })`; the consumer runs every route in
 * its inbox transaction, which the use case joins (the ambient transaction).
 */
export interface MessageTranslator {
  readonly routes: readonly MessageRoute[];
}

/**
 * `on(identityEvents.UserRegistered, (user, envelope) => this.commands.execute(...))`: the
 * payload is decoded once with the generated codec and handed over typed. A payload that does
 * not decode, or whose subject field contradicts the envelope's subject, is dead-lettered with
 * the reason; so is a use case's refusal (a DomainError), except a version conflict (retried).
 */
export function on<T>(message: MessageType<T>, handler: (payload: T, envelope: Envelope) => Promise<unknown>): MessageRoute {
  return {
    message: message as MessageType<unknown>,
    async handle(event: CloudEvent): Promise<void> {
      const payload = decodeMessage(message, event);
      const { data: _data, ...envelope } = event;
      try {
        await handler(payload, envelope);
      } catch (err) {
        throw asConsumerError(err, event);
      }
    },
  };
}

/** Decodes `event.data` as `message`, or throws MalformedMessageError saying why. */
export function decodeMessage<T>(message: MessageType<T>, event: CloudEvent): T {
  const malformed = (why: string) => new MalformedMessageError(`${event.type} ${event.id}: payload does not decode as ${message.name}: ${why}`);
  let payload: T;
  let encoded: unknown;
  try {
    // The generated codec coerces rather than refuses (an invalid time becomes an Invalid Date):
    // encoding the result again throws on such values, and the field types are compared below.
    payload = message.fromJSON(event.data);
    encoded = message.toJSON(payload);
  } catch (err) {
    throw malformed(errorMessage(err));
  }
  const wrong = mistypedField(event.data, encoded, message.int64Fields ?? []);
  if (wrong) throw malformed(`field ${wrong} has the wrong type`);
  for (const field of message.timestampFields ?? []) {
    const value = (payload as Record<string, unknown>)[field];
    if (value !== undefined && value !== '' && !RFC3339.test(String(value))) throw malformed(`field ${field} is not an RFC 3339 time`);
  }
  if (message.subjectField) {
    const subject = (payload as Record<string, unknown>)[message.subjectField];
    if (typeof subject !== 'string' || subject === '') {
      throw new MalformedMessageError(`${event.type} ${event.id}: ${message.name}.${message.subjectField} is missing`);
    }
    if (subject.toLowerCase() !== event.subject.toLowerCase()) {
      throw new MalformedMessageError(`${event.type} ${event.id}: ${message.name}.${message.subjectField} ${subject} is not the subject ${event.subject}`);
    }
  }
  return payload;
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

/** The first field of `data` whose JSON type the codec changed (a number where a message is expected...). */
function mistypedField(data: Record<string, unknown>, encoded: unknown, int64Fields: readonly string[]): string | undefined {
  if (typeof encoded !== 'object' || encoded === null) return undefined;
  const out = encoded as Record<string, unknown>;
  for (const [field, value] of Object.entries(data)) {
    const decoded = out[field];
    if (value === null || decoded === undefined || typeof value === typeof decoded) continue;
    // proto3 JSON writes 64-bit integers as strings but accepts numbers.
    if (int64Fields.includes(field) && typeof value === 'number' && String(value) === String(decoded)) continue;
    return field;
  }
  return undefined;
}

/** A use case's DomainError in a consumer: retrying the same message cannot change the answer. */
function asConsumerError(err: unknown, event: CloudEvent): unknown {
  if (!(err instanceof DomainError) || err instanceof VersionConflictError) return err;
  const why = `${event.type} ${event.id}: ${err.code}: ${err.message}`;
  return err.kind === 'validation' ? new MalformedMessageError(why) : new NonRetryableError(why, { cause: err });
}

/**
 * The consumer's handlers for a set of translators: one per topic, dispatching by event type.
 * Types no route names are acknowledged and ignored (another context's events this one does not
 * need, newer versions it does not know yet). Two routes for one type is a wiring bug.
 */
export function routeTopics(translators: readonly MessageTranslator[]): Array<{ topic: string; handler: EventHandler }> {
  const byTopic = new Map<string, Map<string, MessageRoute>>();
  for (const route of translators.flatMap((t) => t.routes)) {
    const { topic, type } = route.message;
    const routes = byTopic.get(topic) ?? new Map<string, MessageRoute>();
    if (routes.has(type)) throw new Error(`two routes for ${type}`);
    routes.set(type, route);
    byTopic.set(topic, routes);
  }
  return [...byTopic].map(([topic, routes]) => ({
    topic,
    handler: {
      handle: async (event: CloudEvent, _tx: EntityManager): Promise<void> => {
        await routes.get(event.type)?.handle(event);
      },
    },
  }));
}
