import { exportJWK, exportSPKI, generateKeyPair, SignJWT, base64url, type CryptoKey } from 'jose';
import { DomainError, UnauthenticatedError } from '@storytelling/kernel';
import { AccessTokenVerifier, authenticateCaller, type JsonWebKeySetLike } from '../../src/auth/index.js';
import { runWithContext } from '../../src/context/index.js';

const ISSUER = 'https://identity.storytelling.test';
const AUDIENCE = 'storytelling';

interface KeyPair {
  kid: string;
  privateKey: CryptoKey;
  publicKey: CryptoKey;
}

async function keyPair(kid: string): Promise<KeyPair> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  return { kid, privateKey, publicKey };
}

async function jwks(...pairs: KeyPair[]): Promise<JsonWebKeySetLike> {
  return { keys: await Promise.all(pairs.map(async (p) => ({ ...(await exportJWK(p.publicKey)), kid: p.kid, use: 'sig', alg: 'RS256' }) as never)) };
}

async function sign(pair: KeyPair, claims: Record<string, unknown> = {}, options: { expiresIn?: string | number; issuer?: string; audience?: string } = {}) {
  return new SignJWT({ role: 'member', email: 'ada@example.com', ...claims })
    .setProtectedHeader({ alg: 'RS256', kid: pair.kid, typ: 'JWT' })
    .setSubject('0190a000-0000-7000-8000-000000000001')
    .setIssuer(options.issuer ?? ISSUER)
    .setAudience(options.audience ?? AUDIENCE)
    .setIssuedAt()
    .setJti('jti-1')
    .setExpirationTime(options.expiresIn ?? '15m')
    .sign(pair.privateKey);
}

async function rejection(p: Promise<unknown>): Promise<DomainError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DomainError);
  return err as DomainError;
}

