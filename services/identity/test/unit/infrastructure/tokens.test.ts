import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DomainError } from '@storytelling/kernel';
import { SignJWT } from 'jose';
import { Argon2PasswordHasher } from '../../../src/infrastructure/security/argon2-password-hasher.js';
import { JwtAccessTokens, ownAccessTokenVerifier } from '../../../src/infrastructure/security/jwt-access-tokens.js';
import { OpaqueRefreshTokens } from '../../../src/infrastructure/security/opaque-refresh-tokens.js';
import { loadIdentityConfig } from '../../../src/config.js';
import { loadSigningKeys, signingKeySource } from '../../../src/infrastructure/security/signing-keys.js';
import { fixedClock } from '../../support/in-memory.js';

const pem = () => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
};
const settings = { issuer: 'iss', audience: 'aud', accessTokenTtlSeconds: 900 };
const subject = { userId: '0190a1b2-0000-7000-8000-000000000001', role: 'admin' as const, email: 'a@b.co' };

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (err) {
    return err instanceof DomainError ? err.code : String(err);
  }
}

describe('signing keys', () => {
  it('refuses to start in production without a key; elsewhere generates one and warns', async () => {
    await expect(loadSigningKeys({ production: true })).rejects.toThrow(/required when NODE_ENV=production/);
    const warnings: string[] = [];
    const keys = await loadSigningKeys({ production: false, warn: (m) => warnings.push(m) });
    expect(keys.ephemeral).toBe(true);
    expect(warnings.join()).toMatch(/EPHEMERAL/);
  });

  it('reads a PEM from a file or inline (with \\n escapes); kid defaults to the thumbprint', async () => {
    const { privatePem } = pem();
    const dir = mkdtempSync(join(tmpdir(), 'identity-keys-'));
    writeFileSync(join(dir, 'key.pem'), privatePem);
    const base = { HTTP_PORT: '0', GRPC_PORT: '0', DATABASE_URL: 'postgres://u:p@localhost/db', KAFKA_BROKERS: 'localhost:9092' };
    const fromFile = await loadSigningKeys(
      signingKeySource(loadIdentityConfig({ ...base, JWT_PRIVATE_KEY_FILE: join(dir, 'key.pem'), NODE_ENV: 'production' })),
    );
    const inline = await loadSigningKeys(
      signingKeySource(loadIdentityConfig({ ...base, JWT_PRIVATE_KEY: privatePem.replace(/\n/g, '\\n'), JWT_KEY_ID: 'k1' })),
    );
    expect(fromFile.ephemeral).toBe(false);
    expect(fromFile.current.kid).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(inline.current.kid).toBe('k1');
    expect(inline.current.jwk.n).toBe(fromFile.current.jwk.n);
    expect(() => loadIdentityConfig({ ...base, SUPERADMIN_EMAIL: 'root@example.com' })).toThrow(/SUPERADMIN_PASSWORD: required/);
    expect(() => loadIdentityConfig({ ...base, SUPERADMIN_EMAIL: 'nope', SUPERADMIN_PASSWORD: 'short' })).toThrow(
      /SUPERADMIN_EMAIL: must be an email[\s\S]*SUPERADMIN_PASSWORD: must be at least 10/,
    );
    await expect(loadSigningKeys({ production: false, privateKeyPem: 'garbage' })).rejects.toThrow(/not a readable PEM/);
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    await expect(loadSigningKeys({ production: false, privateKeyPem: small })).rejects.toThrow(/at least 2048/);
  });
});

