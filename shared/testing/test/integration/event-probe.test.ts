import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { EventProbe, testEnvironment, type CloudEventEnvelope } from '../../src/index.js';

const env = testEnvironment();

function envelope(type: string, subject: string, data: Record<string, unknown>): CloudEventEnvelope<Record<string, unknown>> {
  return {
    specversion: '1.0',
    id: randomUUID(),
    source: '/storytelling/testing',
    type,
    subject,
    time: new Date().toISOString(),
    datacontenttype: 'application/json',
    data,
    correlationid: randomUUID(),
  };
}

describe('EventProbe', () => {
  let producer: Producer;

  beforeAll(async () => {
    producer = new Kafka({ clientId: 'probe-test', brokers: env.brokers, logLevel: logLevel.NOTHING }).producer({ allowAutoTopicCreation: true });
    await producer.connect();
  });

  afterAll(async () => {
    await producer.disconnect();
  });

  it('receives CloudEvents from the prefixed topic, with headers and key, including ones sent before waitFor', async () => {
    const probe = await EventProbe.start('testing.probe.events');
    try {
      expect(probe.topic).toBe(`${env.topicPrefix}testing.probe.events`);
      const first = envelope('storytelling.testing.probe.created.v1', 'a-1', { n: 1 });
      const second = envelope('storytelling.testing.probe.renamed.v1', 'a-1', { n: 2 });
      await producer.send({
        topic: probe.topic,
        messages: [
          { key: 'a-1', value: JSON.stringify(first), headers: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' } },
          { key: 'a-1', value: 'not json' },
          { key: 'a-1', value: JSON.stringify(second) },
        ],
      });
      const renamed = await probe.waitFor<{ n: number }>((e) => e.envelope.type === 'storytelling.testing.probe.renamed.v1');
      expect(renamed.envelope).toEqual(second);
      expect(renamed.envelope.data.n).toBe(2);
      expect(renamed.key).toBe('a-1');

      // Already received: resolves at once.
      const created = await probe.waitFor((e) => e.envelope.id === first.id, 100);
      expect(created.headers.traceparent).toBe('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');
      expect(probe.rejected).toHaveLength(1);
      expect(probe.ofType('storytelling.testing.probe.created.v1')).toHaveLength(1);
    } finally {
      await probe.close();
    }
  });

  it('reads the topic from the beginning', async () => {
    const topic = `${env.topicPrefix}testing.history.events`;
    const early = envelope('storytelling.testing.history.logged.v1', 'h-1', {});
    await producer.send({ topic, messages: [{ key: 'h-1', value: JSON.stringify(early) }] });
    const probe = await EventProbe.start('testing.history.events');
    try {
      await expect(probe.waitFor((e) => e.envelope.id === early.id)).resolves.toMatchObject({ envelope: { id: early.id } });
    } finally {
      await probe.close();
    }
  });

  it('fails a wait with what it did see when nothing matches', async () => {
    const probe = await EventProbe.start('testing.quiet.events');
    try {
      await producer.send({ topic: probe.topic, messages: [{ key: 'q', value: JSON.stringify(envelope('storytelling.testing.quiet.other.v1', 'q', {})) }] });
      await expect(probe.waitFor((e) => e.envelope.type === 'storytelling.testing.quiet.expected.v1', 1_500)).rejects.toThrow(
        /no matching event on .*testing\.quiet\.events within 1500 ms; received 1, latest: \[storytelling\.testing\.quiet\.other\.v1/,
      );
    } finally {
      await probe.close();
    }
  });

  it('closes cleanly, rejecting pending waits, and can be closed twice', async () => {
    const probe = await EventProbe.start('testing.closing.events');
    const pending = expect(probe.waitFor(() => false, 60_000)).rejects.toThrow(/closed/);
    await probe.close();
    await pending;
    await probe.close();
    await expect(probe.waitFor(() => true)).rejects.toThrow(/closed/);
  });
});
