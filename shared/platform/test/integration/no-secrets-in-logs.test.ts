/**
 * No secret or personal data in any log line, even when a SQL statement fails (issue 12, item 3).
 *
 * Real identity, subscription and gateway processes (LOG_LEVEL=debug) on a sandbox of their own.
 * The test then makes PostgreSQL refuse statements whose parameters carry secrets — an INSERT
 * (check violation, unique violation, value too long), an UPDATE and a SELECT of identity's users
 * (email, argon2id hash), an INSERT of subscription's saga (payment token) — by adding
 * constraints, a narrower column and a failing row policy to the sandbox's tables, drives each
 * through the gateway, and greps every line the processes wrote for the secrets it used.
 * Each refusal must show in the logs (by its constraint or error), so the grep is not vacuous.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import pg from 'pg';
import {
  createServiceSandbox,
  dropSchemaWithRole,
  startFleetProcesses,
  testEnvironment,
  waitUntil,
  type FleetProcesses,
  type ServiceSandbox,
} from '@storytelling/testing';

interface Reply {
  status: number;
  body: Record<string, unknown>;
}

const PASSWORD = `pw-${randomBytes(6).toString('hex')}-horse`;

describe('failing SQL statements leave no secret in any log', () => {
  let sandbox: ServiceSandbox<'identity' | 'subscription'>;
  let fleet: FleetProcesses;
  let api: string;
  let admin: pg.Client;
  const secrets: string[] = [PASSWORD];

  beforeAll(async () => {
    sandbox = await createServiceSandbox('leaks', ['identity', 'subscription']);
    fleet = await startFleetProcesses({
      services: ['identity', 'subscription', 'gateway'],
      env: { LOG_LEVEL: 'debug', RATE_LIMIT_AUTH_PER_MINUTE: '1000', RATE_LIMIT_PER_MINUTE: '100000' },
      serviceOverrides: { identity: sandbox.env.identity, subscription: sandbox.env.subscription, gateway: { KAFKA_TOPIC_PREFIX: sandbox.topicPrefix } },
      readyTimeoutMs: 90_000,
    });
    api = `${fleet.gatewayUrl!}/api/v1`;
    admin = new pg.Client({ connectionString: testEnvironment().adminUrl });
    await admin.connect();
  }, 180_000);

  afterAll(async () => {
    await fleet?.stop();
    await admin?.end();
    if (sandbox) await Promise.all(Object.values(sandbox.env).map((e) => dropSchemaWithRole(e.DATABASE_SCHEMA)));
  });

  async function call(method: string, path: string, options: { token?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<Reply> {
    const headers: Record<string, string> = { ...(options.headers ?? {}) };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${api}${path}`, { method, headers, ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }) });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  }

  /** An email that is personal data: its local part is random, so any log line holding it leaked it. */
  function email(prefix: string): string {
    const value = `${prefix}-${randomBytes(5).toString('hex')}@example.com`;
    secrets.push(value.split('@')[0]!);
    return value;
  }

  const register = (address: string, displayName: string): Promise<Reply> =>
    call('POST', '/auth/register', { body: { email: address, password: PASSWORD, displayName } });

  const ddl = (service: 'identity' | 'subscription', sql: string): Promise<unknown> =>
    admin.query(sql.replaceAll('{s}', `"${sandbox.env[service].DATABASE_SCHEMA}"`));

  function logLines(): Array<{ file: string; line: string }> {
    return Object.values(fleet.services).flatMap((s) =>
      readFileSync(s.logFile, 'utf8')
        .split('\n')
        .filter((line) => line.length > 0)
        .map((line) => ({ file: s.name, line })),
    );
  }

  it('INSERT, UPDATE and SELECT refusals are logged by constraint and error, never with their parameters', async () => {
    const displayName = `Leaky ${randomBytes(4).toString('hex')}`;
    secrets.push(displayName);
    const ada = email('ada');
    const first = await register(ada, displayName);
    expect(first.status).toBe(201);
    const token = first.body.accessToken as string;
    await waitUntil(async () => (await call('GET', '/subscription', { token })).status === 200, 30_000);

    // INSERT refused by a check constraint (its detail lists the whole row).
    await ddl('identity', `ALTER TABLE {s}.users ADD CONSTRAINT leak_probe_check CHECK (email NOT LIKE 'chk-%') NOT VALID`);
    expect((await register(email('chk'), 'Checked')).status).toBeGreaterThanOrEqual(500);

    // INSERT refused by a unique index (its detail names the duplicate value).
    await ddl('identity', `CREATE UNIQUE INDEX leak_probe_unique ON {s}.users (display_name)`);
    expect((await register(email('dup'), displayName)).status).toBeGreaterThanOrEqual(500);

    // INSERT of a value too long for its column.
    await ddl('identity', `ALTER TABLE {s}.users ALTER COLUMN email TYPE varchar(40)`);
    expect((await register(email(`long-${'x'.repeat(30)}`), 'Long')).status).toBeGreaterThanOrEqual(500);

    // UPDATE refused by a check constraint (identity writes the whole row: email and hash).
    await ddl('identity', `ALTER TABLE {s}.users ADD CONSTRAINT leak_probe_update CHECK (first_name IS DISTINCT FROM 'Refused') NOT VALID`);
    expect((await call('PATCH', '/users/me', { token, body: { firstName: 'Refused' } })).status).toBeGreaterThanOrEqual(500);

    // INSERT of a saga whose state holds the payment token.
    const paymentToken = `tok_leak_${randomBytes(6).toString('hex')}`;
    secrets.push(paymentToken);
    await ddl('subscription', `ALTER TABLE {s}.saga_instances ADD CONSTRAINT leak_probe_saga CHECK (state::text NOT LIKE '%tok_leak_%') NOT VALID`);
    const upgrade = await call('POST', '/subscription', {
      token,
      body: { tierId: 'silver', billingCycle: 'monthly', paymentMethod: { token: paymentToken } },
      headers: { 'idempotency-key': randomUUID() },
    });
    expect(upgrade.status).toBeGreaterThanOrEqual(500);

    // SELECT by email refused (a row policy that fails on every row it reads).
    await ddl('identity', `ALTER TABLE {s}.users ENABLE ROW LEVEL SECURITY`);
    await ddl('identity', `ALTER TABLE {s}.users FORCE ROW LEVEL SECURITY`);
    await ddl('identity', `CREATE POLICY leak_probe_select ON {s}.users USING (1 / (length(id::text) - 36) = 1)`);
    const login = await call('POST', '/auth/login', { body: { email: ada, password: PASSWORD } });
    expect(login.status).toBeGreaterThanOrEqual(500);

    // Every refusal reached the logs (the grep below would otherwise prove nothing)...
    const lines = await waitUntil(() => {
      const all = logLines();
      const text = all.map((l) => l.line).join('\n');
      const seen = ['leak_probe_check', 'leak_probe_unique', 'value too long', 'leak_probe_update', 'leak_probe_saga', 'division by zero'].every((mark) => text.includes(mark));
      return seen ? all : false;
    }, 10_000);
    // ...and no line holds a secret, a password hash, or SQL parameters.
    const leaks = lines.filter(({ line }) => secrets.some((s) => line.includes(s)) || /\$argon2id\$|"parameters"/.test(line));
    expect(leaks.map(({ file, line }) => `${file}: ${line.slice(0, 600)}`)).toEqual([]);
  }, 120_000);
});
