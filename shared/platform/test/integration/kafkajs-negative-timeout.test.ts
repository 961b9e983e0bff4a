// kafkajs 2.2.4 schedules its pending-request check with `throttledUntil - Date.now()`, and
// throttledUntil starts at -1: a negative delay on every connection's first request, which Node
// 24 reports as `TimeoutNegativeWarning` (tulios/kafkajs#1751, unfixed upstream). The pnpm patch
// (patches/kafkajs@2.2.4.patch) schedules no check when nothing is pending and no throttle is on:
// the negative delay re-armed a 1 ms timer forever on every connection, an idle service's busy
// loop (CPU, and ~1 MB/s of garbage that kept V8's young generation large: docs/adr/0037).
// Checked in a fresh Node process against the running broker: no such warning (Node >= 23 emits
// it), no negative delay passed to setTimeout (caught on any Node), no timer loop when idle.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { testEnvironment } from '@storytelling/testing';

const here = path.dirname(fileURLToPath(import.meta.url));
const platformRoot = path.resolve(here, '../..');

const script = `
  const { Kafka, logLevel } = require('kafkajs');
  const warnings = [];
  const negativeDelays = [];
  let shortTimers = 0;
  process.on('warning', (w) => warnings.push(w.name + ': ' + w.message));
  const original = globalThis.setTimeout;
  globalThis.setTimeout = (fn, ms, ...args) => {
    if (typeof ms === 'number' && ms < 0) negativeDelays.push(ms);
    if (typeof ms !== 'number' || ms <= 10) shortTimers += 1;
    return original(fn, ms, ...args);
  };
  (async () => {
    const kafka = new Kafka({ clientId: 'negative-timeout-test', brokers: JSON.parse(process.env.BROKERS), logLevel: logLevel.NOTHING });
    const producer = kafka.producer();
    await producer.connect();
    const admin = kafka.admin();
    await admin.connect();
    await admin.listTopics();
    // Idle, connected: count the short timers armed in one second.
    shortTimers = 0;
    await new Promise((resolve) => original(resolve, 1000));
    const idleShortTimers = shortTimers;
    await admin.disconnect();
    await producer.disconnect();
    // Warnings are emitted on the next tick.
    await new Promise((resolve) => original(resolve, 50));
    process.stdout.write(JSON.stringify({ warnings, negativeDelays, idleShortTimers }));
  })().catch((error) => { console.error(error); process.exit(1); });
`;

describe('kafkajs on the running broker', () => {
  it('a producer and an admin connect without a TimeoutNegativeWarning or a negative timer delay, and idle without a timer loop', () => {
    const result = spawnSync(process.execPath, ['-e', script], {
      cwd: platformRoot,
      env: { ...process.env, BROKERS: JSON.stringify(testEnvironment().brokers) },
      encoding: 'utf8',
      timeout: 60_000,
    });
    if (result.status !== 0) throw new Error(`node exited ${result.status}: ${result.stderr}`);
    const { warnings, negativeDelays, idleShortTimers } = JSON.parse(result.stdout) as { warnings: string[]; negativeDelays: number[]; idleShortTimers: number };
    expect(warnings.filter((w) => w.startsWith('TimeoutNegativeWarning'))).toEqual([]);
    expect(negativeDelays).toEqual([]);
    // The unpatched queue armed ~1 000 per connection per second.
    expect(idleShortTimers).toBeLessThan(20);
  }, 90_000);
});