describe('auth: AccessTokenVerifier', () => {
  let current: KeyPair;
  let fetches: number;
  let published: JsonWebKeySetLike;
  let verifier: AccessTokenVerifier;
  let now: number;

  beforeAll(async () => {
    current = await keyPair('key-2026-11');
  });

  beforeEach(async () => {
    fetches = 0;
    published = await jwks(current);
    now = Date.now();
    verifier = new AccessTokenVerifier({
      jwks: async () => {
        fetches++;
        return published;
      },
      issuer: ISSUER,
      audience: AUDIENCE,
      now: () => now,
    });
  });

  it('accepts a valid token and returns who it speaks for', async () => {
    const claims = await verifier.verify(await sign(current));
    expect(claims).toMatchObject({ userId: '0190a000-0000-7000-8000-000000000001', role: 'member', email: 'ada@example.com', tokenId: 'jti-1' });
    expect(claims.expiresAt.getTime()).toBeGreaterThan(Date.now());
    await verifier.verify(await sign(current));
    expect(fetches).toBe(1); // cached
  });

  it('rejects an expired token with TOKEN_EXPIRED', async () => {
    const token = await sign(current, {}, { expiresIn: Math.floor(Date.now() / 1000) - 60 });
    const err = await rejection(verifier.verify(token));
    expect(err).toBeInstanceOf(UnauthenticatedError);
    expect(err.code).toBe('TOKEN_EXPIRED');
  });

  it('rejects alg "none"', async () => {
    const header = base64url.encode(JSON.stringify({ alg: 'none', kid: current.kid, typ: 'JWT' }));
    const payload = base64url.encode(JSON.stringify({ sub: 'u', role: 'admin', email: 'e', iss: ISSUER, aud: AUDIENCE, exp: 9999999999, iat: 1 }));
    const err = await rejection(verifier.verify(`${header}.${payload}.`));
    expect(err.code).toBe('INVALID_TOKEN');
    expect(err.message).toMatch(/algorithm none/);
  });

  it('rejects HS256 signed with the public key (algorithm confusion)', async () => {
    const spki = await exportSPKI(current.publicKey);
    const token = await new SignJWT({ role: 'super-admin', email: 'mallory@example.com' })
      .setProtectedHeader({ alg: 'HS256', kid: current.kid })
      .setSubject('mallory')
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime('15m')
      .sign(new TextEncoder().encode(spki));
    const err = await rejection(verifier.verify(token));
    expect([err.code, err.kind]).toEqual(['INVALID_TOKEN', 'unauthenticated']);
  });

  it('rejects a tampered payload', async () => {
    const [h, , s] = (await sign(current)).split('.');
    const forged = base64url.encode(
      JSON.stringify({ sub: '0190a000-0000-7000-8000-000000000001', role: 'super-admin', email: 'ada@example.com', iss: ISSUER, aud: AUDIENCE, iat: 1, exp: 9999999999 }),
    );
    const err = await rejection(verifier.verify(`${h}.${forged}.${s}`));
    expect(err.code).toBe('INVALID_TOKEN');
  });

  it('rejects the wrong issuer or audience', async () => {
    expect((await rejection(verifier.verify(await sign(current, {}, { issuer: 'https://evil.example' })))).code).toBe('INVALID_TOKEN');
    expect((await rejection(verifier.verify(await sign(current, {}, { audience: 'other-system' })))).code).toBe('INVALID_TOKEN');
  });

  it('rejects tokens without role or email, and garbage', async () => {
    const noRole = await new SignJWT({ email: 'a@b.c' })
      .setProtectedHeader({ alg: 'RS256', kid: current.kid })
      .setSubject('u')
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(current.privateKey);
    expect((await rejection(verifier.verify(noRole))).code).toBe('INVALID_TOKEN');
    expect((await rejection(verifier.verify('not-a-jwt'))).code).toBe('INVALID_TOKEN');
    expect((await rejection(verifier.verify(''))).code).toBe('UNAUTHENTICATED');
  });

  it('refetches on an unknown kid, then rejects if the key is still unknown; refetches are rate-limited', async () => {
    await verifier.verify(await sign(current)); // initial fetch
    const stranger = await keyPair('unknown-kid');
    now += 31_000;
    const err = await rejection(verifier.verify(await sign(stranger)));
    expect(err.code).toBe('INVALID_TOKEN');
    expect(err.message).toMatch(/unknown/);
    expect(fetches).toBe(2);
    // A flood of unknown kids within the interval does not hit identity again.
    await rejection(verifier.verify(await sign(stranger)));
    await rejection(verifier.verify(await sign(stranger)));
    expect(fetches).toBe(2);
  });

  it('picks up a rotated key through the refetch', async () => {
    await verifier.verify(await sign(current));
    const next = await keyPair('key-2026-12');
    published = await jwks(current, next);
    now += 31_000;
    await expect(verifier.verify(await sign(next))).resolves.toMatchObject({ role: 'member' });
    expect(fetches).toBe(2);
  });

  it('is unavailable (503) when no keys could ever be fetched, and keeps cached keys when a refetch fails', async () => {
    const down = new AccessTokenVerifier({
      jwks: async () => {
        throw new Error('identity unreachable');
      },
      issuer: ISSUER,
      audience: AUDIENCE,
    });
    const err = await rejection(down.verify(await sign(current)));
    expect([err.kind, err.code]).toEqual(['unavailable', 'JWKS_UNAVAILABLE']);

    await verifier.verify(await sign(current));
    published = undefined as never;
    now += 11 * 60_000; // cache expired, refetch fails
    await expect(verifier.verify(await sign(current))).resolves.toMatchObject({ role: 'member' });
  });

  it('authenticates the caller of the current context', async () => {
    const token = await sign(current);
    await expect(runWithContext({ correlationId: 'c', bearerToken: token }, () => authenticateCaller(verifier))).resolves.toMatchObject({
      email: 'ada@example.com',
    });
    await expect(runWithContext({ correlationId: 'c' }, () => authenticateCaller(verifier))).rejects.toBeInstanceOf(UnauthenticatedError);
  });
});
