import { setTimeout as sleep } from 'node:timers/promises';
import { waitUntil } from '@storytelling/testing';
import { holdLease, whileLeaseHeld } from '../../src/jobs/lease-heartbeat.js';

// Leases of a few tens of milliseconds (a beat every third); waits are conditions, never wall-clock bounds.
describe('holdLease (the heartbeat of a claimed job)', () => {
  it('renews every third of the lease while the work runs, and not after stop()', async () => {
    let renewals = 0;
    const lease = holdLease({ leaseMs: 30, renew: async () => (renewals++, true) });
    await waitUntil(() => renewals >= 3, 5_000);
    await lease.stop();
    const atStop = renewals;
    await sleep(60);
    expect(renewals).toBe(atStop);
    expect(lease.signal.aborted).toBe(false);
  });

  it('aborts its signal once when the lease is gone, and stops renewing', async () => {
    let renewals = 0;
    const lease = holdLease({ leaseMs: 15, renew: async () => ++renewals < 3 });
    await waitUntil(() => lease.signal.aborted, 5_000);
    await sleep(50);
    expect(renewals).toBe(3);
    expect(String(lease.signal.reason)).toContain('lease lost');
    await lease.stop();
  });

  it("folds the turn's stop signal into its own", async () => {
    const shutdown = new AbortController();
    const lease = holdLease({ leaseMs: 60_000, stop: shutdown.signal, renew: async () => true });
    expect(lease.signal.aborted).toBe(false);
    shutdown.abort();
    expect(lease.signal.aborted).toBe(true);
    await lease.stop();
  });

  it('a renewal that throws is tried again at the next beat (not lost)', async () => {
    let calls = 0;
    const lease = holdLease({
      leaseMs: 15,
      renew: async () => {
        calls++;
        if (calls <= 2) throw new Error('connection terminated');
        return true;
      },
    });
    await waitUntil(() => calls >= 4, 5_000);
    await lease.stop();
    expect(lease.signal.aborted).toBe(false);
  });

  it('stop() waits for a renewal in flight', async () => {
    let started = false;
    let finished = false;
    const lease = holdLease({
      leaseMs: 15,
      renew: async () => {
        started = true;
        await sleep(50);
        finished = true;
        return true;
      },
    });
    await waitUntil(() => started, 5_000);
    await lease.stop();
    expect(finished).toBe(true);
  });

  it('whileLeaseHeld: renews while the work runs, hands it the signal, and stops renewing however the work ends', async () => {
    let renewals = 0;
    const renew = async (): Promise<boolean> => (renewals++, true);
    const answer = await whileLeaseHeld({ leaseMs: 15, renew }, async (signal) => {
      await waitUntil(() => renewals >= 2, 5_000);
      return signal.aborted ? 'aborted' : 'done';
    });
    expect(answer).toBe('done');
    const afterResolve = renewals;
    const failed = await whileLeaseHeld({ leaseMs: 15, renew }, async () => {
      await waitUntil(() => renewals >= afterResolve + 2, 5_000);
      throw new Error('work failed');
    }).catch((e: unknown) => e);
    expect(String(failed)).toContain('work failed');
    const afterThrow = renewals;
    await sleep(60);
    expect(renewals).toBe(afterThrow);
  });
});
