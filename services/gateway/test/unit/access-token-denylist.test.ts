/**
 * The gateway's local access-token denylist (docs/adr/0030): entries by jti and by `user:<id>`,
 * forgotten once expired, and identity's feed read from a cursor (the newest revokedAt seen).
 */
import type { RevokedAccessToken } from '../../src/application/identity.port.js';
import { AccessTokenDenylist } from '../../src/infrastructure/auth/access-token-denylist.js';

describe('AccessTokenDenylist', () => {
  let now: number;
  let feed: RevokedAccessToken[];
  let asked: string[];
  const list = () =>
    new AccessTokenDenylist({
      fetch: async (after) => {
        asked.push(after);
        return feed.filter((r) => r.revokedAt > after);
      },
      pollIntervalMs: 0,
      now: () => now,
    });

  beforeEach(() => {
    now = Date.parse('2026-12-07T12:00:00Z');
    feed = [];
    asked = [];
  });

  it('refuses a revoked jti and every token of a revoked user until the entry expires', () => {
    const denylist = list();
    denylist.add('jti-1', now + 1000);
    denylist.add('user:u-2', now + 5000);
    expect(denylist.isRevoked('jti-1', 'u-1')).toBe(true);
    expect(denylist.isRevoked('jti-9', 'u-1')).toBe(false);
    expect(denylist.isRevoked('jti-9', 'u-2')).toBe(true);
    expect(denylist.isRevoked(undefined, 'u-2')).toBe(true);
    now += 1000;
    expect(denylist.isRevoked('jti-1', 'u-1')).toBe(false);
    expect(denylist.isRevoked('jti-9', 'u-2')).toBe(true);
  });

  it("polls identity's feed from the newest revocation seen, and keeps the later expiry of a repeated entry", async () => {
    const denylist = list();
    feed.push({ tokenId: 'jti-1', expiresAt: new Date(now + 60_000).toISOString(), revokedAt: '2026-12-07T11:59:00.000Z' });
    await denylist.refresh();
    expect(denylist.isRevoked('jti-1', 'u')).toBe(true);
    feed.push({ tokenId: 'user:u-3', expiresAt: new Date(now + 60_000).toISOString(), revokedAt: '2026-12-07T11:59:30.000Z' });
    await denylist.refresh();
    expect(asked).toEqual(['', '2026-12-07T11:59:00.000Z']);
    expect(denylist.isRevoked('x', 'u-3')).toBe(true);
    denylist.add('jti-1', now + 1);
    now += 30_000;
    expect(denylist.isRevoked('jti-1', 'u')).toBe(true);
  });

  it('a failing poll leaves what it knew', async () => {
    const denylist = new AccessTokenDenylist({ fetch: () => Promise.reject(new Error('identity is down')), pollIntervalMs: 0, now: () => now });
    denylist.add('jti-1', now + 1000);
    await expect(denylist.refresh()).rejects.toThrow('identity is down');
    expect(denylist.isRevoked('jti-1', 'u')).toBe(true);
  });
});
