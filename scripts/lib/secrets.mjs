// Local secrets (.data/secrets.json, mode 0600): generated once, then reused, so passwords stay
// stable across restarts. Only for this machine's own Postgres and fleet; never deployed.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { withLockSync } from './lock.mjs';
import { dataPaths } from './paths.mjs';

/** @returns {Record<string, string>} */
function readAll() {
  try {
    return JSON.parse(readFileSync(dataPaths().secrets, 'utf8'));
  } catch (error) {
    if (/** @type {NodeJS.ErrnoException} */ (error).code === 'ENOENT') return {};
    throw new Error(`${dataPaths().secrets} is not valid JSON; fix or delete it (${String(error)})`);
  }
}

/** A URL-safe random password (no characters that need escaping in a connection URL). */
export function generatePassword(bytes = 18) {
  return randomBytes(bytes).toString('base64url');
}

/**
 * The secret stored under key, generated (and saved) on first use.
 * @param {string} key @param {() => string} [generate]
 * @returns {{ value: string, created: boolean }}
 */
export function ensureSecret(key, generate = generatePassword) {
  const existing = readAll()[key];
  if (existing) return { value: existing, created: false };
  return withLockSync('secrets', () => {
    const all = readAll(); // re-read under the lock: another process may have just written it
    if (all[key]) return { value: all[key], created: false };
    all[key] = generate();
    const file = dataPaths().secrets;
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(`${file}.tmp`, `${JSON.stringify(all, null, 2)}\n`, { mode: 0o600 });
    renameSync(`${file}.tmp`, file);
    return { value: all[key], created: true };
  });
}

/** @param {string} key */
export function secret(key) {
  return ensureSecret(key).value;
}
