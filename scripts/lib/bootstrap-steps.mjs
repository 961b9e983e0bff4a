// What a fresh clone needs before anything runs. Node built-ins only: this runs before
// node_modules exists.
import { existsSync, readFileSync, statSync, utimesSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';
import { UserFacingError, say } from './log.mjs';
import { captureChecked, runInherited, which } from './exec.mjs';
import { repoRoot, toolsRoot } from './paths.mjs';

const MIN_NODE = [20, 19, 0];

export function checkNode() {
  const current = process.versions.node.split('.').map(Number);
  for (let i = 0; i < 3; i++) {
    if (current[i] > MIN_NODE[i]) return;
    if (current[i] < MIN_NODE[i]) throw new UserFacingError(`Node.js ${process.versions.node} is too old; this project needs ${MIN_NODE.join('.')} or newer`, 'install Node.js 20.19+ to launch the scripts (they run on the Node of .nvmrc)');
  }
}

function wantedPnpmVersion() {
  const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));
  const match = /^pnpm@(\d+\.\d+\.\d+)/.exec(pkg.packageManager ?? '');
  if (!match) throw new Error('package.json has no "packageManager": "pnpm@x.y.z"');
  return match[1];
}

/** @typedef {{ command: string, prefixArgs: string[], version: string, where: string }} Pnpm */

/** The pinned pnpm: from PATH when it is that version, else installed into .tools/. @returns {Promise<Pnpm>} */
export async function ensurePnpm() {
  const wanted = wantedPnpmVersion();
  const onPath = which('pnpm');
  if (onPath) {
    const version = spawnSync(onPath, ['--version'], { encoding: 'utf8', env: { ...process.env, COREPACK_ENABLE_DOWNLOAD_PROMPT: '0' } }).stdout?.trim();
    if (version === wanted) return { command: onPath, prefixArgs: [], version, where: 'PATH' };
  }
  // Run pnpm's own entry with this node, so neither a shell shim nor PATH matters.
  const entry = join(toolsRoot(), 'node_modules', 'pnpm', 'bin', 'pnpm.cjs');
  const installedVersion = () => {
    try {
      return JSON.parse(readFileSync(join(toolsRoot(), 'node_modules', 'pnpm', 'package.json'), 'utf8')).version;
    } catch {
      return null;
    }
  };
  if (installedVersion() !== wanted) {
    const npm = which('npm');
    if (!npm) throw new UserFacingError('npm is not on PATH (it ships with Node.js), so pnpm cannot be installed', 'install Node.js 20.19+ with npm');
    say('bootstrap', `installing pnpm ${wanted} into .tools/ (not on PATH${onPath ? ' in that version' : ''})`);
    await captureChecked(npm, ['install', '--prefix', toolsRoot(), '--no-audit', '--no-fund', '--loglevel=error', `pnpm@${wanted}`]);
  }
  return { command: process.execPath, prefixArgs: [entry], version: wanted, where: '.tools' };
}

/** Why dependencies must be (re)installed, or null when node_modules matches pnpm-lock.yaml. */
function installReason() {
  const marker = join(repoRoot, 'node_modules', '.modules.yaml');
  if (!existsSync(marker)) return 'node_modules is missing';
  if (statSync(marker).mtimeMs < statSync(join(repoRoot, 'pnpm-lock.yaml')).mtimeMs) return 'pnpm-lock.yaml is newer than node_modules';
  return null;
}

/** @param {Pnpm} pnpm @param {string[]} args */
export async function runPnpm(pnpm, args) {
  const code = await runInherited(pnpm.command, [...pnpm.prefixArgs, ...args], { cwd: repoRoot });
  if (code !== 0) throw new UserFacingError(`pnpm ${args.join(' ')} failed (exit ${code})`);
}

