import { setTimeout as sleep } from 'node:timers/promises';
import { waitUntil } from '@storytelling/testing';
import { holdLease } from '../../src/jobs/lease-heartbeat.js';

// Beats of a few milliseconds; waits are conditions (waitUntil), never wall-clock bounds.
describe('holdLease (the heartbeat of a claimed job)', () => {
  it('renews every beat while the work runs, and not after stop()', async () => {
    let renewals = 0;
    const lease = holdLease({ everyMs: 10, renew: async () => (renewals++, true), onLost: () => undefined });
    await waitUntil(() => renewals >= 3, 5_000);
    await lease.stop();
    const atStop = renewals;
    await sleep(60);
    expect(renewals).toBe(atStop);
  });

  it('tells once when the lease is gone, and stops renewing', async () => {
    let renewals = 0;
    let lost = 0;
    const lease = holdLease({ everyMs: 5, renew: async () => ++renewals < 3, onLost: () => lost++ });
    await waitUntil(() => lost > 0, 5_000);
    await sleep(50);
    expect({ renewals, lost }).toEqual({ renewals: 3, lost: 1 });
    await lease.stop();
  });

  it('a renewal that throws is tried again at the next beat (not lost)', async () => {
    let calls = 0;
    let lost = 0;
    const lease = holdLease({
      everyMs: 5,
      renew: async () => {
        calls++;
        if (calls <= 2) throw new Error('connection terminated');
        return true;
      },
      onLost: () => lost++,
    });
    await waitUntil(() => calls >= 4, 5_000);
    await lease.stop();
    expect(lost).toBe(0);
  });

  it('stop() waits for a renewal in flight', async () => {
    let started = false;
    let finished = false;
    const lease = holdLease({
      everyMs: 5,
      renew: async () => {
        started = true;
        await sleep(50);
        finished = true;
        return true;
      },
      onLost: () => undefined,
    });
    await waitUntil(() => started, 5_000);
    await lease.stop();
    expect(finished).toBe(true);
  });
});
