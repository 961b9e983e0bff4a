/**
 * An integration event or command as the code sees it: its CloudEvents type, its topic, the
 * payload field that is its subject, and the generated JSON codec. One constant per message is
 * generated from the proto `event` option (`npm run gen`, scripts/gen-message-catalogue.mjs), so
 * no service writes a topic or type string by hand:
 *   on(identityEvents.UserRegistered, (e) => ...)   // e: identityEvents.UserRegistered
 */
export interface MessageType<T> {
  /** The proto message name, e.g. `UserRegistered`. */
  readonly name: string;
  /** `event` (on `<context>.<aggregate>.events`) or `command` (on `<context>.commands`). */
  readonly kind: 'event' | 'command';
  /** CloudEvents `type`: `storytelling.<context>.<aggregate>.<name>.v<N>`. */
  readonly type: string;
  /** Logical Kafka topic (no prefix). */
  readonly topic: string;
  /** JSON name of the payload field that is the CloudEvents subject and the Kafka key. */
  readonly subjectField: string;
  /** JSON names of its google.protobuf.Timestamp fields (RFC 3339 strings), checked on decoding. */
  readonly timestampFields?: readonly string[];
  /** JSON names of its 64-bit integer fields (strings in proto3 JSON; numbers are accepted too). */
  readonly int64Fields?: readonly string[];
  fromJSON(object: unknown): T;
  toJSON(message: T): unknown;
}

/** The payload type a MessageType describes. */
export type PayloadOf<M> = M extends MessageType<infer T> ? T : never;

/** A command addressed to a participant with its payload: what a saga step sends. */
export interface Invocation<T> {
  readonly message: MessageType<T>;
  readonly payload: T;
}
