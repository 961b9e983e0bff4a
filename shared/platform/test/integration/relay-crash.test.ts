// A relay killed between "Kafka acknowledged" and "rows marked published" republishes that
// batch after restart; the consumer's inbox keeps the effects exactly once.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { EventStore, KafkaEventConsumer, OutboxRelay, prefixedTopic, type ConsumeOutcome } from '../../src/messaging/index.js';
import { createSandbox, RawProbe, RecordingHandler, Thing, THING_TOPIC, until, type Sandbox } from './messaging-fixtures.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const registerTs = path.resolve(here, '../../../testing/src/bench/register-ts.mjs');
const childEntry = path.resolve(here, 'fixtures/crashing-relay.ts');

const AGGREGATES = 30;
const EVENTS_PER_AGGREGATE = 10;
const N = AGGREGATES * EVENTS_PER_AGGREGATE;
const BATCH = 50;
const CRASH_AFTER = 120; // dies once the third batch is acknowledged by Kafka, before it is marked

describe('relay crash between publish and mark', () => {
  let sb: Sandbox;
  let probe: RawProbe;
  let consumer: KafkaEventConsumer;
  let relay: OutboxRelay | undefined;
  const outcomes: ConsumeOutcome[] = [];

  beforeAll(async () => {
    sb = await createSandbox('crash');
  });

  afterAll(async () => {
    await relay?.stop();
    await consumer?.stop();
    await probe?.stop();
    await sb?.close();
  });

  it('delivers every event; duplicates on the wire, effects exactly once, per-aggregate order kept', async () => {
    const store = new EventStore();
    const things = Array.from({ length: AGGREGATES }, () => new Thing());
    // Interleave aggregates so every batch carries parts of many aggregates.
    for (let round = 1; round <= EVENTS_PER_AGGREGATE; round++) {
      await sb.dataSource.transaction(async (tx) => {
        for (const t of things) {
          t.happen(round);
          await store.append(tx, t, 'thing');
        }
      });
    }
    expect(await sb.count(`SELECT count(*) AS n FROM domain_events WHERE published_at IS NULL`)).toBe(N);

    const topic = prefixedTopic(sb.kafka, THING_TOPIC);
    probe = await new RawProbe(sb.kafka, [topic]).start();
    consumer = new KafkaEventConsumer({
      service: 'crash-consumer',
      kafka: sb.kafka,
      dataSource: sb.dataSource,
      subscriptions: [{ topic: THING_TOPIC, handler: new RecordingHandler() }],
      onOutcome: (o) => outcomes.push(o),
    });
    await consumer.start();

    // 1. The relay runs in a child process and is SIGKILLed inside the publish→mark window.
    const child = spawn(process.execPath, ['--import', registerTs, childEntry], {
      cwd: path.resolve(here, '../..'),
      env: {
        ...process.env,
        LOG_LEVEL: 'warn',
        CRASHING_RELAY_CONFIG: JSON.stringify({ database: sb.database, kafka: sb.kafka, batchSize: BATCH, crashAfter: CRASH_AFTER }),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.on('exit', (code, signal) => resolve({ code, signal })),
    );
    expect({ exit, output }).toMatchObject({ exit: { signal: 'SIGKILL' } });
    expect(output).toContain('crashing after 150 published');

    // The killed batch was acknowledged by Kafka but is still unpublished in the outbox. With
    // two batches in flight, the one before it may not have been marked either.
    const marked = await sb.count(`SELECT count(*) AS n FROM domain_events WHERE published_at IS NOT NULL`);
    expect([BATCH, 2 * BATCH]).toContain(marked);
    const sentBeforeCrash = 3 * BATCH;
    await until(() => new Set(probe.messages.map((m) => m.id)).size >= sentBeforeCrash, 15_000, 'the unmarked batch reached Kafka');

    // 2. A fresh relay takes over and publishes the rest, including the unmarked batch again.
    relay = new OutboxRelay({ service: 'crash-test', kafka: sb.kafka, database: sb.database, batchSize: BATCH });
    relay.start();
    await until(async () => (await sb.count(`SELECT count(*) AS n FROM effects`)) >= N, 30_000, 'all effects applied');
    const republished = sentBeforeCrash - marked;
    await until(() => probe.messages.length >= N + republished, 10_000, 'the probe saw every message');
    await new Promise((r) => setTimeout(r, 1000)); // anything late would show up now

    const wireIds = probe.messages.map((m) => m.id!);
    const distinct = new Set(wireIds);
    expect(distinct.size).toBe(N);
    expect(wireIds.length).toBe(N + republished); // exactly the unmarked batches twice
    expect(await sb.count(`SELECT count(*) AS n FROM domain_events WHERE published_at IS NULL`)).toBe(0);

    expect(await sb.count(`SELECT count(*) AS n FROM effects`)).toBe(N);
    expect(await sb.count(`SELECT count(DISTINCT event_id) AS n FROM effects`)).toBe(N);
    expect(await sb.count(`SELECT count(*) AS n FROM inbox_messages WHERE consumer = $1`, [consumer.groupId])).toBe(N);
    expect(outcomes.filter((o) => o.kind === 'processed')).toHaveLength(N);
    expect(outcomes.filter((o) => o.kind === 'duplicate')).toHaveLength(republished);

    // Per aggregate, effects were applied in version order.
    const rows: Array<{ subject: string; ns: number[] }> = await sb.dataSource.query(
      `SELECT subject, array_agg(n ORDER BY seq) AS ns FROM effects GROUP BY subject`,
    );
    expect(rows).toHaveLength(AGGREGATES);
    for (const r of rows) expect(r.ns).toEqual(Array.from({ length: EVENTS_PER_AGGREGATE }, (_, i) => i + 1));
  });
});
