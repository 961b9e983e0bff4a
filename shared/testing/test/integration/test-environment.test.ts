import { existsSync, readFileSync } from 'node:fs';
import pg from 'pg';
import { databaseExists, dropDatabase, ensureDatabase, serviceEnv, testEnvironment, withKafkaAdmin } from '../../src/index.js';
import { dropStaleDatabases, fleetDatabaseName, newRunId, testDatabaseName } from '../../../../scripts/lib/test-run.mjs';

const env = testEnvironment();

describe('testEnvironment', () => {
  it('describes a per-run database and topic prefix', () => {
    expect(env.databaseName).toBe(`storytelling_test_${env.runId}`);
    expect(env.topicPrefix).toBe(`t${env.runId}.`);
    expect(env.topic('identity.user.events')).toBe(`t${env.runId}.identity.user.events`);
    expect(env.brokers.length).toBeGreaterThan(0);
  });

  it('points at a running PostgreSQL with the run database', async () => {
    const admin = new pg.Client({ connectionString: env.adminUrl });
    await admin.connect();
    try {
      expect((await admin.query('SELECT current_database() AS db')).rows[0]).toEqual({ db: env.databaseName });
    } finally {
      await admin.end();
    }
  });

  it("gives a service's URL as its own role, confined to its schema", async () => {
    const client = new pg.Client({ connectionString: env.databaseUrlFor('identity') });
    await client.connect();
    try {
      const row = (await client.query('SELECT current_user AS u, current_schema() AS s')).rows[0];
      expect(row).toEqual({ u: 'identity', s: 'identity' });
    } finally {
      await client.end();
    }
  });

  // Issue 12, item 11: a test run never uses the servers `npm start` uses (55432/59092), so the
  // tests run beside a developer's fleet. TEST_SHARED_INFRA=1 opts out on purpose.
  it("runs on this test run's own PostgreSQL and Kafka, not the ports of npm start (unless given servers)", () => {
    const given = process.env.TEST_SHARED_INFRA === '1' || Boolean(process.env.DATABASE_ADMIN_URL) || Boolean(process.env.KAFKA_BROKERS);
    const onNpmStartPorts = { postgres: new URL(env.adminUrl).port === '55432', kafka: env.brokers.some((b) => b.endsWith(':59092')) };
    if (given) expect(env.adminUrl.length).toBeGreaterThan(0);
    else expect(onNpmStartPorts).toEqual({ postgres: false, kafka: false });
  });

  it('points at a running Kafka', async () => {
    const cluster = await withKafkaAdmin(env.brokers, (admin) => admin.describeCluster());
    expect(cluster.brokers.length).toBeGreaterThan(0);
  });
});

describe('serviceEnv', () => {
  it("builds a schema-owning service's environment for this run (conventions.md)", () => {
    const identity = serviceEnv('identity');
    expect(identity).toMatchObject({
      SERVICE_NAME: 'identity',
      HOST: '127.0.0.1',
      HTTP_PORT: '7101',
      GRPC_PORT: '7201',
      DATABASE_URL: env.databaseUrlFor('identity'),
      DATABASE_SCHEMA: 'identity',
      KAFKA_BROKERS: env.brokers.join(','),
      KAFKA_TOPIC_PREFIX: env.topicPrefix,
      SUPERADMIN_EMAIL: 'admin@storytelling.local',
    });
    expect(identity.SUPERADMIN_PASSWORD?.length).toBeGreaterThanOrEqual(10);
    expect(identity.JWT_KEY_ID).toMatch(/^local-[A-Za-z0-9_-]{16}$/);
    const keyFile = identity.JWT_PRIVATE_KEY_FILE ?? '';
    expect(existsSync(keyFile)).toBe(true);
    expect(readFileSync(keyFile, 'utf8')).toContain('BEGIN PRIVATE KEY');
  });

  it("gives the gateway its peers' gRPC addresses and no database", () => {
    const gateway = serviceEnv('gateway');
    expect(gateway.IDENTITY_GRPC_URL).toBe('127.0.0.1:7201');
    expect(gateway.DATABASE_URL).toBeUndefined();
    expect(gateway.GRPC_PORT).toBeUndefined();
    expect(gateway.HTTP_PORT).toBe('8080');
  });

  it('applies overrides last', () => {
    expect(serviceEnv('identity', { HTTP_PORT: '0', LOG_LEVEL: 'silent' })).toMatchObject({ HTTP_PORT: '0', LOG_LEVEL: 'silent' });
  });

  it('keeps generated secrets stable between calls', () => {
    expect(serviceEnv('identity').SUPERADMIN_PASSWORD).toBe(serviceEnv('identity').SUPERADMIN_PASSWORD);
    expect(serviceEnv('identity').JWT_KEY_ID).toBe(serviceEnv('identity').JWT_KEY_ID);
  });

  it('rejects a service fleet.json does not know', () => {
    expect(() => serviceEnv('nope')).toThrow(/no service "nope" in fleet.json/);
  });
});

describe('clean-up of dead runs', () => {
  it("drops a dead run's database with its fleets' own databases, and keeps this run's fleets", async () => {
    const dead = newRunId(Date.now() - 60 * 60_000);
    const names = { run: testDatabaseName(dead), fleet: fleetDatabaseName(dead, 'a1b2c3'), ownFleet: fleetDatabaseName(env.runId, 'd4e5f6') };
    for (const name of Object.values(names)) await ensureDatabase(name);
    try {
      const { dropped, live } = await dropStaleDatabases(env.runId);
      expect(dropped).toEqual(expect.arrayContaining([names.run, names.fleet]));
      expect(dropped).not.toContain(names.ownFleet);
      expect(live.has(dead)).toBe(false);
      expect({ run: await databaseExists(names.run), fleet: await databaseExists(names.fleet), ownFleet: await databaseExists(names.ownFleet) }).toEqual({ run: false, fleet: false, ownFleet: true });
    } finally {
      for (const name of Object.values(names)) await dropDatabase(name, { force: true });
    }
  });
});
