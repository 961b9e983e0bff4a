// identity's token-signing key for local runs: an RSA 2048 key generated once into
// .data/keys/identity-jwt.pem (PKCS#8, mode 0600). Its key id is derived from the public key, so
// it is stable for the key's lifetime and changes if the file is replaced.
import { createHash, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { withLockSync } from './lock.mjs';
import { dataPaths } from './paths.mjs';

export function identityKeyFile() {
  return join(dataPaths().keys, 'identity-jwt.pem');
}

/** @returns {{ file: string, keyId: string, created: boolean }} */
export function ensureIdentityKey() {
  const file = identityKeyFile();
  let created = false;
  if (!existsSync(file)) {
    created = withLockSync('identity-key', () => {
      if (existsSync(file)) return false;
      mkdirSync(dataPaths().keys, { recursive: true, mode: 0o700 });
      const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      writeFileSync(`${file}.tmp`, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
      renameSync(`${file}.tmp`, file);
      return true;
    });
  }
  const spki = createPublicKey(readFileSync(file, 'utf8')).export({ type: 'spki', format: 'der' });
  const keyId = `local-${createHash('sha256').update(spki).digest('base64url').slice(0, 16)}`;
  return { file, keyId, created };
}
