// npm run bench:events — the cost of the messaging pipeline, measured on one broker in one run:
//   (a) raw kafkajs: produce → consume, same message size, same producer durability (acks=all, idempotent)
//   (b) pipeline: outbox rows → relay → Kafka → consumer with inbox (and, as a second figure,
//       with a handler writing one effect row per event: a statement per event, and deferred into
//       one multi-row insert per consumer transaction)
//   (c) latency at a fixed offered load: event insert committed → handler effect committed
// The last line printed is one JSON object with the figures.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { eventType, topicForEventType, uuidv7, type DomainEvent } from '@storytelling/kernel';
import kafkajs from 'kafkajs';
import pg from 'pg';
import {
  EventStore,
  KafkaEventConsumer,
  deferInsert,
  OutboxRelay,
  messagingMetrics,
  prefixedTopic,
  type CloudEvent,
  type ConsumeOutcome,
  type EventHandler,
  type KafkaConfig,
} from '@storytelling/platform/messaging/index.js';
import { createDataSource, platformMigrations, runMigrations, type DatabaseConfig } from '@storytelling/platform/persistence/index.js';

// typeorm's types without depending on typeorm here.
type DataSource = ReturnType<typeof createDataSource>;
type EntityManager = Parameters<EventHandler['handle']>[1];
interface Queryable {
  query(sql: string): Promise<unknown>;
}

export interface BenchOptions {
  adminUrl: string;
  brokers: string[];
  rawEvents: number;
  pipelineEvents: number;
  latencyRate: number;
  latencySeconds: number;
  partitions: number;
  /** Connections of the writers' pool (the relay has its own session; the consumer its own pool of 10). */
  writerPool?: number;
  /** Partitions the consumer processes in parallel (default: all). */
  consumerConcurrency?: number;
  /** Relay rows per batch in the throughput phase (default 1000) and batches in flight (default 2). */
  relayBatchSize?: number;
  relayPipelineDepth?: number;
  /** Consumer messages per transaction (default 100). */
  consumerMessagesPerTransaction?: number;
  /** How many times (a) and (b) alternate (default 3; medians reported). */
  rounds: number;
  /** Events of the uncounted warm-up of (a) and (b) (default 10000; 0 = none). */
  warmupEvents: number;
  /** Which of a, b, c to run (default all). */
  phases?: string;
  /** Handlers of (b), comma-separated, in the order run each round (default `none,row,deferred`). */
  effects?: string;
  /**
   * A directory: each measured (b) run writes a V8 CPU profile of the bench process covering
   * only its measured window (relay start → last handler committed), `b<run>-<effect>.cpuprofile`.
   */
  cpuProfileDir?: string;
  /**
   * Another checkout of the repository (BENCH_COMPARE_ROOT): `<effect>@other` in `effects` runs
   * that handler on the other tree's relay and consumer, in the same process and round as this
   * tree's — an A/B of two versions of the pipeline side by side.
   */
  compareRoot?: string;
}

export interface BenchResult {
  rawEventsPerSec: number;
  pipelineEventsPerSec: number;
  ratio: number;
  p50Ms: number;
  p99Ms: number;
}

const TYPE = eventType('bench', 'item', 'measured');
const LATENCY_TYPE = eventType('bench', 'latency', 'measured');
const LATENCY_TOPIC = 'bench.latency.events';
const AGGREGATES = 1000;

class BenchEffects1700000000001 {
  name = 'BenchEffects1700000000001';
  async up(q: Queryable): Promise<void> {
    await q.query(`CREATE TABLE effects (event_id uuid NOT NULL, subject uuid NOT NULL, applied_at timestamptz NOT NULL DEFAULT clock_timestamp())`);
  }
  async down(q: Queryable): Promise<void> {
    await q.query(`DROP TABLE effects`);
  }
}

/**
 * What the consumer's handler does besides the platform's work: nothing (`none`); one effect row
 * per event, a statement each (`row`); the same row deferred into the transaction's one
 * multi-row insert (`deferred`, deferInsert).
 */
