/**
 * Fixed-window request counters in memory (one gateway instance). Windows are aligned per key
 * (they start at the key's first hit). Expired entries are swept lazily so memory stays bounded
 * by the number of distinct callers seen in one window.
 */
export interface RateLimitDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Seconds until the window resets (≥ 1). */
  resetSeconds: number;
}

export class FixedWindowRateLimitStore {
  private readonly windows = new Map<string, { count: number; resetAt: number }>();
  private nextSweepAt = 0;

  constructor(private readonly now: () => number = Date.now) {}

  hit(key: string, limit: number, windowMs: number): RateLimitDecision {
    const now = this.now();
    if (now >= this.nextSweepAt) this.sweep(now, windowMs);
    let entry = this.windows.get(key);
    if (!entry || entry.resetAt <= now) {
      entry = { count: 0, resetAt: now + windowMs };
      this.windows.set(key, entry);
    }
    entry.count += 1;
    const resetSeconds = Math.max(1, Math.ceil((entry.resetAt - now) / 1000));
    return { allowed: entry.count <= limit, limit, remaining: Math.max(0, limit - entry.count), resetSeconds };
  }

  get size(): number {
    return this.windows.size;
  }

  private sweep(now: number, windowMs: number): void {
    for (const [key, entry] of this.windows) if (entry.resetAt <= now) this.windows.delete(key);
    this.nextSweepAt = now + windowMs;
  }
}
