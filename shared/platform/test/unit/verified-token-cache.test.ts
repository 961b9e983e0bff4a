import { jest } from '@jest/globals';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { UnauthenticatedError } from '@storytelling/kernel';
import { AccessTokenVerifier, VerifiedTokenCache } from '../../src/auth/index.js';

describe('auth: VerifiedTokenCache', () => {
  let now: number;
  const cache = (ttlMs = 60_000, maxEntries = 3) => new VerifiedTokenCache<string>({ ttlMs, maxEntries, now: () => now });
  beforeEach(() => {
    now = 1_000_000_000;
  });

  it('answers a verified token until ttl or the token expiry, whichever is first', () => {
    const c = cache();
    c.set('a', 'A', now + 10_000); // expires in 10 s
    c.set('b', 'B', now + 3_600_000);
    expect(c.get('a')).toBe('A');
    now += 10_000;
    expect(c.get('a')).toBeUndefined(); // at exp: gone, the next request is verified (and rejected)
    expect(c.get('b')).toBe('B');
    now += 50_000;
    expect(c.get('b')).toBeUndefined(); // ttl
    expect(c.get('unknown')).toBeUndefined();
  });

  it('never caches an expired token', () => {
    const c = cache();
    c.set('old', 'O', now - 1000);
    c.set('now', 'N', now);
    expect(c.size).toBe(0);
    expect(c.get('old')).toBeUndefined();
  });

  it('is bounded (the oldest entry goes first) and can be disabled', () => {
    const c = cache();
    for (const t of ['a', 'b', 'c', 'd']) c.set(t, t.toUpperCase(), undefined);
    expect(c.size).toBe(3);
    expect(c.get('a')).toBeUndefined();
    expect(c.get('b')).toBe('B');
    expect(c.get('d')).toBe('D');
    c.set('b', 'B2', undefined); // replacing does not evict
    expect(c.size).toBe(3);
    for (const off of [cache(0), cache(60_000, 0)]) {
      off.set('a', 'A', undefined);
      expect(off.get('a')).toBeUndefined();
      expect(off.enabled).toBe(false);
    }
  });

  it('keys by hash: a token differing in one character is a miss', () => {
    const c = cache();
    c.set('header.payload.signature', 'X', undefined);
    expect(c.get('header.payload.signaturf')).toBeUndefined();
    expect(c.get('header.payload.signature')).toBe('X');
  });
});

describe('auth: AccessTokenVerifier with verifiedTokenCache', () => {
  const ISSUER = 'iss';
  const AUDIENCE = 'aud';
  let privateKey: CryptoKey;
  let jwk: Record<string, unknown>;
  let now: number;

  beforeAll(async () => {
    const pair = await generateKeyPair('RS256', { extractable: true });
    privateKey = pair.privateKey;
    jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', use: 'sig', alg: 'RS256' };
  });
  beforeEach(() => {
    now = Date.now();
  });

  const sign = (expSeconds: number, sub = 'user-1') =>
    new SignJWT({ role: 'member', email: 'a@example.com' })
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setSubject(sub)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt(Math.floor(now / 1000))
      .setExpirationTime(expSeconds)
      .sign(privateKey);

  const verifierWith = (maxEntries = 10) => {
    const verifier = new AccessTokenVerifier({
      jwks: async () => ({ keys: [jwk as never] }),
      issuer: ISSUER,
      audience: AUDIENCE,
      now: () => now,
      verifiedTokenCache: { ttlMs: 60_000, maxEntries },
    });
    const uncached = jest.spyOn(verifier as unknown as { verifyUncached: (t: string) => Promise<unknown> }, 'verifyUncached');
    return { verifier, uncached };
  };

  it('a cache hit skips verification', async () => {
    const { verifier, uncached } = verifierWith();
    const token = await sign(Math.floor(now / 1000) + 900);
    const first = await verifier.verify(token);
    const second = await verifier.verify(token);
    expect(second).toEqual(first);
    expect(second).not.toBe(first); // callers get their own copy
    expect(uncached).toHaveBeenCalledTimes(1);
    now += 61_000; // past the ttl: verified again
    await verifier.verify(token);
    expect(uncached).toHaveBeenCalledTimes(2);
  });

  it('never serves an expired token from the cache', async () => {
    const { verifier, uncached } = verifierWith();
    const token = await sign(Math.floor(now / 1000) + 30);
    await verifier.verify(token);
    now += 40_000; // past exp + 5 s leeway, within the ttl
    await expect(verifier.verify(token)).rejects.toMatchObject({ code: 'TOKEN_EXPIRED' });
    await expect(verifier.verify(token)).rejects.toBeInstanceOf(UnauthenticatedError);
    expect(uncached).toHaveBeenCalledTimes(3);
  });

  it('does not cache failures, and the size bound evicts', async () => {
    const { verifier, uncached } = verifierWith(2);
    const exp = Math.floor(now / 1000) + 900;
    const [a, b, c] = await Promise.all([sign(exp, 'a'), sign(exp, 'b'), sign(exp, 'c')]);
    const forged = `${a.split('.').slice(0, 2).join('.')}.${'A'.repeat(342)}`;
    await expect(verifier.verify(forged)).rejects.toMatchObject({ code: 'INVALID_TOKEN' });
    await expect(verifier.verify(forged)).rejects.toMatchObject({ code: 'INVALID_TOKEN' });
    expect(uncached).toHaveBeenCalledTimes(2);
    for (const t of [a, b, c]) await verifier.verify(t);
    expect(uncached).toHaveBeenCalledTimes(5);
    await verifier.verify(c);
    await verifier.verify(b);
    expect(uncached).toHaveBeenCalledTimes(5);
    expect((await verifier.verify(a)).userId).toBe('a'); // evicted: verified again
    expect(uncached).toHaveBeenCalledTimes(6);
  });
});
