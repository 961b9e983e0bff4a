/**
 * A service serves as soon as its database is ready; its Kafka consumers join their group in the
 * background and /ready reports them apart (issue 12, item 10). The slow case is a restart after
 * a crash: the group still counts the dead member until its session times out, and a consumer
 * joining then waits for that rebalance (13–14 s seen).
 *
 * Real subscription processes (it consumes identity's and story's events) on a sandbox of their
 * own. Deterministic: one whose Kafka does not answer must still serve (it used to wait for its
 * consumer to start, and exit when it gave up). Realistic: one is SIGKILLed and another takes its place in the same group.
 * The start-up figures are in docs/running-locally.md.
 */
import {
  createServiceSandbox,
  dropSchemaWithRole,
  freePort,
  startFleetProcesses,
  waitUntil,
  type FleetProcesses,
  type ServiceSandbox,
} from '@storytelling/testing';

interface ReadyBody {
  status: string;
  checks: Record<string, { ok: boolean; optional?: boolean; error?: string }>;
}

describe('start-up: serving first, consumers reported apart', () => {
  let sandbox: ServiceSandbox<'subscription'>;
  const fleets: FleetProcesses[] = [];

  beforeAll(async () => {
    sandbox = await createServiceSandbox('faststart', ['subscription']);
  });

  afterAll(async () => {
    await Promise.all(fleets.map((f) => f.stop()));
    if (sandbox) await dropSchemaWithRole(sandbox.env.subscription.DATABASE_SCHEMA);
  });

  const start = async (waitForConsumers: boolean, env: Record<string, string> = {}): Promise<FleetProcesses> => {
    const fleet = await startFleetProcesses({
      services: ['subscription'],
      serviceOverrides: { subscription: { ...sandbox.env.subscription, ...env } },
      waitForConsumers,
      readyTimeoutMs: 60_000,
    });
    fleets.push(fleet);
    return fleet;
  };

  const readiness = async (url: string): Promise<ReadyBody> => (await (await fetch(`${url}/ready`)).json()) as ReadyBody;

  it('serves with its database while its consumer cannot reach Kafka, and /ready says so', async () => {
    // A port nothing listens on: the consumer keeps retrying, the service must not wait for it.
    const fleet = await start(false, { KAFKA_BROKERS: `127.0.0.1:${await freePort()}` });
    const service = fleet.services.subscription!;
    const ready = await readiness(service.httpUrl);
    expect(ready.status).toBe('ready');
    expect(ready.checks.database).toMatchObject({ ok: true });
    expect(ready.checks.consumers).toMatchObject({ ok: false, optional: true });
    await fleet.stop();
  }, 120_000);

  it('a service restarted after SIGKILL serves without waiting for its group, and /ready shows its consumers join', async () => {
    const first = (await start(true)).services.subscription!;
    process.kill(first.pid, 'SIGKILL');
    await waitUntil(async () => fetch(`${first.httpUrl}/health`).then(() => false, () => true), 10_000);

    // The group still counts the killed member until its session times out (30 s), unless the
    // new process took longer than that to load: how long the join takes depends on the box.
    const second = (await start(false)).services.subscription!;
    const ready = await readiness(second.httpUrl);
    process.stdout.write(
      `subscription ready after ${first.readyMs} ms (consumers ${first.consumersReadyMs} ms); after SIGKILL: ready after ${second.readyMs} ms, consumers ${ready.checks.consumers?.ok ? 'joined' : 'joining'}\n`,
    );
    expect(ready.status).toBe('ready');
    expect(ready.checks.consumers).toMatchObject({ optional: true });
    await waitUntil(async () => (await readiness(second.httpUrl)).checks.consumers?.ok === true, 60_000, 200);
  }, 150_000);
});
