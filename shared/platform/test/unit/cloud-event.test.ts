import { uuidv7 } from '@storytelling/kernel';
import {
  MalformedMessageError,
  cloudEventJson,
  parseCloudEvent,
  sourceForService,
  toCloudEvent,
  type StoredEvent,
} from '../../src/messaging/index.js';

const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

function stored(overrides: Partial<StoredEvent> = {}): StoredEvent {
  return {
    id: uuidv7(),
    aggregateId: uuidv7(),
    aggregateType: 'user',
    version: 3,
    type: 'storytelling.identity.user.registered.v1',
    topic: 'identity.user.events',
    data: { userId: 'u-1', email: 'a@example.com' },
    metadata: { correlationId: 'corr-1', causationId: 'cause-1', traceparent: TRACEPARENT },
    occurredAt: new Date('2026-11-20T10:00:00.123Z'),
    ...overrides,
  };
}

function valid(): Record<string, unknown> {
  return JSON.parse(JSON.stringify(toCloudEvent(stored(), '/storytelling/identity'))) as Record<string, unknown>;
}

function parseWith(mutate: (o: Record<string, unknown>) => void): () => unknown {
  const o = valid();
  mutate(o);
  return () => parseCloudEvent(Buffer.from(JSON.stringify(o)));
}

describe('toCloudEvent', () => {
  it('maps an outbox row to the CloudEvents 1.0 envelope with the fleet extensions', () => {
    const row = stored();
    const ce = toCloudEvent(row, sourceForService('identity'));
    expect(ce).toEqual({
      specversion: '1.0',
      id: row.id,
      source: '/storytelling/identity',
      type: 'storytelling.identity.user.registered.v1',
      subject: row.aggregateId,
      time: '2026-11-20T10:00:00.123Z',
      datacontenttype: 'application/json',
      data: { userId: 'u-1', email: 'a@example.com' },
      aggregateversion: 3,
      correlationid: 'corr-1',
      causationid: 'cause-1',
      traceparent: TRACEPARENT,
    });
  });

  it('omits causationid and traceparent when the chain has none', () => {
    const ce = toCloudEvent(stored({ metadata: { correlationId: 'c', causationId: null, traceparent: null } }), '/storytelling/identity');
    expect(ce).not.toHaveProperty('causationid');
    expect(ce).not.toHaveProperty('traceparent');
  });

  it('round-trips through parseCloudEvent', () => {
    const ce = toCloudEvent(stored(), '/storytelling/story');
    expect(parseCloudEvent(Buffer.from(JSON.stringify(ce)))).toEqual(ce);
    expect(parseCloudEvent(JSON.stringify(ce))).toEqual(ce);
  });

  it('cloudEventJson splices JSON data text into the same envelope toCloudEvent builds', () => {
    for (const row of [stored(), stored({ metadata: { correlationId: 'c', causationId: null, traceparent: null } })]) {
      const ce = toCloudEvent(row, '/storytelling/identity');
      const { data, ...attributes } = ce;
      // Postgres renders jsonb::text with spaces; any valid JSON object text works.
      const text = cloudEventJson(attributes, JSON.stringify(data, null, 1));
      expect(JSON.parse(text)).toEqual(ce);
      expect(parseCloudEvent(text)).toEqual(ce);
    }
  });

  it('rejects a service name that cannot be a source', () => {
    expect(() => sourceForService('Bad Name')).toThrow();
  });
});

describe('parseCloudEvent', () => {
  it.each([
    ['null value', () => parseCloudEvent(null)],
    ['not JSON', () => parseCloudEvent(Buffer.from('{"specversion":'))],
    ['a JSON array', () => parseCloudEvent(Buffer.from('[1,2]'))],
    ['a JSON string', () => parseCloudEvent(Buffer.from('"hello"'))],
    ['specversion 0.3', parseWith((o) => (o.specversion = '0.3'))],
    ['missing id', parseWith((o) => delete o.id)],
    ['id not a UUID', parseWith((o) => (o.id = 'evt-1'))],
    ['missing source', parseWith((o) => delete o.source)],
    ['foreign source', parseWith((o) => (o.source = 'https://example.com'))],
    ['malformed type', parseWith((o) => (o.type = 'UserRegistered'))],
    ['missing subject', parseWith((o) => delete o.subject)],
    ['subject not a UUID', parseWith((o) => (o.subject = 'user-1'))],
    ['time not RFC 3339', parseWith((o) => (o.time = '20 Nov 2026'))],
    ['impossible time', parseWith((o) => (o.time = '2026-13-45T99:00:00Z'))],
    ['datacontenttype text/plain', parseWith((o) => (o.datacontenttype = 'text/plain'))],
    ['missing data', parseWith((o) => delete o.data)],
    ['data is an array', parseWith((o) => (o.data = [1]))],
    ['data is a string', parseWith((o) => (o.data = '{"a":1}'))],
    ['aggregateversion 0', parseWith((o) => (o.aggregateversion = 0))],
    ['aggregateversion as string', parseWith((o) => (o.aggregateversion = '3'))],
    ['aggregateversion fractional', parseWith((o) => (o.aggregateversion = 1.5))],
    ['missing correlationid', parseWith((o) => delete o.correlationid)],
    ['empty correlationid', parseWith((o) => (o.correlationid = ''))],
    ['causationid a number', parseWith((o) => (o.causationid = 7))],
    ['malformed traceparent', parseWith((o) => (o.traceparent = 'trace-me'))],
    ['invalid extension name', parseWith((o) => (o['Bad-Name'] = 'x'))],
    ['object extension', parseWith((o) => (o.extra = { a: 1 }))],
  ])('rejects %s with MalformedMessageError', (_name, parse) => {
    expect(parse).toThrow(MalformedMessageError);
  });

  it('tolerates unknown scalar extensions and null optional attributes', () => {
    const ce = parseWith((o) => {
      o.partitionkey = 'abc';
      o.causationid = null;
      delete o.traceparent;
    })() as Record<string, unknown>;
    expect(ce).not.toHaveProperty('partitionkey');
    expect(ce).not.toHaveProperty('causationid');
    expect(ce.correlationid).toBe('corr-1');
  });

  it('normalizes ids to lower case so inbox dedupe compares like with like', () => {
    const id = uuidv7().toUpperCase();
    const ce = parseWith((o) => (o.id = id))() as { id: string };
    expect(ce.id).toBe(id.toLowerCase());
  });
});
