// schemathesis (PyPI) in a venv of its own at .tools/schemathesis-venv: the API contract test
// (services/gateway/test/e2e/openapi-contract.e2e.test.ts) runs it against a fleet it starts.
// Not in .tools/venv beside Piper: that venv is deleted and rebuilt whenever the media pins change,
// and schemathesis' dependencies (hypothesis, requests, werkzeug...) must not move moto's.
// Node built-ins only: bootstrap runs this before dependencies exist.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserFacingError, say, warn } from './log.mjs';
import { capture, which } from './exec.mjs';
import { repoRoot, toolsRoot } from './paths.mjs';
import { withLock } from './lock.mjs';

/** The pin; everything it pulls in is pinned in schemathesis.constraints.txt. */
export const SCHEMATHESIS_REQUIREMENT = 'schemathesis==4.32.5';
const constraintsFile = join(repoRoot, 'scripts', 'lib', 'schemathesis.constraints.txt');

export function schemathesisVenvDir() {
  return join(toolsRoot(), 'schemathesis-venv');
}

function manifestFile() {
  return join(schemathesisVenvDir(), 'schemathesis.json');
}

function pinsDigest() {
  return createHash('sha256').update(SCHEMATHESIS_REQUIREMENT).update('\0').update(readFileSync(constraintsFile)).digest('hex');
}

/** @typedef {{ digest: string, version: string, cli: string }} SchemathesisManifest */

/** The manifest when it matches the current pins and the CLI exists, else null. @returns {SchemathesisManifest | null} */
export function readSchemathesisManifest() {
  try {
    const manifest = JSON.parse(readFileSync(manifestFile(), 'utf8'));
    return manifest.digest === pinsDigest() && typeof manifest.cli === 'string' && existsSync(manifest.cli) ? manifest : null;
  } catch {
    return null;
  }
}

/** @param {string} output */
function tail(output, lines = 15) {
  return output.trim().split('\n').slice(-lines).join('\n');
}

/**
 * Installs the pinned schemathesis when missing or when its pins changed; a second run costs one
 * small file read. @returns {Promise<{ installed: boolean, manifest: SchemathesisManifest | null }>}
 */
export async function ensureSchemathesis() {
  if (readSchemathesisManifest()) return { installed: false, manifest: readSchemathesisManifest() };
  const python = which('python3');
  if (!python) {
    warn('schemathesis', 'python3 is not on PATH; the OpenAPI contract test cannot run (install Python 3.10+ with venv, then rerun)');
    return { installed: false, manifest: null };
  }
  const installed = await withLock('schemathesis-venv', async () => {
    if (readSchemathesisManifest()) return false;
    const dir = schemathesisVenvDir();
    say('schemathesis', `creating ${dir} with ${SCHEMATHESIS_REQUIREMENT} (first run only)`);
    const started = Date.now();
    rmSync(dir, { recursive: true, force: true });
    const created = await capture(python, ['-m', 'venv', dir]);
    if (created.code !== 0) {
      throw new UserFacingError(`python3 -m venv failed (exit ${created.code}):\n${tail(created.stdout + created.stderr)}`, 'on Debian/Ubuntu install python3-venv');
    }
    const venvPython = join(dir, 'bin', 'python');
    const pip = await capture(venvPython, ['-m', 'pip', 'install', '--disable-pip-version-check', '--no-input', '-q', '-c', constraintsFile, SCHEMATHESIS_REQUIREMENT]);
    if (pip.code !== 0) {
      throw new UserFacingError(`pip could not install ${SCHEMATHESIS_REQUIREMENT} (exit ${pip.code}):\n${tail(pip.stdout + pip.stderr)}`, 'check network access to PyPI or your pip configuration (pip.conf, PIP_INDEX_URL)');
    }
    const cli = join(dir, 'bin', 'schemathesis');
    const version = await capture(cli, ['--version']);
    if (version.code !== 0) throw new UserFacingError(`schemathesis --version failed (exit ${version.code}):\n${tail(version.stdout + version.stderr)}`);
    /** @type {SchemathesisManifest} */
    const manifest = { digest: pinsDigest(), version: version.stdout.trim(), cli };
    const partial = `${manifestFile()}.partial`;
    writeFileSync(partial, `${JSON.stringify(manifest, null, 2)}\n`);
    renameSync(partial, manifestFile());
    say('schemathesis', `${manifest.version} ready in ${Math.round((Date.now() - started) / 1000)}s`);
    return true;
  });
  return { installed, manifest: readSchemathesisManifest() };
}
