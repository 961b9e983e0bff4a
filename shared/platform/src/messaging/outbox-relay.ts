import { performance } from 'node:perf_hooks';
import kafkajs, { type Admin, type Kafka, type Message, type Producer } from 'kafkajs';
import pg from 'pg';
import { getLogger } from '../logging/logger.js';
import { assertSchemaName, searchPathOption, type DatabaseConfig } from '../persistence/database-config.js';
import { sleep } from './backoff.js';
import { cloudEventJson, sourceForService, type CloudEventAttributes } from './cloud-event.js';
import { createKafka, ensureTopics } from './kafka.js';
import { prefixedTopic, type KafkaConfig } from './kafka-config.js';
import { messagingMetrics } from './metrics.js';
import { startPublishSpans, type PublishSpans } from '../telemetry/message-spans.js';

const { Partitioners } = kafkajs;

/** What the relay knows of an event it published. */
export interface PublishedEventRef {
  id: string;
  aggregateId: string;
  version: number;
  type: string;
  /** Logical topic (no prefix). */
  topic: string;
}

export interface OutboxRelayHooks {
  /**
   * Called after Kafka acknowledged a batch and before the rows are marked published. A crash
   * here is the window that makes delivery at-least-once; tests use the hook to crash in it.
   */
  afterPublish?(events: readonly PublishedEventRef[]): void | Promise<void>;
}

export interface OutboxRelayOptions {
  service: string;
  kafka: KafkaConfig;
  /**
   * The relay opens its own connections from it, never the service's pool: one session holds
   * the advisory lock and LISTENs, `pipelineDepth` others run the batches, so the relay never
   * waits behind request traffic for a pooled connection.
   */
  database: DatabaseConfig;
  /** Rows per batch (default 500). */
  batchSize?: number;
  /** Polling fallback when no NOTIFY arrives (default 500 ms). */
  pollIntervalMs?: number;
  /** How often a standby relay retries the lock (default 1000 ms). */
  lockRetryMs?: number;
  /**
   * Batches in flight (default 2): while batch k is being sent to Kafka, batch k+1 is already
   * read on a second connection (without k's rows). Sends stay strictly in order (k+1 is sent
   * only after Kafka acknowledged k; if k fails, k+1 is rolled back unsent). 1 = one batch at a
   * time.
   */
  pipelineDepth?: number;
  hooks?: OutboxRelayHooks;
}

export type RelayState = 'stopped' | 'standby' | 'active';

/**
 * A batch row as the relay selects it: `data` as JSON text (spliced into the envelope, never
 * parsed here), the metadata fields extracted, the time already in RFC 3339 (UTC, ms).
 */
interface PendingRow {
  /** bigint, as node-pg returns it (text). */
  seq: string;
  id: string;
  aggregate_id: string;
  version: number;
  type: string;
  topic: string;
  data: string;
  correlation_id: string | null;
  causation_id: string | null;
  traceparent: string | null;
  time: string;
}

// Both run as simple (multi-statement) queries so a batch costs two database round trips:
// BEGIN + read the batch, then mark + COMMIT. Only integers read back from the table (checked
// by readBatch) are interpolated.
//
// No row locks (FOR UPDATE SKIP LOCKED until 2026-12-07): the advisory lock already makes this
// relay the only one publishing, and its own lanes keep apart in process (`exclude`: the rows
// of the batches still in flight). Locking cost a tuple lock and its WAL record per row, and
// reading past the other lane's 1 000 locked rows took 7–18 ms per batch against 4–7 ms for
// the same rows filtered by `seq <> ALL` (docs/benchmarks.md, 2026-12-07 night).
const selectBatchSql = (limit: number, exclude: readonly string[]): string => `
  BEGIN;
  SELECT seq, id, aggregate_id, version, type, topic, data::text AS data,
         metadata->>'correlationId' AS correlation_id,
         metadata->>'causationId' AS causation_id,
         metadata->>'traceparent' AS traceparent,
         to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS time
    FROM domain_events
   WHERE published_at IS NULL${exclude.length > 0 ? ` AND seq <> ALL('{${exclude.join(',')}}'::bigint[])` : ''}
   ORDER BY seq
   LIMIT ${Math.trunc(limit)}`;

const SEQ = /^[0-9]{1,19}$/;

/**
 * Marks the batch by `seq` through the partial index the batch was read from (`published_at IS
 * NULL` in the WHERE clause lets the planner use it): smaller than the primary key and a bigint
 * compare; in isolation 1 000 rows took ~10–15 % less than by `id = ANY(uuid[])`.
 */
