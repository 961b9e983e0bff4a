// After the chaos: wait until the fleet is quiet, then check what must hold.
// - every saga terminal;
// - outbox ↔ inbox: every published event on a topic a consumer group reads is in that
//   consumer's inbox (the inbox key makes a second row impossible, so this finds losses);
// - event → effect exactly once, per consumer (subscriptions, recipients, authors, welcome
//   notices, charges, payment outcomes, activation/failure notices, narration notices);
// - every accepted request's result durable, re-read through the gateway;
// - dead letters: every message on dlq.* is listed with its reason.
import { setTimeout as sleep } from 'node:timers/promises';
import { readFleet } from '../fleet-manifest.mjs';
import { withAdminClient } from '../provisioning.mjs';

// Every service with a schema (fleet.json); sagas live where a service runs the saga engine.
const SCHEMAS = readFleet().services.flatMap((s) => (s.schema ? [s.schema] : []));
const SAGA_SCHEMAS = ['subscription', 'narration'];
const ACTIVE_SAGA = ['running', 'compensating'];

/** One short-lived client on the chaos run's database (the provisioning helper). */
export const withDb = withAdminClient;

/** @param {string[]} brokers */
async function kafkaAdmin(brokers) {
  const { Kafka, logLevel } = await import('kafkajs');
  const kafka = new Kafka({ clientId: 'storytelling-chaos', brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  return { kafka, admin };
}

/** Consumer lag per group and topic: high watermark minus committed offset. @param {import('kafkajs').Admin} admin */
async function consumerLag(admin) {
  const { groups } = await admin.listGroups();
  /** @type {{ group: string, topic: string, lag: number }[]} */
  const out = [];
  const topics = (await admin.listTopics()).filter((t) => !t.startsWith('__'));
  for (const { groupId } of groups) {
    const committed = await admin.fetchOffsets({ groupId, topics });
    for (const t of committed) {
      if (t.partitions.every((p) => p.offset === '-1')) continue; // the group never read this topic
      const high = await admin.fetchTopicOffsets(t.topic);
      let lag = 0;
      for (const p of t.partitions) {
        const h = Number(high.find((x) => x.partition === p.partition)?.high ?? 0);
        lag += h - Math.max(0, Number(p.offset));
      }
      out.push({ group: groupId, topic: t.topic, lag });
    }
  }
  return out;
}

/**
 * Waits until nothing moves: outboxes published, consumers caught up, no saga active, no
 * analysis or narration job waiting. Returns what still moved when the time ran out.
 * @param {string} dbUrl @param {string[]} brokers
 */
export async function waitQuiet(dbUrl, brokers, timeoutMs = 300_000) {
  const { admin } = await kafkaAdmin(brokers);
  const deadline = Date.now() + timeoutMs;
  let quietRounds = 0;
  /** @type {string[]} */
  let pending = [];
  try {
    while (Date.now() < deadline) {
      pending = [];
      await withDb(dbUrl, async (db) => {
        for (const s of SCHEMAS) {
          const r = await db.query(`SELECT count(*)::int AS n FROM ${s}.domain_events WHERE published_at IS NULL`);
          if (r.rows[0].n) pending.push(`${s}: ${r.rows[0].n} unpublished`);
        }
        for (const s of SAGA_SCHEMAS) {
          const r = await db.query(`SELECT count(*)::int AS n FROM ${s}.saga_instances WHERE status = ANY($1)`, [ACTIVE_SAGA]);
          if (r.rows[0].n) pending.push(`${s}: ${r.rows[0].n} sagas active`);
        }
        const jobs = await db.query(`SELECT count(*)::int AS n FROM story.analysis_jobs WHERE status NOT IN ('succeeded', 'failed', 'cancelled')`);
        if (jobs.rows[0].n) pending.push(`story: ${jobs.rows[0].n} analysis jobs`);
        const narrations = await db.query(`SELECT count(*)::int AS n FROM narration.narrations WHERE status NOT IN ('completed', 'failed')`);
        if (narrations.rows[0].n) pending.push(`narration: ${narrations.rows[0].n} narrations`);
      });
      for (const l of await consumerLag(admin).catch(() => [{ group: '?', topic: '?', lag: 1 }])) if (l.lag > 0) pending.push(`${l.group} ${l.topic}: lag ${l.lag}`);
      quietRounds = pending.length === 0 ? quietRounds + 1 : 0;
      if (quietRounds >= 3) return [];
      await sleep(2000);
    }
    return pending;
  } finally {
    await admin.disconnect();
  }
}

/** Every message on dlq.* with its reason. @param {string[]} brokers @returns {Promise<{ topic: string, originalTopic: string, type: string, error: string }[]>} */
export async function readDeadLetters(brokers) {
  const { kafka, admin } = await kafkaAdmin(brokers);
  try {
    const topics = (await admin.listTopics()).filter((t) => t.startsWith('dlq.'));
    /** @type {{ topic: string, originalTopic: string, type: string, error: string }[]} */
    const letters = [];
    let expected = 0;
    for (const t of topics) for (const p of await admin.fetchTopicOffsets(t)) expected += Number(p.high) - Number(p.low);
    if (expected === 0) return letters;
    const consumer = kafka.consumer({ groupId: `chaos-dlq-reader-${Date.now()}` });
    await consumer.connect();
    await consumer.subscribe({ topics, fromBeginning: true });
    const header = (/** @type {any} */ h, /** @type {string} */ k) => (h?.[k] ? h[k].toString() : '');
    await consumer.run({
      eachMessage: async ({ topic, message }) => {
        letters.push({ topic, originalTopic: header(message.headers, 'x-original-topic'), type: header(message.headers, 'ce_type'), error: header(message.headers, 'x-error').slice(0, 200) });
      },
    });
    const deadline = Date.now() + 30_000;
    while (letters.length < expected && Date.now() < deadline) await sleep(200);
    await consumer.disconnect();
    return letters;
  } finally {
    await admin.disconnect();
  }
}

/**
 * Outbox ↔ inbox per consumer group and topic, and events ↔ effects. Each check gives expected,
 * found, lost and duplicated counts. `session`: run on that connection (the self-check runs it
 * inside a transaction that it rolls back).
 * @param {string} dbUrl @param {string[]} brokers @param {import('pg').Client} [session]
 */
export async function checkEffects(dbUrl, brokers, session) {
  const { admin } = await kafkaAdmin(brokers);
  /** @type {{ group: string, topic: string }[]} */
  let reads;
  try {
    reads = (await consumerLag(admin)).map(({ group, topic }) => ({ group, topic }));
  } finally {
    await admin.disconnect();
  }
  /** @param {import('pg').Client} db */
  const run = async (db) => {
    /** @type {{ check: string, expected: number, found: number, lost: number, duplicated: number, detail?: string }[]} */
    const checks = [];
    const union = SCHEMAS.map((s) => `SELECT id, topic, type, data, published_at FROM ${s}.domain_events`).join(' UNION ALL ');
    await db.query('DROP TABLE IF EXISTS pg_temp.all_events');
    await db.query(`CREATE TEMP TABLE all_events AS ${union}`);
    const dup = await db.query('SELECT count(*)::int AS n FROM (SELECT id FROM all_events GROUP BY id HAVING count(*) > 1) d');
    checks.push({ check: 'outbox ids unique across services', expected: 0, found: dup.rows[0].n, lost: 0, duplicated: dup.rows[0].n });
    const unpublished = await db.query('SELECT count(*)::int AS n FROM all_events WHERE published_at IS NULL');
    checks.push({ check: 'outbox rows published', expected: 0, found: unpublished.rows[0].n, lost: unpublished.rows[0].n, duplicated: 0 });

    // A dead-lettered message has no inbox row: it is reported with the dead letters, not as lost.
    for (const { group, topic } of reads.filter((r) => SCHEMAS.includes(r.group))) {
      const r = await db.query(
        `SELECT count(*)::int AS expected,
                count(i.event_id)::int AS found
           FROM all_events e LEFT JOIN ${group}.inbox_messages i ON i.event_id = e.id AND i.consumer = $1
          WHERE e.topic = $2 AND e.published_at IS NOT NULL`,
        [group, topic],
      );
      const { expected, found } = r.rows[0];
      checks.push({ check: `inbox ${group} ← ${topic}`, expected, found, lost: expected - found, duplicated: 0 });
    }

    /** @param {string} check @param {string} sql one row per expected effect with its count n */
    const perEffect = async (check, sql) => {
      const r = await db.query(`SELECT count(*)::int AS expected, count(*) FILTER (WHERE n > 0)::int AS found,
          count(*) FILTER (WHERE n = 0)::int AS lost, coalesce(sum(greatest(n - 1, 0)), 0)::int AS duplicated FROM (${sql}) x`);
      checks.push({ check, ...r.rows[0] });
    };
    const registered = `SELECT id, (data->>'userId')::uuid AS user_id FROM all_events WHERE type = 'storytelling.identity.user.registered.v1'`;
    await perEffect('UserRegistered → one free subscription', `SELECT (SELECT count(*) FROM subscription.subscriptions s WHERE s.user_id = e.user_id) AS n FROM (${registered}) e`);
    await perEffect('UserRegistered → one notification recipient', `SELECT (SELECT count(*) FROM notification.recipients r WHERE r.id = e.user_id) AS n FROM (${registered}) e`);
    await perEffect('UserRegistered → one story author', `SELECT (SELECT count(*) FROM story.authors a WHERE a.id = e.user_id) AS n FROM (${registered}) e`);
    await perEffect('UserRegistered → one welcome notice', `SELECT (SELECT count(*) FROM notification.notifications n WHERE n.source_event_id = e.id AND n.type = 'welcome') AS n FROM (${registered}) e`);
    const charges = `SELECT id, data FROM all_events WHERE topic = 'payments.commands' AND type LIKE '%charge%'`;
    await perEffect('ChargePayment → one payment', `SELECT (SELECT count(*) FROM payments.payments p WHERE p.id = (c.data->>'paymentId')::uuid) AS n FROM (${charges}) c`);
    await perEffect(
      'ChargePayment → one PaymentProcessed|PaymentFailed',
      `SELECT (SELECT count(*) FROM all_events o WHERE o.type IN ('storytelling.payments.payment.processed.v1', 'storytelling.payments.payment.failed.v1')
                AND o.data->>'paymentId' = c.data->>'paymentId') AS n FROM (${charges}) c`,
    );
    await perEffect(
      'succeeded payment → one sandbox charge',
      `SELECT (SELECT count(*) FROM payments.sandbox_charges s WHERE s.provider_payment_id = p.provider_payment_id) AS n FROM payments.payments p WHERE p.status = 'succeeded'`,
    );
    const paidSagas = await db.query(
      `SELECT count(*)::int AS expected, count(*) FILTER (WHERE n > 0)::int AS found, coalesce(sum(greatest(n - 1, 0)), 0)::int AS duplicated
         FROM (SELECT (SELECT count(*) FROM payments.payments p WHERE p.saga_id = s.id AND p.status = 'succeeded') AS n
                 FROM subscription.saga_instances s WHERE s.type = 'paid-subscription') x`,
    );
    checks.push({ check: 'paid-subscription saga → at most one succeeded charge', ...paidSagas.rows[0], lost: 0 });
    const notice = (/** @type {string} */ eventType, /** @type {string} */ noticeType) =>
      `SELECT (SELECT count(*) FROM notification.notifications n WHERE n.source_event_id = e.id AND n.type = '${noticeType}') AS n FROM all_events e WHERE e.type = '${eventType}'`;
    await perEffect('SubscriptionActivated → one subscription_activated notice', notice('storytelling.subscription.subscription.activated.v1', 'subscription_activated'));
    await perEffect('PaymentFailed → one payment_failed notice', notice('storytelling.payments.payment.failed.v1', 'payment_failed'));
    await perEffect(
      'NarrationGenerated → one narration_ready notice',
      `SELECT (SELECT count(*) FROM notification.notifications n WHERE n.type = 'narration_ready' AND n.recipient_id = (e.data->>'ownerId')::uuid
                AND n.link LIKE '%/narrations/' || (e.data->>'narrationId')) AS n
         FROM (SELECT DISTINCT ON (data->>'narrationId') * FROM all_events WHERE type = 'storytelling.narration.narration.generated.v1') e`,
    );
    await perEffect(
      'notification → one delivery per channel',
      `SELECT count(*) AS n FROM notification.deliveries d GROUP BY d.notification_id, d.channel`,
    );

    /** @type {Record<string, number>} */
    const sagas = {};
    for (const s of SAGA_SCHEMAS) {
      const r = await db.query(`SELECT type, status, count(*)::int AS n FROM ${s}.saga_instances GROUP BY 1, 2 ORDER BY 1, 2`);
      for (const row of r.rows) sagas[`${row.type} ${row.status}`] = row.n;
    }
    const events = await db.query('SELECT count(*)::int AS n FROM all_events');
    const inbox = await db.query(SCHEMAS.map((s) => `SELECT count(*)::int AS n FROM ${s}.inbox_messages`).join(' UNION ALL '));
    return { checks, sagas, events: events.rows[0].n, inboxRows: inbox.rows.reduce((s, r) => s + r.n, 0) };
  };
  return session ? run(session) : withDb(dbUrl, run);
}

/**
 * The checks must be able to fail: inside a transaction that is rolled back, take one inbox row
 * away, move one welcome notice off its event and copy one sandbox charge, run the checks again
 * and see exactly those three faults. Returns one line per fault: seen, not seen, or null when
 * there was no row to inject it into. (The fleet may have moved meanwhile, e.g. the re-reads'
 * logins, so each fault is judged by the change it makes to its own check.)
 * @param {string} dbUrl @param {string[]} brokers
 */
export async function selfCheck(dbUrl, brokers) {
  return withDb(dbUrl, async (db) => {
    const faults = [
      {
        what: 'one inbox row of notification deleted',
        check: 'inbox notification ← identity.user.events',
        field: 'lost',
        sql: `DELETE FROM notification.inbox_messages WHERE ctid = (SELECT ctid FROM notification.inbox_messages WHERE topic = 'identity.user.events' LIMIT 1)`,
      },
      {
        what: 'one welcome notice moved off its event',
        check: 'UserRegistered → one welcome notice',
        field: 'lost',
        sql: `UPDATE notification.notifications SET source_event_id = gen_random_uuid() WHERE id = (SELECT id FROM notification.notifications WHERE type = 'welcome' LIMIT 1)`,
      },
      {
        what: 'one sandbox charge copied',
        check: 'succeeded payment → one sandbox charge',
        field: 'duplicated',
        sql: `INSERT INTO payments.sandbox_charges SELECT 'chaos-copy-' || idempotency_key, fingerprint, outcome, provider_payment_id, amount_minor, refunded_minor, created_at
                FROM payments.sandbox_charges WHERE provider_payment_id IN (SELECT provider_payment_id FROM payments.payments WHERE status = 'succeeded') LIMIT 1`,
      },
    ];
    await db.query('BEGIN');
    try {
      const before = await checkEffects(dbUrl, brokers, db);
      /** @type {{ what: string, seen: boolean | null, detail: string }[]} */
      const out = [];
      const applied = [];
      for (const f of faults) {
        await db.query('SAVEPOINT fault');
        try {
          const r = await db.query(f.sql);
          if (r.rowCount !== 1) throw new Error(`changed ${r.rowCount} rows`);
          await db.query('RELEASE SAVEPOINT fault');
          applied.push(f);
        } catch (error) {
          await db.query('ROLLBACK TO SAVEPOINT fault');
          // No row to work on (a short run without payments): nothing to see, not a failure.
          out.push({ what: f.what, seen: null, detail: `not injected: ${error instanceof Error ? error.message : String(error)}` });
        }
      }
      const after = await checkEffects(dbUrl, brokers, db);
      for (const f of applied) {
        const b = before.checks.find((c) => c.check === f.check);
        const a = after.checks.find((c) => c.check === f.check);
        const delta = a && b ? a[f.field] - b[f.field] : NaN;
        out.push({ what: f.what, seen: delta === 1, detail: `${f.check}: ${f.field} ${b?.[f.field]} → ${a?.[f.field]}` });
      }
      return out;
    } finally {
      await db.query('ROLLBACK');
    }
  });
}
