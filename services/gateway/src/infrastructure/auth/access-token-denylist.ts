import type { OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import type { RevokedAccessToken } from '../../application/identity.port.js';

export interface AccessTokenDenylistOptions {
  /** identity's feed: unexpired revocations newer than `after` (ISO-8601), oldest first. */
  fetch: (after: string) => Promise<RevokedAccessToken[]>;
  /** How often the feed is polled (DENYLIST_POLL_INTERVAL_MS); 0 turns polling off. */
  pollIntervalMs: number;
  now?: () => number;
}

/**
 * The access tokens that must stop working before they expire (docs/adr/0030): a `jti` revoked
 * by logout, or `user:<id>` for every token of a deleted account. Checked on every authenticated
 * request, so it is a local map; identity's denylist feeds it by polling (at most one interval
 * behind), and this gateway's own logouts and deletions are added at once.
 */
export class AccessTokenDenylist implements OnModuleInit, OnApplicationShutdown {
  private readonly entries = new Map<string, number>();
  private cursor = '';
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> | undefined;
  private readonly now: () => number;

  constructor(private readonly options: AccessTokenDenylistOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Whether the token (`jti`, subject) has been revoked and has not expired yet. */
  isRevoked(tokenId: string | undefined, userId: string): boolean {
    if (this.entries.size === 0) return false;
    const now = this.now();
    return this.live(tokenId, now) || this.live(`user:${userId}`, now);
  }

  add(tokenId: string, expiresAtMs: number): void {
    const known = this.entries.get(tokenId);
    if (known === undefined || known < expiresAtMs) this.entries.set(tokenId, expiresAtMs);
  }

  /** One poll of identity's feed (pages until a short page). Errors leave the cache as it was. */
  refresh(): Promise<void> {
    this.polling ??= this.pull().finally(() => {
      this.polling = undefined;
    });
    return this.polling;
  }

  onModuleInit(): void {
    if (this.options.pollIntervalMs <= 0) return;
    void this.refresh().catch(() => undefined);
    this.timer = setInterval(() => void this.refresh().catch(() => undefined), this.options.pollIntervalMs);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  private async pull(): Promise<void> {
    for (let page = 0; page < 100; page++) {
      const batch = await this.options.fetch(this.cursor);
      for (const r of batch) {
        const expires = Date.parse(r.expiresAt);
        if (Number.isFinite(expires)) this.add(r.tokenId, expires);
        if (r.revokedAt > this.cursor) this.cursor = r.revokedAt;
      }
      if (batch.length < 1000) break;
    }
    this.prune();
  }

  private live(key: string | undefined, now: number): boolean {
    if (key === undefined) return false;
    const expires = this.entries.get(key);
    return expires !== undefined && expires > now;
  }

  private prune(): void {
    const now = this.now();
    for (const [key, expires] of this.entries) if (expires <= now) this.entries.delete(key);
  }
}
