// The chaos run end to end: isolated infrastructure, the fleet, the workload with one SIGKILL of
// every service and one Kafka restart spread over it, then quiet, checks and the report.
import { say, warn, UserFacingError } from '../log.mjs';
import { isolate, prepareInfrastructure } from './environment.mjs';
import { ChaosFleet } from './fleet.mjs';
import { GatewayClient } from './client.mjs';
import { Workload } from './workload.mjs';
import { checkEffects, readDeadLetters, selfCheck, waitQuiet } from './verify.mjs';
import { checkDurable } from './durable.mjs';
import { renderReport, writeReport } from './report.mjs';

/** @param {string} name @param {number} fallback */
const intEnv = (name, fallback) => {
  const v = Number.parseInt(process.env[name] ?? '', 10);
  return Number.isFinite(v) && v > 0 ? v : fallback;
};

export async function runChaos() {
  const startedAt = Date.now();
  const options = {
    operations: intEnv('CHAOS_OPERATIONS', 1000),
    concurrency: intEnv('CHAOS_CONCURRENCY', 4),
    seed: intEnv('CHAOS_SEED', 20261207),
    // ms per operation and worker at least: spreads the run so every kill lands in traffic.
    pace: intEnv('CHAOS_PACE_MS', 1200),
  };
  await isolate();
  const target = await prepareInfrastructure();
  const fleet = new ChaosFleet(target);
  // The services and servers are detached (their own process groups): Ctrl-C reaches only us.
  const interrupted = async () => {
    warn('chaos', 'interrupted: stopping the chaos fleet and its infrastructure');
    await fleet.stop().catch(() => {});
    const { infraDown } = await import('../infra.mjs');
    await infraDown().catch(() => {});
    process.exit(130);
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  /** @type {{ what: string, atOperation: number, readyMs: number }[]} */
  const disruptions = [];
  try {
    const readyMs = await fleet.start();
    const client = new GatewayClient(() => fleet.gatewayUrl);
    const workload = new Workload(client, options);

    // Every service once (SIGKILL, then started again) and Kafka once, evenly over the run.
    const plan = [...fleet.services.keys(), 'kafka'];
    const schedule = async () => {
      for (let i = 0; i < plan.length; i++) {
        const at = Math.floor(((i + 1) * options.operations) / (plan.length + 1));
        while (workload.done < at && workload.started < options.operations) await new Promise((r) => setTimeout(r, 100));
        const what = plan[i];
        const began = Date.now();
        const atOperation = workload.done;
        if (what === 'kafka') {
          const { startLocalKafka, stopLocalKafka } = await import('../kafka-server.mjs');
          await stopLocalKafka();
          await startLocalKafka();
          disruptions.push({ what: 'kafka restarted', atOperation, readyMs: Date.now() - began });
        } else {
          const ms = await fleet.killAndRestart(what);
          disruptions.push({ what: `${what} SIGKILLed`, atOperation, readyMs: ms });
        }
        say('chaos', `${disruptions.at(-1)?.what} at operation ${atOperation}, ready again after ${((Date.now() - began) / 1000).toFixed(1)}s`);
      }
    };
    const progress = setInterval(() => say('chaos', `${workload.done}/${options.operations} operations`), 15_000);
    const workStarted = Date.now();
    await Promise.all([workload.run(), schedule()]);
    clearInterval(progress);
    const workMs = Date.now() - workStarted;
    say('chaos', `workload done in ${(workMs / 1000).toFixed(0)}s; waiting for the fleet to be quiet`);

    const still = await waitQuiet(target.adminUrl, target.brokers);
    if (still.length) warn('chaos', `still moving after 5 min: ${still.join('; ')}`);
    const effects = await checkEffects(target.adminUrl, target.brokers);
    const durable = await checkDurable(client, workload, target.adminUrl);
    const deadLetters = await readDeadLetters(target.brokers);
    const selfChecked = await selfCheck(target.adminUrl, target.brokers);
    const report = {
      options,
      readyMs,
      disruptions,
      crashes: fleet.crashes,
      tally: workload.tally,
      effects,
      durable,
      deadLetters,
      selfChecked,
      notQuiet: still,
      workMs,
      wallMs: Date.now() - startedAt,
    };
    const text = renderReport(report);
    process.stdout.write(`\n${text}\n`);
    const failed = report.effects.checks.some((c) => c.lost > 0 || c.duplicated > 0) || durable.problems.length > 0 || deadLetters.length > 0 || still.length > 0 || fleet.crashes.length > 0 || selfChecked.some((f) => f.seen === false);
    writeReport(text, failed);
    if (failed) throw new UserFacingError('the chaos run found lost or duplicated effects, unexplained dead letters or a fleet that did not settle (see above)');
  } finally {
    await fleet.stop();
    const { infraDown } = await import('../infra.mjs');
    await infraDown();
  }
}