type Effect = 'none' | 'row' | 'deferred';
const EFFECTS: readonly Effect[] = ['none', 'row', 'deferred'];

/** The relay, consumer and deferInsert a (b) run uses: this tree's, or another checkout's. */
interface PipelineImpl {
  KafkaEventConsumer: typeof KafkaEventConsumer;
  OutboxRelay: typeof OutboxRelay;
  deferInsert: typeof deferInsert;
}
const THIS_TREE: PipelineImpl = { KafkaEventConsumer, OutboxRelay, deferInsert };

/** The other checkout's messaging module, from its TypeScript sources (same hooks, same node_modules). */
async function loadPipeline(root: string): Promise<PipelineImpl> {
  const mod = (await import(pathToFileURL(join(root, 'shared/platform/src/messaging/index.ts')).href)) as PipelineImpl;
  return { KafkaEventConsumer: mod.KafkaEventConsumer, OutboxRelay: mod.OutboxRelay, deferInsert: mod.deferInsert };
}

/** One (b) variant: a handler, on this tree's pipeline or on the other one's (`<effect>@other`). */
interface Variant {
  label: string;
  effect: Effect;
  other: boolean;
}

class EffectHandler implements EventHandler {
  constructor(
    private readonly effect: Effect,
    private readonly defer: typeof deferInsert = deferInsert,
  ) {}
  async handle(event: CloudEvent, tx: EntityManager): Promise<void> {
    if (this.effect === 'row') await tx.query(`INSERT INTO effects (event_id, subject) VALUES ($1, $2)`, [event.id, event.subject]);
    else if (this.effect === 'deferred') await this.defer(tx, 'effects', { event_id: event.id, subject: event.subject });
  }
}

function parseEffects(list: string | undefined): Variant[] {
  const labels = (list ?? EFFECTS.join(',')).split(',').map((e) => e.trim()).filter(Boolean);
  return labels.map((label) => {
    const [effect, impl] = label.split('@');
    if (!(EFFECTS as readonly string[]).includes(effect ?? '') || (impl !== undefined && impl !== 'other')) {
      throw new Error(`BENCH_EFFECTS: unknown variant ${label} (${EFFECTS.join(', ')}, each optionally @other)`);
    }
    return { label, effect: effect as Effect, other: impl === 'other' };
  });
}

const log = (msg: string): void => {
  process.stdout.write(`${msg}\n`);
};

function payload(i: number): Record<string, unknown> {
  // About the size of a real event's data (ids, a title, a few fields).
  return { itemId: `item-${i}`, title: 'The quick brown fox jumps over the lazy dog', words: 1234, language: 'en', tags: ['bench', 'events'] };
}

