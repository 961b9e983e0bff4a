/** In-process retries of a failing handler before the message is dead-lettered. */
export interface RetryPolicy {
  /** Total attempts including the first (default 5). */
  attempts: number;
  /** Delay after the first failure (default 100 ms). */
  initialDelayMs: number;
  /** Ceiling of the delay (default 2000 ms). */
  maxDelayMs: number;
  /** Growth per attempt (default 2). */
  factor: number;
  /** Fraction of the delay randomized away, 0..1 (default 0.1), so replicas do not retry in lockstep. */
  jitter: number;
}

export const defaultRetryPolicy: RetryPolicy = { attempts: 5, initialDelayMs: 100, maxDelayMs: 2000, factor: 2, jitter: 0.1 };

export function retryPolicy(overrides: Partial<RetryPolicy> = {}): RetryPolicy {
  const p = { ...defaultRetryPolicy, ...overrides };
  if (!Number.isInteger(p.attempts) || p.attempts < 1) throw new Error('retry attempts must be an integer >= 1');
  if (p.initialDelayMs < 0 || p.maxDelayMs < p.initialDelayMs) throw new Error('retry delays must satisfy 0 <= initial <= max');
  if (p.factor < 1) throw new Error('retry factor must be >= 1');
  if (p.jitter < 0 || p.jitter > 1) throw new Error('retry jitter must be within 0..1');
  return p;
}

/**
 * Delay before the next attempt after `failedAttempt` (1-based) failed:
 * min(max, initial * factor^(failedAttempt-1)), minus up to `jitter` of it.
 */
export function backoffDelay(policy: RetryPolicy, failedAttempt: number, random: () => number = Math.random): number {
  const exponential = policy.initialDelayMs * Math.pow(policy.factor, Math.max(0, failedAttempt - 1));
  const capped = Math.min(policy.maxDelayMs, exponential);
  return Math.round(capped * (1 - policy.jitter * random()));
}

/** Resolves after `ms`, or earlier when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted || ms <= 0) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
