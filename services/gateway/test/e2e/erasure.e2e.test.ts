/**
 * Erasure across the fleet (issue 13, account deletion): every fleet.json service as a real
 * process against this run's PostgreSQL database, Kafka topic prefix and one filesystem object
 * store, driven through the gateway's HTTP API.
 *
 * A member leaves data in every context: a story, follows both ways, a paid subscription and its
 * payment, in-app notices, and a voice with a recorded sample (audio in the object store). They
 * delete their account (DELETE /users/me); identity's UserDeactivated then reaches every context.
 * The test reads EVERY
 * text, varchar, char, json and jsonb column of EVERY table of EVERY schema of the run's database,
 * and every file of the object store, looking for the member's email, display name and audio.
 * Nothing may remain but what payments must keep (amounts, dates, provider ids: no personal text).
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import pg from 'pg';
import { startFleetProcesses, waitUntil, type FleetProcesses } from '@storytelling/testing';
import { speech, voiceScratch } from '../../../narration/test/support/voice-audio.js';
import { PASSWORD, uniqueEmail } from '../support/http.js';

interface Reply {
  status: number;
  body: Record<string, unknown> & { items?: Array<Record<string, unknown>>; code?: string };
}

interface Member {
  id: string;
  email: string;
  displayName: string;
  token: string;
}

/** Schemas the scan leaves out: PostgreSQL's own. */
const NOT_SCANNED = ['pg_catalog', 'information_schema', 'pg_toast'];

const scratch = voiceScratch('erasure-e2e');
const objectsDir = join(scratch.dir, 'objects');