function markAndCommitSql(seqs: readonly string[]): string {
  return `UPDATE domain_events SET published_at = clock_timestamp() WHERE seq = ANY('{${seqs.join(',')}}'::bigint[]) AND published_at IS NULL; COMMIT`;
}

class LockLostError extends Error {
  constructor(reason: string) {
    super(`relay lost its database session: ${reason}`);
  }
}

/**
 * Publishes the outbox to Kafka. One relay per service is active (session advisory lock keyed
 * by the schema, held by the relay's own session); the others stand by and retry the lock. The
 * active relay wakes on LISTEN/NOTIFY (the insert trigger) and polls as a fallback. Each batch is
 * one transaction on one of the relay's own connections (never the pool, so it does not queue
 * behind request traffic): read unpublished rows in seq order, publish with an idempotent
 * producer (acks=all), mark them published, commit. Up to `pipelineDepth` batches are in
 * flight (each reads past the rows of the others), but they reach Kafka strictly in order. A
 * crash between publish and commit republishes the batch on the next start: delivery is
 * at-least-once, and consumers dedupe by event id. If the lock session fails, the relay stops
 * and its connections are closed (which rolls back their batches) before it competes for the
 * lock again; a relay that takes over meanwhile may publish a batch the old one was still
 * sending: a duplicate, which the inbox absorbs.
 */
export class OutboxRelay {
  private readonly log = getLogger('outbox-relay');
  private readonly schema: string;
  private readonly channel: string;
  private readonly source: string;
  private readonly batchSize: number;
  private readonly pollIntervalMs: number;
  private readonly lockRetryMs: number;
  private readonly pipelineDepth: number;

  private state: RelayState = 'stopped';
  private running = false;
  private loop: Promise<void> | undefined;
  private abort = new AbortController();

  private session: pg.Client | undefined;
  private sessionError: string | undefined;
  /** Connections the batches run on, opened while active. */
  private lanes: pg.Client[] = [];
  private laneError: string | undefined;
  private kafka: Kafka | undefined;
  private producer: Producer | undefined;
  private admin: Admin | undefined;
  private readonly knownTopics = new Set<string>();

  private notified = false;
  private wake: (() => void) | undefined;

  constructor(private readonly options: OutboxRelayOptions) {
    this.schema = assertSchemaName(options.database.schema);
    this.channel = `${this.schema}.domain_events`;
    this.source = sourceForService(options.service);
    this.batchSize = options.batchSize ?? 500;
    this.pollIntervalMs = options.pollIntervalMs ?? 500;
    this.lockRetryMs = options.lockRetryMs ?? 1000;
    this.pipelineDepth = Math.max(1, Math.min(4, options.pipelineDepth ?? 2));
  }

  get status(): RelayState {
    return this.state;
  }

  /** True when this relay holds the lock and publishes. */
  get isActive(): boolean {
    return this.state === 'active';
  }