export async function runEventsBench(options: BenchOptions): Promise<BenchResult> {
  const runId = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  const ident = `bench_${runId}`;
  const password = randomBytes(12).toString('hex');
  const admin = new pg.Client({ connectionString: options.adminUrl });
  await admin.connect();
  await admin.query(`CREATE ROLE ${ident} LOGIN PASSWORD '${password}'`);
  await admin.query(`CREATE SCHEMA ${ident} AUTHORIZATION ${ident}`);
  const settings = await admin.query<{ name: string; setting: string }>(
    `SELECT name, setting FROM pg_settings WHERE name IN ('synchronous_commit', 'fsync', 'shared_buffers', 'server_version')`,
  );
  const url = new URL(options.adminUrl);
  url.username = ident;
  url.password = password;
  const database: DatabaseConfig = { url: url.toString(), schema: ident, poolMax: options.writerPool ?? 10 };
  const kafka: KafkaConfig = { brokers: options.brokers, clientId: 'bench', topicPrefix: `bench-${runId}.`, numPartitions: options.partitions };

  log(`machine    ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  log(`postgres   ${settings.rows.map((r) => `${r.name}=${r.setting}`).join(' ')}`);
  log(`kafka      ${options.brokers.join(',')}, ${options.partitions} partitions per topic, prefix ${kafka.topicPrefix}`);

  const dataSource = createDataSource(database, { migrations: [...platformMigrations, BenchEffects1700000000001] });
  await dataSource.initialize();
  await runMigrations(dataSource);
  // The consumer stands for another service: its own pool, not shared with the writers.
  const consumerDataSource = createDataSource({ ...database, poolMax: 10 });
  await consumerDataSource.initialize();
  const setup: PipelineSetup = {
    kafka,
    database,
    dataSource,
    consumerDataSource,
    consumerConcurrency: options.consumerConcurrency ?? options.partitions,
    relayBatchSize: options.relayBatchSize ?? 1000,
    relayPipelineDepth: options.relayPipelineDepth ?? 2,
    consumerMessagesPerTransaction: options.consumerMessagesPerTransaction ?? 100,
    latencyEffect: parseEffects(options.effects).map((v) => v.effect).filter((e) => e !== 'none').pop() ?? 'row',
    backendCpu: () => backendCpuSeconds(admin, ident),
    ...(options.cpuProfileDir ? { cpuProfileDir: options.cpuProfileDir } : {}),
  };
  const effects = parseEffects(options.effects);
  if (effects.some((v) => v.other) && !options.compareRoot) throw new Error('BENCH_EFFECTS: <effect>@other needs BENCH_COMPARE_ROOT');
  const other = options.compareRoot ? await loadPipeline(options.compareRoot) : undefined;
  if (other) log(`compare    <effect>@other runs the relay and consumer of ${options.compareRoot}`);
  try {
    const phases = options.phases ?? 'abc';
    let raw = Number.NaN;
    let pipeline = Number.NaN;
    // (a) and the two variants of (b) alternate `rounds` times so that load from elsewhere on the
    // machine hits them alike; medians are reported. (b) is measured with a handler that does
    // nothing but what the platform does (inbox row, transaction): the pipeline's own cost, the
    // headline figure; and with a handler that also writes one effect row per event, which is
    // what a typical consumer adds on top.
    const raws: number[] = [];
    const byEffect = new Map<string, number[]>();
    // Each (b) figure over the (a) of its own round: the comparison that absorbs load from elsewhere best.
    const ratios = new Map<string, number[]>();
    let run = 0;
    const cpu = (c: number | undefined): string => (c === undefined ? '' : ` (machine CPU ${c.toFixed(0)} µs/event)`);
    if (options.warmupEvents > 0) {
      // Not counted: JIT, connections, first topic metadata, cold caches.
      if (phases.includes('a')) await rawThroughput(kafka, options.warmupEvents, options.partitions, ++run);
      if (phases.includes('b')) await pipelineThroughput(setup, options.warmupEvents, ++run, setup.latencyEffect);
      log(`    warm-up done (${options.warmupEvents} events each, not counted)`);
    }
    for (let round = 1; round <= options.rounds; round++) {
      if (phases.includes('a')) {
        const { result, cpuMicrosPerEvent } = await rawThroughput(kafka, options.rawEvents, options.partitions, ++run);
        raws.push(result);
        log(`(a) round ${round}: raw kafkajs produce→consume, ${options.rawEvents} messages: ${result.toFixed(0)} msg/s${cpu(cpuMicrosPerEvent)}`);
      }
      if (phases.includes('b')) {
        const rawOfRound = raws[raws.length - 1];
        // The handlers take turns at going first: load that builds up (or eases) during a round
        // must not always fall on the same one.
        const shift = (round - 1) % effects.length;
        for (const variant of [...effects.slice(shift), ...effects.slice(0, shift)]) {
          const { effect, label } = variant;
          const impl = variant.other ? other! : THIS_TREE;
          const { result, cpuMicrosPerEvent } = await pipelineThroughput(setup, options.pipelineEvents, ++run, effect, impl);
          byEffect.set(label, [...(byEffect.get(label) ?? []), result]);
          if (rawOfRound !== undefined) ratios.set(label, [...(ratios.get(label) ?? []), result / rawOfRound]);
          const what =
            { none: 'inbox consumer', row: 'inbox consumer + 1 effect row/event', deferred: 'inbox consumer + 1 deferred effect row/event' }[effect] +
            (variant.other ? ' [other tree]' : '');
          const ratio = rawOfRound === undefined ? '' : ` (ratio ${(result / rawOfRound).toFixed(3)})`;
          log(`(b) round ${round}: outbox→relay→Kafka→${what}, ${options.pipelineEvents} events: ${result.toFixed(0)} events/s${ratio}${cpu(cpuMicrosPerEvent)}`);
        }
      }
    }
    raw = median(raws);
    pipeline = median(byEffect.get('none') ?? []);
    const name = { none: 'pipeline', row: 'with an effect row', deferred: 'with a deferred effect row' };
    log(
      `    medians: raw ${raw.toFixed(0)} msg/s; ` +
        effects
          .map((v) => `${name[v.effect]}${v.other ? ' [other tree]' : ''} ${median(byEffect.get(v.label) ?? []).toFixed(0)} events/s (ratio ${(median(byEffect.get(v.label) ?? []) / raw).toFixed(3)})`)
          .join('; '),
    );
    if (ratios.size > 0) log(`    median of the per-round ratios: ${effects.map((v) => `${v.label} ${median(ratios.get(v.label) ?? []).toFixed(3)}`).join(', ')}`);
    const latency = phases.includes('c')
      ? await pipelineLatency(setup, options.latencyRate, options.latencySeconds)
      : { count: 0, achievedRate: 0, p50: Number.NaN, p90: Number.NaN, p99: Number.NaN, max: Number.NaN };
    if (phases.includes('c')) {
      log(
        `(c) latency at ${options.latencyRate}/s for ${options.latencySeconds}s (${latency.count} events measured, ${latency.achievedRate.toFixed(0)} commits/s achieved): ` +
          `p50 ${latency.p50.toFixed(1)} ms, p90 ${latency.p90.toFixed(1)} ms, p99 ${latency.p99.toFixed(1)} ms, max ${latency.max.toFixed(1)} ms`,
      );
    }
    return {
      rawEventsPerSec: Math.round(raw),
      pipelineEventsPerSec: Math.round(pipeline),
      ratio: Number((pipeline / raw).toFixed(3)),
      p50Ms: Number(latency.p50.toFixed(1)),
      p99Ms: Number(latency.p99.toFixed(1)),
    };
  } finally {
    await dataSource.destroy();
    await consumerDataSource.destroy();
    await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1`, [ident]);
    await admin.query(`DROP SCHEMA ${ident} CASCADE`);
    await admin.query(`DROP ROLE ${ident}`);
    await admin.end();
    await deleteTopics(kafka);
  }
}

