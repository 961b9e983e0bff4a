import { isUuid, parseEventType } from '@storytelling/kernel';
import { MalformedMessageError } from './errors.js';

/**
 * The envelope of every Kafka message (ARCHITECTURE.md §3): CloudEvents 1.0 in structured JSON
 * mode, with the fleet's extensions. `data` is the JSON mapping of the event's protobuf message.
 */
export interface CloudEvent<TData extends object = Record<string, unknown>> {
  readonly specversion: '1.0';
  /** UUIDv7 of the event (the outbox row id); consumers dedupe on it. */
  readonly id: string;
  /** `/storytelling/<service>` */
  readonly source: string;
  /** `storytelling.<context>.<aggregate>.<event>.v<N>` */
  readonly type: string;
  /** Aggregate id (for commands: the saga id). */
  readonly subject: string;
  /** RFC 3339 time the event occurred. */
  readonly time: string;
  readonly datacontenttype: 'application/json';
  readonly data: TData;
  readonly aggregateversion: number;
  readonly correlationid: string;
  /** Id of the event or command that caused this one; absent at the start of a chain. */
  readonly causationid?: string;
  /** W3C trace context of the unit of work that produced the event. */
  readonly traceparent?: string;
}

/** What travels with an event besides its data: who started the chain, what caused it, the trace. */
export interface EventMetadata {
  correlationId: string;
  causationId?: string | null;
  traceparent?: string | null;
}

/** One outbox row, as the relay reads it. */
export interface StoredEvent {
  id: string;
  aggregateId: string;
  aggregateType: string;
  version: number;
  type: string;
  /** Logical topic (no prefix), `<context>.<aggregate>.events` or `<context>.commands`. */
  topic: string;
  data: Record<string, unknown>;
  metadata: EventMetadata;
  occurredAt: Date;
}

const SOURCE = /^\/storytelling\/[a-z][a-z0-9-]*$/;
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;
const TRACEPARENT = /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;
const EXTENSION_NAME = /^[a-z0-9]{1,20}$/;
const KNOWN = new Set([
  'specversion',
  'id',
  'source',
  'type',
  'subject',
  'time',
  'datacontenttype',
  'data',
  'aggregateversion',
  'correlationid',
  'causationid',
  'traceparent',
]);

export function sourceForService(service: string): string {
  const source = `/storytelling/${service}`;
  if (!SOURCE.test(source)) throw new Error(`invalid service name for a CloudEvents source: ${service}`);
  return source;
}

export function isTraceparent(value: unknown): value is string {
  return typeof value === 'string' && TRACEPARENT.test(value) && !value.startsWith('ff');
}

/** Builds the envelope of an outbox row. `source` is `/storytelling/<service>` (see sourceForService). */
export function toCloudEvent(row: StoredEvent, source: string): CloudEvent {
  const event: CloudEvent = {
    specversion: '1.0',
    id: row.id,
    source,
    type: row.type,
    subject: row.aggregateId,
    time: row.occurredAt.toISOString(),
    datacontenttype: 'application/json',
    data: row.data,
    aggregateversion: row.version,
    correlationid: row.metadata.correlationId,
    ...(row.metadata.causationId ? { causationid: row.metadata.causationId } : {}),
    ...(row.metadata.traceparent ? { traceparent: row.metadata.traceparent } : {}),
  };
  return event;
}

/** The envelope attributes without `data`, in the order they are written. */
export type CloudEventAttributes = Omit<CloudEvent, 'data'>;

/**
 * The JSON text of an envelope whose `data` is already JSON text (the relay reads `data::text`
 * from Postgres, which spares a parse and a stringify per event). `dataJson` must be a JSON
 * object's text; the result parses to the same envelope as `toCloudEvent` builds.
 */
export function cloudEventJson(attributes: CloudEventAttributes, dataJson: string): string {
  const head = JSON.stringify(attributes);
  return `${head.slice(0, -1)},"data":${dataJson}}`;
}

/**
 * Parses and validates a Kafka message value. Anything that is not a well-formed envelope of
 * this fleet throws MalformedMessageError: such a message goes to the DLQ without retries.
 * Unknown extension attributes are tolerated (CloudEvents allows them) but dropped.
 */
export function parseCloudEvent(value: Buffer | string | null | undefined): CloudEvent {
  if (value === null || value === undefined) throw new MalformedMessageError('message has no value');
  const text = typeof value === 'string' ? value : value.toString('utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new MalformedMessageError('message value is not JSON');
  }
  if (!isPlainObject(json)) throw new MalformedMessageError('envelope is not a JSON object');
  const o = json;

  if (o.specversion !== '1.0') throw bad('specversion', 'must be "1.0"');
  const id = requireString(o, 'id');
  if (!isUuid(id)) throw bad('id', 'must be a UUID');
  const source = requireString(o, 'source');
  if (!SOURCE.test(source)) throw bad('source', 'must be /storytelling/<service>');
  const type = requireString(o, 'type');
  try {
    parseEventType(type);
  } catch {
    throw bad('type', 'must be storytelling.<context>.<aggregate>.<name>.v<N>');
  }
  const subject = requireString(o, 'subject');
  if (!isUuid(subject)) throw bad('subject', 'must be a UUID (the aggregate id)');
  const time = requireString(o, 'time');
  if (!RFC3339.test(time) || Number.isNaN(Date.parse(time))) throw bad('time', 'must be an RFC 3339 timestamp');
  if (o.datacontenttype !== 'application/json') throw bad('datacontenttype', 'must be "application/json"');
  if (!isPlainObject(o.data)) throw bad('data', 'must be a JSON object');
  const version = o.aggregateversion;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
    throw bad('aggregateversion', 'must be a positive integer');
  }
  const correlationid = requireString(o, 'correlationid');
  const causationid = optionalString(o, 'causationid');
  const traceparent = optionalString(o, 'traceparent');
  if (traceparent !== undefined && !isTraceparent(traceparent)) throw bad('traceparent', 'must be a W3C traceparent');

  // for…in, not Object.entries: no array of pairs per message (JSON.parse gives plain objects).
  for (const key in o) {
    if (KNOWN.has(key)) continue;
    if (!EXTENSION_NAME.test(key)) throw bad(key, 'is not a valid CloudEvents attribute name');
    const v = o[key];
    if (v !== null && typeof v === 'object') throw bad(key, 'extension attributes must be scalars');
  }

  return {
    specversion: '1.0',
    id: id.toLowerCase(),
    source,
    type,
    subject: subject.toLowerCase(),
    time,
    datacontenttype: 'application/json',
    data: o.data,
    aggregateversion: version,
    correlationid,
    ...(causationid !== undefined ? { causationid } : {}),
    ...(traceparent !== undefined ? { traceparent } : {}),
  };
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function requireString(o: Record<string, unknown>, key: string): string {
  const v = o[key];
  if (typeof v !== 'string' || v.length === 0) throw bad(key, 'must be a non-empty string');
  return v;
}

function optionalString(o: Record<string, unknown>, key: string): string | undefined {
  const v = o[key];
  // CloudEvents JSON format: a null attribute is the same as an absent one.
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string' || v.length === 0) throw bad(key, 'must be a non-empty string when present');
  return v;
}

function bad(attribute: string, rule: string): MalformedMessageError {
  return new MalformedMessageError(`CloudEvent attribute "${attribute}" ${rule}`);
}
