import { generateKeyPair, exportJWK } from 'jose';
import type { Jwks, PublicJwk } from '../../src/application/identity.port.js';
import { JwksKeyStore, JwksUnavailableError, UnknownSigningKeyError } from '../../src/infrastructure/auth/jwks-key-store.js';

// RSA key generation is slow: make two keys once and relabel them.
let material: PublicJwk[] = [];
let next = 0;
async function rsaJwk(kid: string): Promise<PublicJwk> {
  if (material.length === 0) {
    material = await Promise.all(
      [0, 1].map(async () => (await exportJWK((await generateKeyPair('RS256', { extractable: true })).publicKey)) as PublicJwk),
    );
  }
  return { ...material[next++ % material.length]!, kid, alg: 'RS256', use: 'sig' };
}

describe('JwksKeyStore', () => {
  let now: number;
  let jwks: Jwks;
  let fetches: number;
  let fail: boolean;
  const store = () =>
    new JwksKeyStore(
      async () => {
        fetches += 1;
        if (fail) throw new Error('UNAVAILABLE');
        return jwks;
      },
      { cacheTtlMs: 60_000, minRefetchIntervalMs: 10_000, now: () => now },
    );

  beforeEach(async () => {
    now = 1_000_000;
    fetches = 0;
    fail = false;
    jwks = { keys: [await rsaJwk('k1')] };
  });

  it('fetches once and serves keys from the cache', async () => {
    const s = store();
    const key = await s.keyFor('k1');
    expect(key.asymmetricKeyType).toBe('rsa');
    expect(key.type).toBe('public');
    await s.keyFor('k1');
    await s.keyFor('k1');
    expect(fetches).toBe(1);
  });

  it('refetches for an unknown kid (key rotation), at most once per interval', async () => {
    const s = store();
    await s.keyFor('k1');
    jwks = { keys: [jwks.keys[0]!, await rsaJwk('k2')] };
    now += 10_000;
    await expect(s.keyFor('k2')).resolves.toMatchObject({ asymmetricKeyType: 'rsa' });
    expect(fetches).toBe(2);
    await expect(s.keyFor('forged-1')).rejects.toBeInstanceOf(UnknownSigningKeyError);
    await expect(s.keyFor('forged-2')).rejects.toBeInstanceOf(UnknownSigningKeyError);
    expect(fetches).toBe(2);
    now += 10_000;
    await expect(s.keyFor('forged-3')).rejects.toBeInstanceOf(UnknownSigningKeyError);
    expect(fetches).toBe(3);
  });

  it('refreshes after the TTL and keeps stale keys when identity is down', async () => {
    const s = store();
    await s.keyFor('k1');
    now += 61_000;
    fail = true;
    await expect(s.keyFor('k1')).resolves.toMatchObject({ asymmetricKeyType: 'rsa' });
    expect(fetches).toBe(2);
  });

  it('is unavailable (not unauthenticated) when it never got keys, without hammering identity', async () => {
    fail = true;
    const s = store();
    await expect(s.keyFor('k1')).rejects.toBeInstanceOf(JwksUnavailableError);
    await expect(s.keyFor('k1')).rejects.toBeInstanceOf(JwksUnavailableError);
    expect(fetches).toBe(1);
    fail = false;
    now += 10_000;
    await expect(s.keyFor('k1')).resolves.toMatchObject({ asymmetricKeyType: 'rsa' });
  });

  it('keeps only RSA signing keys for RS256 and shares concurrent fetches', async () => {
    jwks = {
      keys: [
        { ...(await rsaJwk('hs')), kty: 'oct' },
        { ...(await rsaJwk('enc')), use: 'enc' },
        { ...(await rsaJwk('ps')), alg: 'PS256' },
        await rsaJwk('good'),
      ],
    };
    const s = store();
    const results = await Promise.allSettled([s.keyFor('good'), s.keyFor('good'), s.keyFor('hs'), s.keyFor('enc'), s.keyFor('ps')]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'rejected', 'rejected']);
    expect(s.size).toBe(1);
    expect(fetches).toBe(1);
  });
});