function filesUnder(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names.flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

const sha256 = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');

describe('erasure: DELETE /users/me leaves nothing personal in any schema or object store', () => {
  let fleet: FleetProcesses;
  let api: string;
  let db: pg.Client;

  beforeAll(async () => {
    fleet = await startFleetProcesses({
      env: { LOG_LEVEL: 'warn', RATE_LIMIT_AUTH_PER_MINUTE: '1000', RATE_LIMIT_PER_MINUTE: '100000', OBJECT_STORAGE: 'fs', OBJECT_STORAGE_DIR: objectsDir },
      serviceOverrides: { notification: { NOTIFICATION_SEND_POLL_MS: '100' } },
      readyTimeoutMs: 90_000,
    });
    api = `${fleet.gatewayUrl!}/api/v1`;
    db = new pg.Client({ connectionString: fleet.adminUrl });
    await db.connect();
  }, 240_000);

  afterAll(async () => {
    await db?.end();
    await fleet?.stop();
    scratch.cleanup();
  });

  async function call(method: string, path: string, options: { token?: string; body?: unknown } = {}): Promise<Reply> {
    const headers: Record<string, string> = {};
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${api}${path}`, { method, headers, ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }) });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as Reply['body']) : {} };
  }

  async function member(name: string): Promise<Member> {
    const email = uniqueEmail(name);
    const displayName = `${name} ${email.split('.')[1]!.slice(0, 6)}`;
    const res = await call('POST', '/auth/register', { body: { email, password: PASSWORD, displayName } });
    expect(res.status).toBe(201);
    const m = { id: (res.body.user as { id: string }).id, email, displayName, token: res.body.accessToken as string };
    await waitUntil(async () => (await call('GET', '/subscription', { token: m.token })).status === 200, 30_000);
    return m;
  }

  async function follow(who: Member, whom: Member): Promise<void> {
    // story learns of a new author from identity's event: until then following is 503
    await waitUntil(async () => (await call('POST', `/authors/${whom.id}/follow`, { token: who.token })).status === 204, 30_000);
  }

  /** Every (schema.table.column, count) whose text holds `needle`, in every scanned schema. */
  async function whereFound(needle: string): Promise<string[]> {
    const columns = await db.query<{ table_schema: string; table_name: string; column_name: string }>(
      `SELECT c.table_schema, c.table_name, c.column_name
         FROM information_schema.columns c
         JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE'
        WHERE c.table_schema <> ALL($1) AND c.table_schema NOT LIKE 'pg_temp%'
          AND c.data_type IN ('text', 'character varying', 'character', 'json', 'jsonb', 'ARRAY')
        ORDER BY 1, 2, 3`,
      [NOT_SCANNED],
    );
    expect(columns.rows.length).toBeGreaterThan(20); // the scan really reads the fleet's tables
    const found: string[] = [];
    for (const { table_schema: s, table_name: t, column_name: c } of columns.rows) {
      const q = `SELECT count(*)::int AS n FROM "${s}"."${t}" WHERE strpos(lower("${c}"::text), lower($1)) > 0`;
      const n = (await db.query<{ n: number }>(q, [needle])).rows[0]!.n;
      if (n > 0) found.push(`${s}.${t}.${c} (${n})`);
    }
    return found;
  }

  it('a member with stories, follows, a paid plan, a payment, notices and a recorded voice is erased everywhere', async () => {
    const zoe = await member('Zoe');
    const max = await member('Max');

    // story: a draft and a published story, follows both ways
    const draft = await call('POST', '/stories', { token: zoe.token, body: { title: 'The lighthouse keeper', content: 'Once upon a time, by the sea.' } });
    expect(draft.status).toBe(201);
    await follow(zoe, max);
    await follow(max, zoe);
    const schemas = await db.query<{ schema_name: string }>(`SELECT schema_name FROM information_schema.schemata ORDER BY 1`);
    const scanned = schemas.rows.map((r) => r.schema_name).filter((s) => !NOT_SCANNED.includes(s) && !s.startsWith('pg_'));
    expect(scanned).toEqual(expect.arrayContaining(['identity', 'narration', 'notification', 'payments', 'story', 'subscription']));

    // subscription + payments + notification: silver, paid with tok_visa, and the in-app notice
    const paying = await call('POST', '/subscription', { token: zoe.token, body: { tierId: 'silver', billingCycle: 'monthly', paymentMethod: { token: 'tok_visa' } } });
    expect(paying.status).toBe(202);
    await waitUntil(async () => (await call('GET', '/subscription', { token: zoe.token })).body.tier === 'silver', 30_000);
    expect((await call('GET', '/payments', { token: zoe.token })).body.items).toEqual([expect.objectContaining({ status: 'succeeded', amountMinor: 999 })]);
    await waitUntil(async () => ((await call('GET', '/notifications', { token: zoe.token })).body.items ?? []).some((n) => n.type === 'subscription_activated'), 30_000);

    // narration: a voice with one recorded sample (audio in the object store)
    const voice = await call('POST', '/voices', { token: zoe.token, body: { name: `${zoe.displayName}'s voice` } });
    expect(voice.status).toBe(201);
    const recording = await speech(scratch.dir, 'zoe.wav', 'Hello there, little one. It is time for a story.');
    const form = new FormData();
    form.set('emotion', 'joy');
    form.set('text', 'Hello there, little one.');
    form.set('audio', new Blob([readFileSync(recording)], { type: 'audio/wav' }), 'take.wav');
    const sample = await fetch(`${api}/voices/${voice.body.id as string}/samples`, { method: 'POST', headers: { authorization: `Bearer ${zoe.token}` }, body: form });
    expect(sample.status).toBe(201);
    const zoeFiles = filesUnder(objectsDir).filter((f) => relative(objectsDir, f).includes(zoe.id));
    expect(zoeFiles.length).toBeGreaterThan(0);
    const zoeAudio = new Set(zoeFiles.map(sha256));

    const described = await db.query<{ description: string }>(`SELECT description FROM payments.payments WHERE user_id = $1`, [zoe.id]);
    expect(described.rows[0]!.description).not.toBe('');

    // the data is really there before the erasure: the scan can fail
    expect(await whereFound(zoe.displayName)).not.toEqual([]);
    const followsBefore = await db.query(`SELECT 1 FROM story.story_followers WHERE author_id = $1 OR follower_id = $1`, [zoe.id]);
    expect(followsBefore.rowCount).toBe(2);

    // the member deletes their account; their token stops working at once
    expect((await call('DELETE', '/users/me', { token: zoe.token, body: { password: PASSWORD } })).status).toBe(202);
    expect((await call('GET', '/subscription', { token: zoe.token })).status).toBe(401);

    // every context has acted: story archived, subscription ended, voice gone, notices blanked
    await waitUntil(async () => {
      const stories = await db.query(`SELECT 1 FROM story.stories WHERE author_id = $1 AND status <> 'archived'`, [zoe.id]);
      const subs = await db.query(`SELECT 1 FROM subscription.subscriptions WHERE user_id = $1 AND status <> 'cancelled'`, [zoe.id]);
      const voices = await db.query(`SELECT 1 FROM narration.voices WHERE owner_id = $1`, [zoe.id]);
      const recipient = await db.query(`SELECT 1 FROM notification.recipients WHERE id = $1 AND email <> ''`, [zoe.id]);
      return stories.rowCount === 0 && subs.rowCount === 0 && voices.rowCount === 0 && recipient.rowCount === 0;
    }, 60_000);

    // a paid subscription ends with no renewal
    const sub = await db.query<{ status: string; cancel_at_period_end: boolean }>(`SELECT status, cancel_at_period_end FROM subscription.subscriptions WHERE user_id = $1`, [zoe.id]);
    expect(sub.rows).toEqual([expect.objectContaining({ status: 'cancelled' })]);
    // the in-app messages keep no text
    const notices = await db.query<{ title: string | null; body: string | null }>(`SELECT title, body FROM notification.notifications WHERE recipient_id = $1`, [zoe.id]);
    expect(notices.rowCount).toBeGreaterThan(0);
    expect(notices.rows.every((n) => n.title === null && n.body === null)).toBe(true);
    // follows, both ways
    expect((await db.query(`SELECT 1 FROM story.story_followers WHERE author_id = $1 OR follower_id = $1`, [zoe.id])).rowCount).toBe(0);
    // payments keeps what accounting needs and drops the rest (it hears UserDeactivated itself)
    await waitUntil(async () => (await db.query(`SELECT 1 FROM payments.payments WHERE user_id = $1 AND description = ''`, [zoe.id])).rowCount === 1, 30_000);
    const kept = await db.query<{ amount_minor: string; currency: string; provider_payment_id: string | null; created_at: Date; failure_message: string | null }>(
      `SELECT amount_minor, currency, provider_payment_id, created_at, failure_message FROM payments.payments WHERE user_id = $1`,
      [zoe.id],
    );
    expect(kept.rows).toEqual([
      { amount_minor: '999', currency: 'USD', provider_payment_id: expect.any(String), created_at: expect.any(Date), failure_message: null },
    ]);

    // no email, no name, in any column of any table of any schema
    expect({ email: await whereFound(zoe.email), name: await whereFound(zoe.displayName) }).toEqual({ email: [], name: [] });
    // the other member keeps theirs
    expect(await whereFound(max.displayName)).not.toEqual([]);

    // no audio: no file under the member's id, no file with the bytes of their recordings
    const left = filesUnder(objectsDir);
    expect(left.filter((f) => relative(objectsDir, f).includes(zoe.id))).toEqual([]);
    expect(left.filter((f) => zoeAudio.has(sha256(f)))).toEqual([]);
  }, 240_000);
});
