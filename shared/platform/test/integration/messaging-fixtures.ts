// Shared fixtures of the messaging/persistence integration tests: a throwaway role + schema in
// the test database (the same shape a service gets: a role that owns exactly one schema), topic
// names isolated by the run's prefix, a test aggregate, and a raw Kafka probe.
import { randomBytes } from 'node:crypto';
import { AggregateRoot, eventType, uuidv7 } from '@storytelling/kernel';
import { dropSchemaWithRole, schemaWithRole, testEnvironment, waitUntil } from '@storytelling/testing';
import kafkajs, { type Consumer, type IHeaders } from 'kafkajs';
import type { DataSource, EntityManager, MigrationInterface, QueryRunner } from 'typeorm';
import type { CloudEvent, EventHandler, KafkaConfig } from '../../src/messaging/index.js';
import { createDataSource, platformMigrations, runMigrations, type DatabaseConfig } from '../../src/persistence/index.js';
import { sagaMigrations } from '../../src/saga/index.js';

export const THING_HAPPENED = eventType('test', 'thing', 'happened');
export const THING_TOPIC = 'test.thing.events';

/** A minimal aggregate: each `happen()` records one event. */
export class Thing extends AggregateRoot {
  constructor(id: string = uuidv7(), version = 0) {
    super(id, version);
  }
  happen(n: number, extra: Record<string, unknown> = {}): void {
    this.record(THING_HAPPENED, { n, ...extra });
  }
}

/** The effect a test handler writes. Deliberately without a unique key: only the inbox prevents duplicates. */
class TestEffects1700000000000 implements MigrationInterface {
  name = 'TestEffects1700000000000';
  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE effects (seq bigserial PRIMARY KEY, event_id uuid NOT NULL, subject uuid NOT NULL, n integer, applied_at timestamptz NOT NULL DEFAULT clock_timestamp())`);
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE effects`);
  }
}

/** Writes one effect row per event, in the consumer's transaction. */
export class RecordingHandler implements EventHandler {
  seen = 0;
  async handle(event: CloudEvent, tx: EntityManager): Promise<void> {
    this.seen++;
    const n = typeof event.data.n === 'number' ? event.data.n : null;
    await tx.query(`INSERT INTO effects (event_id, subject, n) VALUES ($1, $2, $3)`, [event.id, event.subject, n]);
  }
}

export interface Sandbox {
  name: string;
  database: DatabaseConfig;
  kafka: KafkaConfig;
  dataSource: DataSource;
  /** Opens another DataSource on the same schema (e.g. for a second writer). */
  openDataSource(poolMax?: number): Promise<DataSource>;
  count(sql: string, params?: unknown[]): Promise<number>;
  close(): Promise<void>;
}

/** `sagas`: also the saga engine's opt-in tables (saga_instances, saga_steps). */
export async function createSandbox(name: string, options: { sagas?: boolean } = {}): Promise<Sandbox> {
  const env = testEnvironment();
  const suffix = randomBytes(4).toString('hex');
  const ident = `pt_${name.replace(/[^a-z0-9]/g, '_')}_${suffix}`;
  const schema = await schemaWithRole(ident);
  const database: DatabaseConfig = { url: schema.DATABASE_URL, schema: schema.DATABASE_SCHEMA, poolMax: 10 };
  const opened: DataSource[] = [];
  const open = async (poolMax = 10): Promise<DataSource> => {
    const ds = createDataSource({ ...database, poolMax }, { migrations: [...platformMigrations, ...(options.sagas ? sagaMigrations : []), TestEffects1700000000000] });
    await ds.initialize();
    opened.push(ds);
    return ds;
  };
  const dataSource = await open();
  await runMigrations(dataSource);
  const kafka: KafkaConfig = {
    brokers: env.brokers,
    clientId: `pt-${name}`,
    topicPrefix: `${env.topicPrefix}${name}-${suffix}.`,
    numPartitions: 3,
  };
  return {
    name,
    database,
    kafka,
    dataSource,
    openDataSource: open,
    async count(sql, params = []) {
      const rows: Array<{ n: string | number }> = await dataSource.query(sql, params);
      return Number(rows[0]?.n ?? 0);
    },
    async close() {
      await Promise.allSettled(opened.filter((d) => d.isInitialized).map((d) => d.destroy()));
      await dropSchemaWithRole(ident);
    },
  };
}

export interface WireMessage {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: Buffer | null;
  headers: Record<string, string>;
  /** Parsed `id` of the envelope when the value is JSON with one. */
  id?: string;
}

/** Reads topics from the beginning with its own group and keeps every message it sees. */
export class RawProbe {
  readonly messages: WireMessage[] = [];
  private consumer: Consumer | undefined;

  constructor(
    private readonly kafka: KafkaConfig,
    private readonly topics: string[],
  ) {}

  async start(): Promise<this> {
    const client = new kafkajs.Kafka({ clientId: `${this.kafka.clientId}-probe`, brokers: this.kafka.brokers, logLevel: kafkajs.logLevel.NOTHING });
    const admin = client.admin();
    await admin.connect();
    const existing = new Set(await admin.listTopics());
    const missing = this.topics.filter((t) => !existing.has(t));
    if (missing.length) await admin.createTopics({ waitForLeaders: true, topics: missing.map((topic) => ({ topic, numPartitions: this.kafka.numPartitions ?? 3 })) });
    await admin.disconnect();
    const consumer = client.consumer({ groupId: `${this.kafka.topicPrefix}probe-${randomBytes(4).toString('hex')}`, maxWaitTimeInMs: 100 });
    let joined = false;
    consumer.on(consumer.events.GROUP_JOIN, () => (joined = true));
    await consumer.connect();
    await consumer.subscribe({ topics: this.topics, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ topic, partition, message }) => {
        const headers = headersOf(message.headers);
        let id: string | undefined;
        try {
          const parsed = JSON.parse(message.value?.toString() ?? '') as { id?: unknown };
          if (typeof parsed.id === 'string') id = parsed.id;
        } catch {
          // not JSON: kept as is
        }
        this.messages.push({ topic, partition, offset: message.offset, key: message.key?.toString() ?? null, value: message.value, headers, ...(id ? { id } : {}) });
      },
    });
    this.consumer = consumer;
    await until(() => joined, 20_000, 'probe joined its group');
    return this;
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }
}

/** waitUntil with a description of what was awaited in the timeout error. */
export async function until(condition: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  try {
    await waitUntil(async () => (await condition()) || undefined, timeoutMs, 25);
  } catch (err) {
    throw new Error(`timed out after ${timeoutMs} ms waiting until ${what}`, { cause: err });
  }
}

export function headersOf(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers ?? {})) if (v !== undefined) out[k] = (Array.isArray(v) ? v[0] : v)!.toString();
  return out;
}