/** Installs dependencies when needed. @returns {Promise<Pnpm | null>} the pnpm used, null if none was needed */
export async function ensureDependencies() {
  checkNode();
  const reason = installReason();
  if (!reason) return null;
  const pnpm = await ensurePnpm();
  say('bootstrap', `pnpm install --frozen-lockfile (${reason})`);
  // confirmModulesPurge=false: never stop to ask on a terminal-less CI runner.
  await runPnpm(pnpm, ['install', '--frozen-lockfile', '--config.confirmModulesPurge=false']);
  // pnpm may leave its marker untouched when nothing changed; mark the install as current.
  const marker = join(repoRoot, 'node_modules', '.modules.yaml');
  if (existsSync(marker)) utimesSync(marker, new Date(), new Date());
  return pnpm;
}

/** Generates code from proto/ when the generator exists. */
export async function generateContracts() {
  const script = join(repoRoot, 'scripts', 'gen-contracts.mjs');
  if (!existsSync(script)) return false;
  say('bootstrap', 'generating contracts (scripts/gen-contracts.mjs)');
  const code = await runInherited(process.execPath, [script], { cwd: repoRoot });
  if (code !== 0) throw new UserFacingError(`scripts/gen-contracts.mjs failed (exit ${code})`);
  return true;
}

/** Type-checks and compiles every project reference (tsc -b). @param {Pnpm} pnpm */
export async function buildTypeScript(pnpm) {
  say('bootstrap', 'tsc -b');
  const code = await runInherited(pnpm.command, [...pnpm.prefixArgs, 'exec', 'tsc', '-b', 'tsconfig.json'], { cwd: repoRoot });
  if (code !== 0) throw new UserFacingError(`tsc -b failed (exit ${code}); the type errors are printed above`);
}

/**
 * Everything before infrastructure starts: Node version, pnpm, dependencies, generated contracts,
 * (with build) tsc -b, Java + Maven + the Kafka jars, PostgreSQL binaries, the audio tools
 * (ffmpeg, espeak-ng, the Piper/moto venv; scripts/lib/media-tools.mjs), schemathesis for the OpenAPI
 * contract test (scripts/lib/schemathesis.mjs). Each step is skipped
 * when already done. Imports of the infra helpers are lazy and built-in-only as well.
 * @param {{ build?: boolean }} [options]
 */
export async function bootstrap(options = {}) {
  checkNode();
  // Set by scripts/lib/node-runtime.mjs when it re-executed the script under the pinned Node.
  const reexecuted = process.env.STORYTELLING_NODE_REEXEC;
  say('bootstrap', `node ${process.versions.node}${reexecuted ? ` (${relative(repoRoot, reexecuted)}, the images' major)` : ''}`);
  const pnpm = (await ensureDependencies()) ?? (await ensurePnpm());
  say('bootstrap', `pnpm ${pnpm.version} (${pnpm.where}), dependencies up to date`);
  await generateContracts();
  if (options.build) await buildTypeScript(pnpm);
  if (!process.env.KAFKA_BROKERS) {
    const { ensureKafkaJars } = await import('./kafka-jars.mjs');
    const { requireJava } = await import('./java-tools.mjs');
    const javaMajor = requireJava();
    const { resolved } = await ensureKafkaJars();
    if (!resolved) say('bootstrap', `java ${javaMajor}, Kafka jars present`);
  }
  if (!process.env.DATABASE_ADMIN_URL) {
    const { locatePostgres } = await import('./postgres-binaries.mjs');
    const pg = await locatePostgres();
    say('bootstrap', `PostgreSQL ${pg.version} (${pg.source}: ${pg.bin})`);
  }
  const { ensureMediaTools } = await import('./media-tools.mjs');
  const media = await ensureMediaTools();
  if (!media.installed && media.manifest && media.missing.length === 0) say('bootstrap', 'ffmpeg, espeak-ng, Piper venv present');
  const { ensureSchemathesis } = await import('./schemathesis.mjs');
  const contract = await ensureSchemathesis();
  if (!contract.installed && contract.manifest) say('bootstrap', `${contract.manifest.version} present`);
  return pnpm;
}