  /** Starts the background loop; returns at once (the relay may stay on standby). */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.abort = new AbortController();
    this.state = 'standby';
    this.loop = this.run();
  }

  /** Finishes the batch in flight, releases the lock and disconnects. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.abort.abort();
    this.wake?.();
    await this.loop;
    this.loop = undefined;
  }

  /** Resolves once this relay is active (or rejects after `timeoutMs`). */
  async waitUntilActive(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.isActive) {
      if (Date.now() > deadline) throw new Error(`relay ${this.options.service} not active after ${timeoutMs} ms`);
      await sleep(20);
    }
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        if (await this.acquire()) {
          await this.publishWhileActive();
        } else {
          await sleep(this.lockRetryMs, this.abort.signal);
        }
      } catch (err) {
        this.log.error({ err, service: this.options.service }, 'relay loop failed; restarting');
        await this.teardown();
        await sleep(Math.min(this.lockRetryMs, 1000), this.abort.signal);
      }
    }
    await this.teardown();
    this.state = 'stopped';
  }

  /** Opens the relay's own session if needed and tries the lock. */
  private async acquire(): Promise<boolean> {
    if (!this.session) {
      const client = new pg.Client({
        connectionString: this.options.database.url,
        options: searchPathOption(this.schema),
        application_name: `${this.options.service}-outbox-relay`,
      });
      this.sessionError = undefined;
      // Events of a session we already dropped must not disturb its successor.
      client.on('error', (err) => {
        if (this.session !== client) return;
        this.sessionError = err.message;
        this.wake?.();
      });
      client.on('end', () => {
        if (this.session !== client) return;
        this.sessionError ??= 'connection ended';
        this.wake?.();
      });
      client.on('notification', (msg) => {
        if (this.session === client && msg.channel === this.channel) this.notify();
      });
      this.session = client;
      await client.connect();
    }
    const res = await this.session.query<{ locked: boolean }>(`SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked`, [
      `outbox-relay:${this.schema}`,
    ]);
    return res.rows[0]?.locked === true;
  }

  private async publishWhileActive(): Promise<void> {
    const session = this.session!;
    await session.query(`LISTEN "${this.channel}"`);
    this.kafka ??= createKafka(this.options.kafka, 'relay');
    this.admin = this.kafka.admin();
    await this.admin.connect();
    this.producer = this.kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    await this.producer.connect();
    this.laneError = undefined;
    for (let i = 0; i < this.pipelineDepth; i++) this.lanes.push(await this.openLane());
    this.state = 'active';
    messagingMetrics.outboxRelayActive.set({ service: this.options.service }, 1);
    this.log.info({ service: this.options.service, schema: this.schema }, 'outbox relay active');

    const inflight: Array<Promise<void> | undefined> = this.lanes.map(() => undefined);
    // The seqs of each lane's batch from its read until its mark committed: what the other
    // lanes must not read again meanwhile. Cleared only on success (a failure ends the loop).
    const reading: Array<readonly string[] | undefined> = this.lanes.map(() => undefined);
    const drain = async (): Promise<void> => {
      for (let i = 0; i < inflight.length; i++) {
        const p = inflight[i];
        inflight[i] = undefined;
        await p;
      }
    };
    let lastSend: Promise<void> = Promise.resolve();
    let lane = 0;
    try {
      while (this.running) {
        this.assertHealthy();
        // A lane runs one transaction at a time: wait for its previous batch (rethrows its failure).
        const previous = inflight[lane];
        inflight[lane] = undefined;
        await previous;
        this.notified = false;
        const started = performance.now();
        const client = this.lanes[lane]!;
        const slot = lane;
        const batch = await this.readBatch(client, reading.flatMap((seqs, i) => (i === slot || !seqs ? [] : seqs)));
        if (batch.length === 0) {
          await client.query('COMMIT');
          await drain();
          await this.waitForWork();
          continue;
        }
        const seqs = batch.map((e) => e.seq);
        reading[slot] = seqs;
        const gate = lastSend;
        const sent = (async () => {
          await gate; // Kafka acknowledged the previous batch: order is kept across batches.
          this.assertHealthy();
          await this.ensureTopics(batch);
          const spans = startPublishSpans(batch, this.options.service);
          try {
            await this.producer!.sendBatch({ acks: -1, topicMessages: this.toTopicMessages(batch, spans) });
            spans.end();
          } catch (err) {
            spans.end(err);
            throw err;
          }
        })();
        lastSend = sent;
        sent.catch(() => undefined); // observed through `done` and the next batch's gate
        const done = (async () => {
          try {
            await sent;
            await this.options.hooks?.afterPublish?.(batch.map(refOf));
            this.assertHealthy();
            await client.query(markAndCommitSql(seqs));
          } catch (err) {
            await client.query('ROLLBACK').catch(() => undefined);
            throw err;
          }
          reading[slot] = undefined;
          this.record(batch, started);
        })();
        done.catch(() => undefined); // awaited before the lane is reused or by drain()
        inflight[lane] = done;
        lane = (lane + 1) % this.lanes.length;
        if (batch.length < this.batchSize && !this.notified) {
          // Caught up and nothing new committed meanwhile: finish what is in flight, then sleep
          // until something does (or the poll interval passes).
          await drain();
          await this.waitForWork();
        }
      }
      await drain();
    } finally {
      await Promise.allSettled(inflight);
    }
  }

  private assertHealthy(): void {
    if (this.sessionError) throw new LockLostError(this.sessionError);
    if (this.laneError) throw new Error(`relay connection failed: ${this.laneError}`);
  }

  private async openLane(): Promise<pg.Client> {
    const client = new pg.Client({
      connectionString: this.options.database.url,
      // The batch query must walk the partial index in seq order whatever the statistics say:
      // with stale statistics after a burst the planner otherwise picks a bitmap scan that sorts
      // the whole backlog for every batch (seen in the benchmark). Only the relay's lanes.
      options: `${searchPathOption(this.schema)} -c enable_seqscan=off -c enable_bitmapscan=off`,
      application_name: `${this.options.service}-outbox-relay`,
    });
    client.on('error', (err) => {
      if (!this.lanes.includes(client)) return;
      this.laneError = err.message;
      this.wake?.();
    });
    await client.connect();
    return client;
  }

  /** BEGIN and read the next batch on `client`, past the rows of the batches in flight (`exclude`). */
  private async readBatch(client: pg.Client, exclude: readonly string[]): Promise<PendingRow[]> {
    try {
      const results = (await client.query(selectBatchSql(this.batchSize, exclude))) as unknown as Array<pg.QueryResult<PendingRow>>;
      const rows = results[1]!.rows;
      for (const row of rows) if (!SEQ.test(row.seq)) throw new Error(`unexpected outbox seq ${row.seq}`);
      return rows;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    }
  }

  private toTopicMessages(batch: readonly PendingRow[], spans: PublishSpans): Array<{ topic: string; messages: Message[] }> {
    const byTopic = new Map<string, Message[]>();
    for (const row of batch) {
      const topic = prefixedTopic(this.options.kafka, row.topic);
      const correlationid = row.correlation_id ?? row.id;
      // The publish span's context (child of the stored one); the stored one when tracing is off.
      const traceparent = spans.traceparentOf(row);
      const attributes: CloudEventAttributes = {
        specversion: '1.0',
        id: row.id,
        source: this.source,
        type: row.type,
        subject: row.aggregate_id,
        time: row.time,
        datacontenttype: 'application/json',
        aggregateversion: row.version,
        correlationid,
        ...(row.causation_id ? { causationid: row.causation_id } : {}),
        ...(traceparent ? { traceparent } : {}),
      };
      const headers: Record<string, string> = {
        'content-type': 'application/cloudevents+json; charset=utf-8',
        ce_id: row.id,
        ce_type: row.type,
        ce_source: this.source,
        ce_correlationid: correlationid,
      };
      if (row.causation_id) headers.ce_causationid = row.causation_id;
      if (traceparent) headers.traceparent = traceparent;
      const messages = byTopic.get(topic) ?? [];
      messages.push({ key: row.aggregate_id, value: cloudEventJson(attributes, row.data), headers });
      byTopic.set(topic, messages);
    }
    return [...byTopic].map(([topic, messages]) => ({ topic, messages }));
  }

  private async ensureTopics(batch: readonly PendingRow[]): Promise<void> {
    const missing = new Set<string>();
    for (const e of batch) {
      const topic = prefixedTopic(this.options.kafka, e.topic);
      if (!this.knownTopics.has(topic)) missing.add(topic);
    }
    if (missing.size === 0) return;
    await ensureTopics(this.admin!, this.options.kafka, missing);
    for (const t of missing) this.knownTopics.add(t);
  }

  private record(events: readonly PendingRow[], started: number): void {
    const { service } = this.options;
    const now = Date.now();
    const m = messagingMetrics;
    m.outboxBatchDuration.observe({ service }, (performance.now() - started) / 1000);
    const perTopic = new Map<string, number>();
    for (const e of events) {
      perTopic.set(e.topic, (perTopic.get(e.topic) ?? 0) + 1);
      m.outboxPublishLatency.observe({ service }, Math.max(0, now - Date.parse(e.time)) / 1000);
    }
    for (const [topic, n] of perTopic) m.outboxPublished.inc({ service, topic }, n);
  }

  private notify(): void {
    this.notified = true;
    this.wake?.();
  }

  private waitForWork(): Promise<void> {
    if (this.notified || !this.running || this.sessionError) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, this.pollIntervalMs);
      const self = this;
      function done(): void {
        clearTimeout(timer);
        if (self.wake === done) self.wake = undefined;
        resolve();
      }
      this.wake = done;
    });
  }

  private async teardown(): Promise<void> {
    const wasActive = this.state === 'active';
    if (this.running) this.state = 'standby';
    messagingMetrics.outboxRelayActive.set({ service: this.options.service }, 0);
    const producer = this.producer;
    const admin = this.admin;
    const session = this.session;
    const lanes = this.lanes;
    this.producer = undefined;
    this.admin = undefined;
    this.session = undefined;
    this.lanes = [];
    this.knownTopics.clear();
    // Ending a lane rolls back a batch it has not marked yet.
    await Promise.allSettled(lanes.map((lane) => lane.end()));
    await Promise.allSettled([producer?.disconnect(), admin?.disconnect()]);
    if (session) {
      if (!this.sessionError) {
        // Ending the session releases the advisory lock and the LISTEN; unlock first to be explicit.
        await session.query(`SELECT pg_advisory_unlock_all()`).catch(() => undefined);
      }
      await session.end().catch(() => undefined);
    }
    if (wasActive) this.log.info({ service: this.options.service }, 'outbox relay released');
  }
}

function refOf(row: PendingRow): PublishedEventRef {
  return { id: row.id, aggregateId: row.aggregate_id, version: row.version, type: row.type, topic: row.topic };
}