/** (a) The baseline: the same bytes through kafkajs alone. */
async function rawThroughput(kafka: KafkaConfig, n: number, partitions: number, round: number): Promise<Measured> {
  const client = new kafkajs.Kafka({ clientId: 'bench-raw', brokers: kafka.brokers, logLevel: kafkajs.logLevel.NOTHING });
  const topic = prefixedTopic(kafka, `bench.raw${round}`);
  const admin = client.admin();
  await admin.connect();
  await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: partitions, replicationFactor: 1 }] });
  await admin.disconnect();

  const consumer = client.consumer({ groupId: `${kafka.topicPrefix}raw${round}`, maxWaitTimeInMs: 100 });
  let joined = false;
  consumer.on(consumer.events.GROUP_JOIN, () => (joined = true));
  let received = 0;
  let done!: () => void;
  const all = new Promise<void>((r) => (done = r));
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await consumer.run({
    autoCommit: false, // the baseline at its best: no offset commits at all
    partitionsConsumedConcurrently: partitions,
    eachBatch: async ({ batch }) => {
      received += batch.messages.length;
      if (received >= n) done();
    },
  });
  while (!joined) await new Promise((r) => setTimeout(r, 20));

  const producer = client.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: kafkajs.Partitioners.DefaultPartitioner });
  await producer.connect();
  // Messages are prepared before the clock starts, as the pipeline's outbox rows are.
  const keys = Array.from({ length: AGGREGATES }, () => uuidv7());
  const source = '/storytelling/bench';
  const BATCH = 500;
  const batches: Array<Array<{ key: string; value: string; headers: Record<string, string> }>> = [];
  for (let i = 0; i < n; i += BATCH) {
    const messages = [];
    for (let j = i; j < Math.min(n, i + BATCH); j++) {
      const key = keys[j % AGGREGATES]!;
      const id = uuidv7();
      const value = JSON.stringify({
        specversion: '1.0',
        id,
        source,
        type: TYPE,
        subject: key,
        time: new Date().toISOString(),
        datacontenttype: 'application/json',
        data: payload(j),
        aggregateversion: Math.floor(j / AGGREGATES) + 1,
        correlationid: id,
      });
      // The same headers the relay sets.
      const headers = { 'content-type': 'application/cloudevents+json; charset=utf-8', ce_id: id, ce_type: TYPE, ce_source: source, ce_correlationid: id };
      messages.push({ key, value, headers });
    }
    batches.push(messages);
  }
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  const busy = machineBusySeconds();
  for (const messages of batches) await producer.sendBatch({ acks: -1, topicMessages: [{ topic, messages }] });
  await all;
  const result = measured(n, (performance.now() - started) / 1000, busy);
  const cpu = process.cpuUsage(cpuBefore);
  log(`    load average ${os.loadavg()[0]!.toFixed(2)}; CPU µs/event: bench process ${((cpu.user + cpu.system) / n).toFixed(0)}`);
  await producer.disconnect();
  await consumer.disconnect();
  return result;
}

