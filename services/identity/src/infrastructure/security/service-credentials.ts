import { createHash, timingSafeEqual } from 'node:crypto';
import type { ServiceCredentials } from '../../application/ports/index.js';

const ENTRY = /^([a-z][a-z0-9-]{0,62})[:=]([0-9a-f]{64})$/;

/** SHA-256 of a service secret, as SERVICE_CREDENTIALS lists it (secrets are random, so no slow hash is needed). */
export function serviceSecretHash(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/**
 * Parses SERVICE_CREDENTIALS: `name:sha256hex` entries separated by commas or whitespace, e.g.
 * `notification:9f86…,payments:2c26…`. Throws with the offending entry's position (never its value).
 */
export function parseServiceCredentials(raw: string | undefined): Map<string, Buffer> {
  const map = new Map<string, Buffer>();
  const entries = (raw ?? '').split(/[\s,]+/).filter((e) => e !== '');
  entries.forEach((entry, i) => {
    const m = ENTRY.exec(entry.toLowerCase());
    if (!m) throw new Error(`entry ${i + 1} is not <service>:<sha256 hex of its secret>`);
    if (map.has(m[1]!)) throw new Error(`service ${m[1]} is listed twice`);
    map.set(m[1]!, Buffer.from(m[2]!, 'hex'));
  });
  return map;
}

/** The allowed callers from configuration; compares SHA-256 digests in constant time. */
export class ConfiguredServiceCredentials implements ServiceCredentials {
  private static readonly DUMMY = Buffer.alloc(32);

  constructor(private readonly hashes: ReadonlyMap<string, Buffer>) {}

  verify(service: string, secret: string): boolean {
    const expected = this.hashes.get(service);
    const actual = createHash('sha256').update(secret, 'utf8').digest();
    // Compare even for an unknown service, so timing does not tell which services exist.
    const same = timingSafeEqual(actual, expected ?? ConfiguredServiceCredentials.DUMMY);
    return expected !== undefined && same;
  }
}
