import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { calculateJwkThumbprint, exportJWK } from 'jose';
import type { JsonWebKey } from '../../application/ports/index.js';

export interface VerificationKey {
  kid: string;
  publicKey: KeyObject;
  jwk: JsonWebKey;
}

export interface SigningKeys {
  /** Signs new tokens. */
  current: VerificationKey & { privateKey: KeyObject };
  /** Still verify (and are published in the JWKS) during a rotation. */
  previous: VerificationKey[];
  /** Generated at start because none was configured (development only). */
  ephemeral: boolean;
}

export interface SigningKeySource {
  /** PEM (PKCS#8 or PKCS#1) RSA private key; `\n` escapes are accepted for single-line env values. */
  privateKeyPem?: string;
  keyId?: string;
  previousPublicKeyPem?: string;
  previousKeyId?: string;
  production: boolean;
  warn?: (message: string) => void;
}

/** The key settings of identity's configuration (JWT_PRIVATE_KEY may have come from JWT_PRIVATE_KEY_FILE). */
export interface SigningKeyConfig {
  NODE_ENV: string;
  JWT_PRIVATE_KEY?: string | undefined;
  JWT_KEY_ID?: string | undefined;
  JWT_PREVIOUS_PUBLIC_KEY_FILE?: string | undefined;
  JWT_PREVIOUS_KEY_ID?: string | undefined;
}

export function signingKeySource(config: SigningKeyConfig, warn?: (message: string) => void): SigningKeySource {
  const previousFile = config.JWT_PREVIOUS_PUBLIC_KEY_FILE;
  return {
    privateKeyPem: config.JWT_PRIVATE_KEY,
    keyId: config.JWT_KEY_ID,
    previousPublicKeyPem: previousFile ? readKeyFile(previousFile, 'JWT_PREVIOUS_PUBLIC_KEY_FILE') : undefined,
    previousKeyId: config.JWT_PREVIOUS_KEY_ID,
    production: config.NODE_ENV === 'production',
    ...(warn ? { warn } : {}),
  };
}

/**
 * Resolves the signing keys. Without a configured key: production refuses to start; anywhere
 * else an ephemeral RSA key is generated (tokens die with the process) and a warning is logged.
 * `kid` defaults to the key's RFC 7638 thumbprint, so it changes exactly when the key does.
 */
export async function loadSigningKeys(source: SigningKeySource): Promise<SigningKeys> {
  let privateKey: KeyObject;
  let ephemeral = false;
  if (source.privateKeyPem) {
    privateKey = parsePrivateKey(source.privateKeyPem);
  } else if (source.production) {
    throw new Error('JWT_PRIVATE_KEY or JWT_PRIVATE_KEY_FILE is required when NODE_ENV=production');
  } else {
    privateKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    ephemeral = true;
    (source.warn ?? console.warn)(
      '!!! No JWT_PRIVATE_KEY / JWT_PRIVATE_KEY_FILE configured: signing access tokens with an EPHEMERAL key. ' +
        'Tokens stop verifying when this process restarts and other replicas cannot verify them. ' +
        'Development only; NODE_ENV=production refuses to start like this. !!!',
    );
  }
  const current = await verificationKey(createPublicKey(privateKey), source.keyId);
  const previous: VerificationKey[] = [];
  if (source.previousPublicKeyPem) {
    const prev = await verificationKey(parsePublicKey(source.previousPublicKeyPem), source.previousKeyId);
    if (prev.kid === current.kid) throw new Error('JWT_PREVIOUS_PUBLIC_KEY_FILE must hold a different key (or kid) than the current one');
    previous.push(prev);
  }
  return { current: { ...current, privateKey }, previous, ephemeral };
}

async function verificationKey(publicKey: KeyObject, kid: string | undefined): Promise<VerificationKey> {
  const exported = await exportJWK(publicKey);
  if (!exported.n || !exported.e) throw new Error('expected an RSA key');
  const resolvedKid = kid ?? (await calculateJwkThumbprint({ kty: 'RSA', n: exported.n, e: exported.e }, 'sha256'));
  return { kid: resolvedKid, publicKey, jwk: { kty: 'RSA', kid: resolvedKid, use: 'sig', alg: 'RS256', n: exported.n, e: exported.e } };
}

function parsePrivateKey(pem: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey(unescape(pem));
  } catch (err) {
    throw new Error(`JWT private key is not a readable PEM private key: ${(err as Error).message}`);
  }
  assertRsa(key, 'JWT private key');
  return key;
}

function parsePublicKey(pem: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPublicKey(unescape(pem));
  } catch (err) {
    throw new Error(`JWT_PREVIOUS_PUBLIC_KEY_FILE is not a readable PEM public key: ${(err as Error).message}`);
  }
  assertRsa(key, 'previous JWT public key');
  return key;
}

function assertRsa(key: KeyObject, what: string): void {
  if (key.asymmetricKeyType !== 'rsa') throw new Error(`${what} must be an RSA key (RS256), got ${key.asymmetricKeyType}`);
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < 2048) throw new Error(`${what} must be at least 2048 bits, got ${bits}`);
}

function unescape(pem: string): string {
  return pem.includes('\\n') ? pem.replace(/\\n/g, '\n') : pem;
}

function readKeyFile(path: string, variable: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`${variable}=${path} cannot be read: ${(err as Error).message}`);
  }
}