/** What the pipeline phases share. */
interface PipelineSetup {
  kafka: KafkaConfig;
  database: DatabaseConfig;
  /** The writers' pool (the producing service). */
  dataSource: DataSource;
  /** The consuming service's pool. */
  consumerDataSource: DataSource;
  consumerConcurrency: number;
  relayBatchSize: number;
  relayPipelineDepth: number;
  consumerMessagesPerTransaction: number;
  /** The handler of (c): the last effect of (b) that writes a row (default `row`). */
  latencyEffect: Effect;
  /** CPU seconds used so far by each PostgreSQL backend of the bench's role (pid → seconds). */
  backendCpu(): Promise<Map<number, number>>;
  /** Where (b) writes the CPU profile of its measured window, if anywhere. */
  cpuProfileDir?: string;
}

/** (b) Preloaded outbox, then relay + consumer started together: time until every effect is committed. */
async function pipelineThroughput(setup: PipelineSetup, n: number, round: number, effect: Effect, impl: PipelineImpl = THIS_TREE): Promise<Measured> {
  const { kafka, database, dataSource, consumerDataSource } = setup;
  // A topic (event type) and a consumer group per round.
  const type = eventType('bench', `item${round}`, 'measured');
  const store = new EventStore();
  const keys = Array.from({ length: AGGREGATES }, () => uuidv7());
  const versions = new Map<string, number>();
  const CHUNK = 1000;
  for (let i = 0; i < n; i += CHUNK) {
    const events: DomainEvent[] = [];
    for (let j = i; j < Math.min(n, i + CHUNK); j++) {
      const key = keys[j % AGGREGATES]!;
      const version = (versions.get(key) ?? 0) + 1;
      versions.set(key, version);
      events.push({ id: uuidv7(), type, aggregateId: key, aggregateVersion: version, occurredAt: new Date(), data: payload(j) });
    }
    await dataSource.transaction((tx: EntityManager) => store.appendRaw(tx, events, 'item'));
  }

  let processed = 0;
  let done!: () => void;
  const all = new Promise<void>((r) => (done = r));
  const consumer = new impl.KafkaEventConsumer({
    service: `bench-throughput-${round}`,
    kafka,
    dataSource: consumerDataSource,
    subscriptions: [{ topic: topicForEventType(type), handler: new EffectHandler(effect, impl.deferInsert) }],
    partitionsConsumedConcurrently: setup.consumerConcurrency,
    maxMessagesPerTransaction: setup.consumerMessagesPerTransaction,
    onOutcome: (o: ConsumeOutcome) => {
      if (o.kind === 'processed' && ++processed >= n) done();
    },
  });
  await consumer.start();
  await consumer.waitUntilJoined();
  const relay = new impl.OutboxRelay({ service: 'bench', kafka, database, batchSize: setup.relayBatchSize, pipelineDepth: setup.relayPipelineDepth });
  const profiler = setup.cpuProfileDir ? await startProfiler() : undefined;
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  const backendsBefore = await setup.backendCpu();
  const busy = machineBusySeconds();
  relay.start();
  await all;
  const seconds = (performance.now() - started) / 1000;
  if (profiler) {
    const file = join(setup.cpuProfileDir!, `b${round}-${effect}.cpuprofile`);
    await profiler.stopInto(file);
    log(`    CPU profile of the measured window: ${file}`);
  }
  const result = measured(n, seconds, busy);
  const cpu = process.cpuUsage(cpuBefore);
  // Before the relay stops: its own backends (opened during the phase) count from zero.
  const backends = cpuSince(backendsBefore, await setup.backendCpu());
  const perEvent = (s: number): string => ((s * 1e6) / n).toFixed(0);
  log(
    `    bench process CPU: ${(((cpu.user + cpu.system) / 1e6 / seconds) * 100).toFixed(0)}% of one core; load average ${os.loadavg()[0]!.toFixed(2)}; ` +
      `CPU µs/event: bench process ${perEvent((cpu.user + cpu.system) / 1e6)}, its PostgreSQL backends ${perEvent(backends)}`,
  );
  log(`    ${await histogramSummary('outbox_batch_duration_seconds', 'relay batches')}; ${await histogramSummary('kafka_consumer_handle_duration_seconds', 'consumer transactions')}`);
  await relay.stop();
  await consumer.stop();
  const effects: Array<{ n: string }> = await dataSource.query(`SELECT count(*) AS n FROM effects`);
  const expectedEffects = effect === 'none' ? 0 : n;
  if (Number(effects[0]!.n) !== expectedEffects) throw new Error(`expected ${expectedEffects} effects, found ${effects[0]!.n}`);
  const inbox: Array<{ n: string }> = await dataSource.query(`SELECT count(*) AS n FROM inbox_messages WHERE consumer = $1`, [consumer.groupId]);
  if (Number(inbox[0]!.n) !== n) throw new Error(`expected ${n} inbox rows, found ${inbox[0]!.n}`);
  await dataSource.query(`TRUNCATE effects`);
  return result;
}

