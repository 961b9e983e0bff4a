import { backoffDelay, defaultRetryPolicy, retryPolicy, sleep } from '../../src/messaging/index.js';

describe('backoff', () => {
  const noJitter = retryPolicy({ jitter: 0 });

  it('defaults to 5 attempts, 100 ms doubling to a 2 s ceiling', () => {
    expect(defaultRetryPolicy).toMatchObject({ attempts: 5, initialDelayMs: 100, maxDelayMs: 2000, factor: 2 });
  });

  it('grows exponentially and is capped', () => {
    expect([1, 2, 3, 4, 5, 6, 10].map((a) => backoffDelay(noJitter, a))).toEqual([100, 200, 400, 800, 1600, 2000, 2000]);
  });

  it('jitter only ever shortens the delay, by at most the jitter fraction', () => {
    const p = retryPolicy({ jitter: 0.5 });
    expect(backoffDelay(p, 3, () => 0)).toBe(400);
    expect(backoffDelay(p, 3, () => 1)).toBe(200);
    expect(backoffDelay(p, 3, () => 0.5)).toBe(300);
  });

  it('rejects nonsensical policies', () => {
    expect(() => retryPolicy({ attempts: 0 })).toThrow();
    expect(() => retryPolicy({ initialDelayMs: 500, maxDelayMs: 100 })).toThrow();
    expect(() => retryPolicy({ factor: 0.5 })).toThrow();
    expect(() => retryPolicy({ jitter: 2 })).toThrow();
  });

  it('sleep ends early when aborted', async () => {
    const ac = new AbortController();
    const started = Date.now();
    const p = sleep(10_000, ac.signal);
    setTimeout(() => ac.abort(), 20);
    await p;
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
