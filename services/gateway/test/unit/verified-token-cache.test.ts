import request from 'supertest';
import { VerifiedTokenCache } from '../../src/infrastructure/auth/verified-token-cache.js';
import type { AuthenticatedUser } from '../../src/infrastructure/auth/authenticated-user.js';
import { fakeGateway } from '../support/app.js';
import { signAccessToken } from '../support/fake-identity.js';

const user = (id: string, expiresAt?: number): AuthenticatedUser => ({ id, role: 'member', token: '', ...(expiresAt !== undefined ? { expiresAt } : {}) });

describe('VerifiedTokenCache', () => {
  let now: number;
  const cache = (ttlMs = 60_000, maxEntries = 3) => new VerifiedTokenCache({ ttlMs, maxEntries, now: () => now });
  beforeEach(() => {
    now = 1_000_000_000;
  });

  it('answers a verified token until ttl or the token expiry, whichever is first', () => {
    const c = cache();
    c.set('a', user('1', now / 1000 + 10)); // expires in 10 s
    c.set('b', user('2', now / 1000 + 3600));
    expect(c.get('a')?.id).toBe('1');
    now += 10_000;
    expect(c.get('a')).toBeUndefined(); // at exp: gone, the next request is verified (and rejected)
    expect(c.get('b')?.id).toBe('2');
    now += 50_000;
    expect(c.get('b')).toBeUndefined(); // ttl
    expect(c.get('unknown')).toBeUndefined();
  });

  it('never caches an expired token, is bounded, and can be disabled', () => {
    const c = cache();
    c.set('old', user('0', now / 1000 - 1));
    expect(c.size).toBe(0);
    for (const t of ['a', 'b', 'c', 'd']) c.set(t, user(t));
    expect(c.size).toBe(3);
    expect(c.get('a')).toBeUndefined(); // oldest dropped
    expect(c.get('d')?.id).toBe('d');
    const off = cache(0);
    off.set('a', user('a'));
    expect(off.get('a')).toBeUndefined();
  });
});

describe('gateway with the verified-token cache', () => {
  it('verifies a token once, serves repeats from the cache, and still rejects other tokens', async () => {
    const gw = await fakeGateway({ RATE_LIMIT_PER_MINUTE: '100000' });
    try {
      const token = await gw.identity.tokenFor('member');
      for (let i = 0; i < 3; i++) expect((await request(gw.server).get('/api/v1/stories').set('authorization', `Bearer ${token}`)).status).toBe(200);
      expect(gw.story.calls.filter((c) => c.method === 'listStories').every((c) => c.context?.bearerToken === token)).toBe(true);
      const [h, p] = token.split('.') as [string, string, string];
      const forged = `${h}.${p}.${'A'.repeat(342)}`;
      expect((await request(gw.server).get('/api/v1/stories').set('authorization', `Bearer ${forged}`)).status).toBe(401);
      const expired = await signAccessToken(gw.identity.key, { expiresInSeconds: -60 });
      const res = await request(gw.server).get('/api/v1/stories').set('authorization', `Bearer ${expired}`);
      expect(res.body.code).toBe('TOKEN_EXPIRED');
    } finally {
      await gw.app.close();
    }
  });
});