/** The V8 sampling profiler of this process (the inspector's, so only the window asked for is profiled). */
async function startProfiler(): Promise<{ stopInto(file: string): Promise<void> }> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  await session.post('Profiler.start');
  return {
    async stopInto(file) {
      const { profile } = await session.post('Profiler.stop');
      session.disconnect();
      mkdirSync(join(file, '..'), { recursive: true });
      writeFileSync(file, JSON.stringify(profile));
    },
  };
}

interface LatencyResult {
  count: number;
  achievedRate: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/**
 * (c) Open-loop load: single-event transactions issued on schedule (late ones catch up, so a
 * slow pipeline cannot slow the load down). Latency = effect commit − insert commit, per event,
 * both observed in this process. The first second is warm-up and not counted.
 */
async function pipelineLatency(setup: PipelineSetup, rate: number, seconds: number): Promise<LatencyResult> {
  const { kafka, database, dataSource, consumerDataSource } = setup;
  const committedAt = new Map<string, number>();
  const effectAt = new Map<string, number>();
  const consumer = new KafkaEventConsumer({
    service: 'bench-latency',
    kafka,
    dataSource: consumerDataSource,
    subscriptions: [{ topic: LATENCY_TOPIC, handler: new EffectHandler(setup.latencyEffect) }],
    partitionsConsumedConcurrently: setup.consumerConcurrency,
    maxMessagesPerTransaction: setup.consumerMessagesPerTransaction,
    onOutcome: (o: ConsumeOutcome) => {
      if (o.kind === 'processed') effectAt.set(o.event.id, performance.now());
    },
  });
  await consumer.start();
  await consumer.waitUntilJoined();
  const relay = new OutboxRelay({ service: 'bench', kafka, database, batchSize: 500, pipelineDepth: setup.relayPipelineDepth });
  relay.start();
  await relay.waitUntilActive();

  const store = new EventStore();
  const keys = Array.from({ length: AGGREGATES }, () => uuidv7());
  const versions = new Map<string, number>();
  const warmup = 1;
  const total = Math.round(rate * (seconds + warmup));
  const measuredFrom = Math.round(rate * warmup);
  const inflight = new Set<Promise<void>>();
  const measuredIds: string[] = [];
  await histogramSummary('outbox_batch_duration_seconds', 'reset');
  await histogramSummary('kafka_consumer_handle_duration_seconds', 'reset');
  const start = performance.now();
  const cpuBefore = process.cpuUsage();
  let issued = 0;
  while (issued < total) {
    const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * rate));
    while (issued < due) {
      const i = issued++;
      const key = keys[i % AGGREGATES]!;
      const version = (versions.get(key) ?? 0) + 1;
      versions.set(key, version);
      const event: DomainEvent = { id: uuidv7(), type: LATENCY_TYPE, aggregateId: key, aggregateVersion: version, occurredAt: new Date(), data: payload(i) };
      if (i >= measuredFrom) measuredIds.push(event.id);
      const p = dataSource
        .transaction((tx: EntityManager) => store.appendRaw(tx, [event], 'item'))
        .then(() => {
          committedAt.set(event.id, performance.now());
        });
      inflight.add(p);
      void p.finally(() => inflight.delete(p));
    }
    await new Promise((r) => setTimeout(r, 1));
  }
  const issuedIn = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  log(`    bench process CPU while loading: ${(((cpu.user + cpu.system) / 1e6 / issuedIn) * 100).toFixed(0)}% of one core; load average ${os.loadavg()[0]!.toFixed(2)}`);
  await Promise.all(inflight);
  const committedIn = (Math.max(...committedAt.values()) - start) / 1000;
  const deadline = Date.now() + 30_000;
  while (measuredIds.some((id) => !effectAt.has(id)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  await relay.stop();
  await consumer.stop();

  // Where the time goes, from the database clock: event created → row marked published (includes
  // the writer's own commit) → effect row written by the consumer.
  const split: Array<{ pub: number[]; eff: number[] }> = await dataSource.query(
    `SELECT percentile_cont(array[0.5, 0.99]) WITHIN GROUP (ORDER BY extract(epoch FROM d.published_at - d.occurred_at) * 1000) AS pub,
            percentile_cont(array[0.5, 0.99]) WITHIN GROUP (ORDER BY extract(epoch FROM e.applied_at - d.published_at) * 1000) AS eff
       FROM domain_events d JOIN effects e ON e.event_id = d.id
      WHERE d.type = $1`,
    [LATENCY_TYPE],
  );
  const fmt = (a: number[] | undefined): string => (a ?? []).map((v) => v.toFixed(1)).join('/');
  log(`    ${await histogramSummary('outbox_batch_duration_seconds', 'relay batches')}; ${await histogramSummary('kafka_consumer_handle_duration_seconds', 'consumer transactions')}`);
  log(`    created→published p50/p99 ${fmt(split[0]?.pub)} ms; published→effect p50/p99 ${fmt(split[0]?.eff)} ms`);

  const missing = measuredIds.filter((id) => !effectAt.has(id)).length;
  if (missing > 0) throw new Error(`${missing} events had no effect within 30 s`);
  const latencies = measuredIds.map((id) => effectAt.get(id)! - committedAt.get(id)!).sort((a, b) => a - b);
  const q = (p: number): number => latencies[Math.min(latencies.length - 1, Math.ceil(p * latencies.length) - 1)]!;
  return {
    count: latencies.length,
    // Commits per second actually achieved: below the offered rate means the writers (not the
    // pipeline) were the bottleneck and the latency figure is flattered.
    achievedRate: total / Math.max(issuedIn, committedIn),
    p50: q(0.5),
    p90: q(0.9),
    p99: q(0.99),
    max: latencies[latencies.length - 1]!,
  };
}

/**
 * CPU time (user + system, seconds) of every backend logged in as the bench's role, from
 * /proc/<pid>/stat: PostgreSQL's share of the pipeline, apart from whatever else the shared server
 * is doing. Empty off Linux or when the server runs elsewhere.
 */
async function backendCpuSeconds(admin: pg.Client, role: string): Promise<Map<number, number>> {
  const rows = await admin.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE usename = $1`, [role]);
  const ticks = 100; // USER_HZ on Linux
  const out = new Map<number, number>();
  for (const { pid } of rows.rows) {
    try {
      // Fields after the parenthesised command name: state is field 3, utime 14, stime 15.
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(pid, (Number(fields[11]) + Number(fields[12])) / ticks);
    } catch {
      // not on this machine, or gone
    }
  }
  return out;
}

/** CPU seconds used between two backendCpuSeconds samples (backends that appeared count from zero). */
function cpuSince(before: Map<number, number>, after: Map<number, number>): number {
  let total = 0;
  for (const [pid, seconds] of after) total += seconds - (before.get(pid) ?? 0);
  return total;
}

/** Busy CPU time of the whole machine (all processes, all cores) from /proc/stat, in seconds; undefined off Linux. */
function machineBusySeconds(): number | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
    const [, user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).map(Number);
    return ((user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0)) / 100;
  } catch {
    return undefined;
  }
}

/** A throughput and the machine's busy CPU per event while it was measured (µs; all processes, so noise from elsewhere counts too). */
interface Measured {
  result: number;
  cpuMicrosPerEvent: number | undefined;
}

function measured(events: number, seconds: number, busyBefore: number | undefined): Measured {
  const busyAfter = machineBusySeconds();
  return {
    result: events / seconds,
    cpuMicrosPerEvent: busyBefore === undefined || busyAfter === undefined ? undefined : ((busyAfter - busyBefore) * 1e6) / events,
  };
}

function median(values: number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** "<what>: <count>, mean <ms>" of a histogram in the default registry (since the last reset). */
async function histogramSummary(name: 'outbox_batch_duration_seconds' | 'kafka_consumer_handle_duration_seconds', what: string): Promise<string> {
  const metric = name === 'outbox_batch_duration_seconds' ? messagingMetrics.outboxBatchDuration : messagingMetrics.handleDuration;
  const { values } = await metric.get();
  const count = values.filter((v) => v.metricName === `${name}_count`).reduce((a, v) => a + v.value, 0);
  const sum = values.filter((v) => v.metricName === `${name}_sum`).reduce((a, v) => a + v.value, 0);
  metric.reset();
  return `${what}: ${count}, mean ${count ? ((sum / count) * 1000).toFixed(1) : '-'} ms`;
}

async function deleteTopics(kafka: KafkaConfig): Promise<void> {
  const client = new kafkajs.Kafka({ clientId: 'bench-cleanup', brokers: kafka.brokers, logLevel: kafkajs.logLevel.NOTHING });
  const admin = client.admin();
  await admin.connect();
  try {
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(kafka.topicPrefix));
    if (topics.length) await admin.deleteTopics({ topics });
  } catch {
    // leftovers are harmless; the test harness cleans stale prefixes
  } finally {
    await admin.disconnect();
  }
}
