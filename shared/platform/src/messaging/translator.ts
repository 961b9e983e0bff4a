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
  let payload: T;
  try {
    payload = message.fromJSON(event.data);
  } catch (err) {
    throw new MalformedMessageError(`${event.type} ${event.id}: payload does not decode as ${message.name}: ${errorMessage(err)}`);
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
