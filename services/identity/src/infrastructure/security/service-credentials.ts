import { createHash, timingSafeEqual } from 'node:crypto';
import type { ServiceCredentials } from '../../application/ports/index.js';

const ENTRY = /^([a-z][a-z0-9-]{0,62})[:=]([0-9a-f]{64})$/;

/** SHA-256 of a service secret, as SERVICE_CREDENTIALS lists it (secrets are random, so no slow hash is needed). */
export function serviceSecretHash(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** Hashes a service may have at once: the current secret and, during a rotation, the next one. */
export const MAX_SECRETS_PER_SERVICE = 2;

/**
 * Parses SERVICE_CREDENTIALS: `name:sha256hex` entries separated by commas or whitespace, e.g.
 * `notification:9f86…,payments:2c26…`. A service may be listed twice with two different hashes
 * while its secret rotates (either secret is accepted; ADR 0016). Throws with the offending
 * entry's position (never its value).
 */
export function parseServiceCredentials(raw: string | undefined): Map<string, Buffer[]> {
  const map = new Map<string, Buffer[]>();
  const entries = (raw ?? '').split(/[\s,]+/).filter((e) => e !== '');
  entries.forEach((entry, i) => {
    const m = ENTRY.exec(entry.toLowerCase());
    if (!m) throw new Error(`entry ${i + 1} is not <service>:<sha256 hex of its secret>`);
    const hashes = map.get(m[1]!) ?? [];
    const hash = Buffer.from(m[2]!, 'hex');
    if (hashes.some((h) => h.equals(hash))) throw new Error(`service ${m[1]} is listed twice with the same secret`);
    if (hashes.length === MAX_SECRETS_PER_SERVICE) throw new Error(`service ${m[1]} is listed more than ${MAX_SECRETS_PER_SERVICE} times (current and next secret)`);
    map.set(m[1]!, [...hashes, hash]);
  });
  return map;
}

/** The allowed callers from configuration; compares SHA-256 digests in constant time. */
export class ConfiguredServiceCredentials implements ServiceCredentials {
  private static readonly DUMMY = Buffer.alloc(32);

  constructor(private readonly hashes: ReadonlyMap<string, readonly Buffer[]>) {}

  verify(service: string, secret: string): boolean {
    const expected = this.hashes.get(service) ?? [];
    const actual = createHash('sha256').update(secret, 'utf8').digest();
    // Always as many comparisons as a rotating service gets, also for an unknown service, so
    // timing does not tell which services exist or which are rotating.
    let matched = false;
    for (let i = 0; i < MAX_SECRETS_PER_SERVICE; i++) {
      const same = timingSafeEqual(actual, expected[i] ?? ConfiguredServiceCredentials.DUMMY);
      matched = (same && expected[i] !== undefined) || matched;
    }
    return matched;
  }
}
