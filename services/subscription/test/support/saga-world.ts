import { FixedClock } from '@storytelling/kernel';
import { EventProbe } from '@storytelling/testing';
import type { DataSource } from 'typeorm';
import {
  Publisher,
  createSandbox,
  startIdentity,
  startSubscription,
  subscriptionDataSource,
  type RunningIdentity,
  type RunningSubscription,
  type Sandbox,
} from './harness.js';
import { PaymentsDouble } from './payments-double.js';

/**
 * identity and subscription in process on a sandbox, with a clock the test moves, and the test
 * playing payments (PaymentsDouble over payments.commands) while it watches the subscription
 * events: what the saga and dunning tests both start from.
 */
export interface SagaWorld {
  sandbox: Sandbox;
  identity: RunningIdentity;
  app: RunningSubscription;
  ds: DataSource;
  publisher: Publisher;
  commands: EventProbe;
  events: EventProbe;
  payments: PaymentsDouble;
  clock: FixedClock;
  /** Starts subscription again after the test closed `app` (a new process after a crash). */
  startAgain(): Promise<RunningSubscription>;
  close(): Promise<void>;
}

export async function startSagaWorld(name: string): Promise<SagaWorld> {
  const clock = new FixedClock(new Date());
  const sandbox = await createSandbox(name);
  const identity = await startIdentity(sandbox);
  const start = () => startSubscription(sandbox, { clock, identityUrl: identity.handle.grpcUrl!, env: { SUBSCRIPTION_CHARGE_TIMEOUT_MS: String(10 * 60_000) } });
  const app = await start();
  const ds = await subscriptionDataSource(sandbox);
  const publisher = await Publisher.start(sandbox);
  const [commands, events] = await Promise.all([
    EventProbe.start('payments.commands', { topicPrefix: sandbox.topicPrefix }),
    EventProbe.start('subscription.subscription.events', { topicPrefix: sandbox.topicPrefix }),
  ]);
  const payments = new PaymentsDouble(commands, publisher);
  const world: SagaWorld = {
    sandbox,
    identity,
    app,
    ds,
    publisher,
    commands,
    events,
    payments,
    clock,
    async startAgain() {
      world.app = await start();
      return world.app;
    },
    async close() {
      await Promise.all([commands.close(), events.close(), publisher.close()]);
      await ds.destroy();
      await world.app.close();
      await identity.close();
    },
  };
  return world;
}
