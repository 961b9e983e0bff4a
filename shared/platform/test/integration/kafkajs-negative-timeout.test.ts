// kafkajs 2.2.4 schedules its pending-request check with `throttledUntil - Date.now()`, and
// throttledUntil starts at -1: a negative delay on every connection's first request, which Node
// 24 reports as `TimeoutNegativeWarning` (tulios/kafkajs#1751, unfixed upstream). The pnpm patch
// (patches/kafkajs@2.2.4.patch) clamps it to 1 ms, what Node does with a negative delay anyway.
// Checked in a fresh Node process against the running broker: no such warning (Node >= 23 emits
// it) and no negative delay passed to setTimeout (caught on any Node).
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
  process.on('warning', (w) => warnings.push(w.name + ': ' + w.message));
  const original = globalThis.setTimeout;
  globalThis.setTimeout = (fn, ms, ...args) => {
    if (typeof ms === 'number' && ms < 0) negativeDelays.push(ms);
    return original(fn, ms, ...args);
  };
  (async () => {
    const kafka = new Kafka({ clientId: 'negative-timeout-test', brokers: JSON.parse(process.env.BROKERS), logLevel: logLevel.NOTHING });
    const producer = kafka.producer();
    await producer.connect();
    const admin = kafka.admin();
    await admin.connect();
    await admin.listTopics();
    await admin.disconnect();
    await producer.disconnect();
    // Warnings are emitted on the next tick.
    await new Promise((resolve) => original(resolve, 50));
    process.stdout.write(JSON.stringify({ warnings, negativeDelays }));
  })().catch((error) => { console.error(error); process.exit(1); });
`;

describe('kafkajs on the running broker', () => {
  it('a producer and an admin connect without a TimeoutNegativeWarning or a negative timer delay', () => {
    const result = spawnSync(process.execPath, ['-e', script], {
      cwd: platformRoot,
      env: { ...process.env, BROKERS: JSON.stringify(testEnvironment().brokers) },
      encoding: 'utf8',
      timeout: 60_000,
    });
    if (result.status !== 0) throw new Error(`node exited ${result.status}: ${result.stderr}`);
    const { warnings, negativeDelays } = JSON.parse(result.stdout) as { warnings: string[]; negativeDelays: number[] };
    expect(warnings.filter((w) => w.startsWith('TimeoutNegativeWarning'))).toEqual([]);
    expect(negativeDelays).toEqual([]);
  }, 90_000);
});
