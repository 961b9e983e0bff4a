import { consumerGroupId, deadLetterTopic, kafkaConfigFromEnv, prefixedTopic } from '../../src/messaging/index.js';
import { assertSchemaName, databaseConfigFromEnv } from '../../src/persistence/index.js';

describe('messaging and persistence configuration', () => {
  it('reads Kafka settings from the environment', () => {
    expect(kafkaConfigFromEnv('identity', { KAFKA_BROKERS: '127.0.0.1:59092, 127.0.0.1:59093', KAFKA_TOPIC_PREFIX: 't1.' })).toEqual({
      brokers: ['127.0.0.1:59092', '127.0.0.1:59093'],
      clientId: 'identity',
      topicPrefix: 't1.',
    });
    expect(() => kafkaConfigFromEnv('identity', {})).toThrow(/KAFKA_BROKERS/);
    expect(() => kafkaConfigFromEnv('identity', { KAFKA_BROKERS: 'x:1', KAFKA_TOPIC_PARTITIONS: 'many' })).toThrow();
  });

  it('names topics, the DLQ and the consumer group with the prefix', () => {
    const c = { topicPrefix: 'run42.' };
    expect(prefixedTopic(c, 'identity.user.events')).toBe('run42.identity.user.events');
    expect(deadLetterTopic(c, 'story')).toBe('run42.dlq.story');
    expect(consumerGroupId(c, 'story')).toBe('run42.story');
  });

  it('reads the database settings and refuses schema names that are not plain identifiers', () => {
    expect(databaseConfigFromEnv('identity', { DATABASE_URL: 'postgres://x@h/db' })).toEqual({ url: 'postgres://x@h/db', schema: 'identity' });
    expect(() => databaseConfigFromEnv('identity', {})).toThrow(/DATABASE_URL/);
    expect(() => assertSchemaName('identity; DROP TABLE x')).toThrow();
    expect(() => assertSchemaName('Identity')).toThrow();
  });
});