describe('JWT access tokens', () => {
  /** How identity verifies its callers: the platform verifier over identity's own keys. */
  const verifierOf = (tokens: JwtAccessTokens, clock = fixedClock(), expected = settings) => ownAccessTokenVerifier(tokens, expected, clock);

  it('issue → verify round trip; expiry, audience, issuer, algorithm and unknown kid are rejected', async () => {
    const clock = fixedClock();
    const keys = await loadSigningKeys({ production: false, privateKeyPem: pem().privatePem, keyId: 'current' });
    const tokens = new JwtAccessTokens(keys, settings, clock);
    const { token, expiresIn } = await tokens.issue(subject);
    expect(expiresIn).toBe(900);
    const verifier = verifierOf(tokens, clock);
    expect(await verifier.verify(token)).toMatchObject({ ...subject, tokenId: expect.any(String) });

    clock.advance(906 * 1000);
    expect(await code(verifier.verify(token))).toBe('TOKEN_EXPIRED');

    expect(await code(verifierOf(tokens, fixedClock(), { ...settings, audience: 'someone-else' }).verify(token))).toBe('INVALID_TOKEN');
    expect(await code(verifierOf(tokens, fixedClock(), { ...settings, issuer: 'evil' }).verify(token))).toBe('INVALID_TOKEN');

    const hs = await new SignJWT({ role: 'admin', email: 'a@b.co' })
      .setProtectedHeader({ alg: 'HS256', kid: 'current' })
      .setSubject(subject.userId)
      .setIssuer('iss')
      .setAudience('aud')
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode('x'.repeat(32)));
    expect(await code(verifierOf(tokens).verify(hs))).toBe('INVALID_TOKEN');
    expect(await code(verifierOf(tokens).verify('not.a.jwt'))).toBe('INVALID_TOKEN');

    const stranger = await loadSigningKeys({ production: false, privateKeyPem: pem().privatePem, keyId: 'current' });
    const forged = await new JwtAccessTokens(stranger, settings, fixedClock()).issue(subject);
    expect(await code(verifierOf(tokens).verify(forged.token))).toBe('INVALID_TOKEN');
    const unknownKid = await new JwtAccessTokens({ ...stranger, current: { ...stranger.current, kid: 'other' } }, settings, fixedClock()).issue(subject);
    expect(await code(verifierOf(tokens).verify(unknownKid.token))).toBe('INVALID_TOKEN');
  });

  it('during rotation, tokens signed by the previous key still verify and both keys are published', async () => {
    const old = pem();
    const oldKeys = await loadSigningKeys({ production: false, privateKeyPem: old.privatePem, keyId: 'old' });
    const oldToken = (await new JwtAccessTokens(oldKeys, settings, fixedClock()).issue(subject)).token;
    const rotated = await loadSigningKeys({
      production: false,
      privateKeyPem: pem().privatePem,
      keyId: 'new',
      previousPublicKeyPem: old.publicPem,
      previousKeyId: 'old',
    });
    const tokens = new JwtAccessTokens(rotated, settings, fixedClock());
    expect((await tokens.jwks()).keys.map((k) => k.kid)).toEqual(['new', 'old']);
    expect((await verifierOf(tokens).verify(oldToken)).userId).toBe(subject.userId);
  });

  it('service tokens carry sub service:<name>, role service and the callee as audience', async () => {
    const keys = await loadSigningKeys({ production: false, privateKeyPem: pem().privatePem, keyId: 'current' });
    const tokens = new JwtAccessTokens(keys, { ...settings, serviceTokenTtlSeconds: 120 }, fixedClock());
    const issued = await tokens.issueServiceToken('notification', 'story');
    expect(issued.expiresIn).toBe(120);
    expect(await verifierOf(tokens, fixedClock(), { ...settings, audience: 'story' }).verify(issued.token)).toMatchObject({
      userId: 'service:notification',
      role: 'service',
      email: '',
    });
    // not a token for the API audience
    expect(await code(verifierOf(tokens).verify(issued.token))).toBe('INVALID_TOKEN');
  });
});

describe('secrets', () => {
  it('refresh tokens are 256-bit base64url and stored as SHA-256 hex', () => {
    const s = new OpaqueRefreshTokens();
    const a = s.generate();
    const b = s.generate();
    expect(a.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(a.token, 'base64url')).toHaveLength(32);
    expect(a.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(s.hash(a.token)).toBe(a.hash);
    expect(a.token).not.toBe(b.token);
  });

  it('argon2id hashes verify, wrong passwords and garbage hashes do not', async () => {
    const h = new Argon2PasswordHasher({ memoryCost: 8192, timeCost: 2, parallelism: 1 });
    const hash = await h.hash('correct horse battery');
    expect(hash.startsWith('$argon2id$')).toBe(true);
    expect(await h.verify(hash, 'correct horse battery')).toBe(true);
    expect(await h.verify(hash, 'wrong horse battery')).toBe(false);
    expect(await h.verify('not-a-hash', 'x')).toBe(false);
    await expect(h.burn('anything')).resolves.toBeUndefined();
  });
});
