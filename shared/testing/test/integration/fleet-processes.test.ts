import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { databaseExists, startFleetProcesses, testEnvironment, type FleetProcesses } from '../../src/index.js';

const fixtures = join(fileURLToPath(new URL('.', import.meta.url)), '..', 'fixtures', 'fake-service');
const entry = (_service: string, kind: 'main' | 'migrate'): string => join(fixtures, `${kind}.mjs`);
const env = testEnvironment();

async function envOf(url: string): Promise<Record<string, string>> {
  return (await (await fetch(`${url}/env`)).json()) as Record<string, string>;
}

describe('startFleetProcesses', () => {
  let fleet: FleetProcesses | undefined;

  afterEach(async () => {
    await fleet?.stop();
    fleet = undefined;
  });

  it("migrates, starts every service on free ports in the fleet's own database and topic prefix, and stops them", async () => {
    fleet = await startFleetProcesses({ entry, env: { EXTRA: 'yes' } });
    expect(fleet.databaseName).toMatch(new RegExp(`^${env.databaseName}_f[0-9a-f]{6}$`));
    expect(fleet.topicPrefix).toMatch(new RegExp(`^${env.topicPrefix.replace('.', '\\.')}f[0-9a-f]{6}\\.$`));
    const identity = fleet.services.identity!;
    const gateway = fleet.services.gateway!;
    expect(fleet.gatewayUrl).toBe(gateway.httpUrl);
    expect(identity.httpUrl).not.toBe('http://127.0.0.1:7101');

    const identityEnv = await envOf(identity.httpUrl);
    expect(identityEnv).toMatchObject({
      SERVICE_NAME: 'identity',
      DATABASE_URL: fleet.databaseUrlFor('identity'),
      DATABASE_SCHEMA: 'identity',
      KAFKA_TOPIC_PREFIX: fleet.topicPrefix,
      GRPC_PORT: identity.grpcAddress?.split(':')[1],
      EXTRA: 'yes',
    });
    const gatewayEnv = await envOf(gateway.httpUrl);
    expect(gatewayEnv.IDENTITY_GRPC_URL).toBe(identity.grpcAddress);
    expect(gatewayEnv.PUBLIC_BASE_URL).toBe(gateway.httpUrl);
    expect(gatewayEnv.DATABASE_URL).toBeUndefined();

    const db = new pg.Client({ connectionString: fleet.databaseUrlFor('identity') });
    await db.connect();
    try {
      expect((await db.query('SELECT id FROM identity.fake_migrated')).rows).toEqual([{ id: 1 }]);
    } finally {
      await db.end();
    }

    const { databaseName } = fleet;
    await fleet.stop();
    await expect(fetch(`${identity.httpUrl}/ready`)).rejects.toThrow();
    expect(await databaseExists(databaseName)).toBe(false);
  });

  it("two fleets of one run share neither database nor topics (another fleet's relay or consumer cannot take this one's messages)", async () => {
    fleet = await startFleetProcesses({ entry, services: ['identity'] });
    const other = await startFleetProcesses({ entry, services: ['identity'] });
    try {
      expect(other.databaseName).not.toBe(fleet.databaseName);
      expect(other.topicPrefix).not.toBe(fleet.topicPrefix);
      expect((await envOf(other.services.identity!.httpUrl)).DATABASE_URL).toBe(other.databaseUrlFor('identity'));
    } finally {
      await other.stop();
    }
  });

  it('isolated: false runs on the run\'s own database and prefix', async () => {
    fleet = await startFleetProcesses({ entry, services: ['identity'], isolated: false });
    expect({ databaseName: fleet.databaseName, topicPrefix: fleet.topicPrefix }).toEqual({ databaseName: env.databaseName, topicPrefix: env.topicPrefix });
    expect((await envOf(fleet.services.identity!.httpUrl)).DATABASE_URL).toBe(env.databaseUrlFor('identity'));
    await fleet.stop();
    fleet = undefined;
    expect(await databaseExists(env.databaseName)).toBe(true);
  });

  it('reports a service that never becomes ready, with its log', async () => {
    await expect(
      startFleetProcesses({ entry, services: ['identity'], serviceOverrides: { identity: { HTTP_PORT: 'not-a-port' } }, readyTimeoutMs: 2_000 }),
    ).rejects.toThrow(/identity: (exited|not ready)/);
  });

  it('refuses a service that is not built', async () => {
    await expect(startFleetProcesses({ entry: () => '/nonexistent/main.js' })).rejects.toThrow(/is missing; build first/);
  });
});
