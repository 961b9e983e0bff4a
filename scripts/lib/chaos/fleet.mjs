// The chaos fleet: every service of fleet.json from dist/, with the environment npm start gives it
// (buildServiceEnv) but on free ports, so that it runs beside a developer's fleet. It can SIGKILL a
// service and start it again with the same environment.
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { UserFacingError, say } from '../log.mjs';
import { readFleet } from '../fleet-manifest.mjs';
import { freePort } from '../net.mjs';
import { dataPaths, repoRoot } from '../paths.mjs';
import { isAlive, spawnDetached, stopProcess } from '../processes.mjs';
import { buildServiceEnv, grpcUrlVariable } from '../service-env.mjs';
import { serviceEntry } from '../fleet-launcher.mjs';

/** @typedef {{ name: string, httpPort: number, grpcPort: number | null, env: Record<string, string>, pid: number, exited: () => boolean }} ChaosService */

const HOST = '127.0.0.1';

/** @param {number} port @param {() => boolean} exited */
async function waitReady(port, exited, timeoutMs = 120_000) {
  const started = Date.now();
  let last = 'no answer';
  while (Date.now() - started < timeoutMs) {
    if (exited()) throw new Error('the process exited');
    try {
      const response = await fetch(`http://${HOST}:${port}/ready`, { signal: AbortSignal.timeout(2000) });
      if (response.status === 200) return Date.now() - started;
      last = `GET /ready answered ${response.status}`;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    await sleep(200);
  }
  throw new Error(`not ready after ${timeoutMs / 1000}s (${last})`);
}

export class ChaosFleet {
  /** @param {{ databaseName: string, brokers: string[] }} target */
  constructor(target) {
    this.target = target;
    /** @type {Map<string, ChaosService>} */
    this.services = new Map();
    this.stopping = false;
    /** unexpected exits (not ours) @type {string[]} */
    this.crashes = [];
  }

  get gatewayUrl() {
    const gateway = this.services.get('gateway');
    if (!gateway) throw new Error('no gateway');
    return `http://${HOST}:${gateway.httpPort}/api/v1`;
  }

  /** Free ports for every service, then each one's environment pointing at its peers' ports. */
  async plan() {
    const fleet = readFleet().services;
    /** @type {Map<string, { http: number, grpc: number | null }>} */
    const ports = new Map();
    for (const s of fleet) ports.set(s.name, { http: await freePort(), grpc: s.grpcPort === null ? null : await freePort() });
    for (const s of fleet) {
      const own = ports.get(s.name);
      if (!own) continue;
      /** @type {Record<string, string>} */
      const overrides = { HTTP_PORT: String(own.http), LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' };
      if (own.grpc !== null) overrides.GRPC_PORT = String(own.grpc);
      for (const peer of fleet) {
        const p = ports.get(peer.name);
        if (peer.name !== s.name && p?.grpc) overrides[grpcUrlVariable(peer.name)] = `${HOST}:${p.grpc}`;
      }
      if (s.name === 'gateway') {
        overrides.PUBLIC_BASE_URL = `http://${HOST}:${own.http}`;
        // One client drives the whole load from one address: the per-client limits would refuse most of it.
        overrides.RATE_LIMIT_PER_MINUTE = '1000000';
        overrides.RATE_LIMIT_AUTH_PER_MINUTE = '1000000';
      }
      // Links in notifications point at this fleet's gateway, not the default :8080.
      if (s.name === 'notification') overrides.PUBLIC_WEB_URL = `http://${HOST}:${ports.get('gateway')?.http}`;
      const env = { ...process.env, ...buildServiceEnv(s.name, { ...this.target, overrides }) };
      delete env.DATABASE_ADMIN_URL;
      this.services.set(s.name, { name: s.name, httpPort: own.http, grpcPort: own.grpc, env: /** @type {Record<string, string>} */ (env), pid: 0, exited: () => true });
    }
  }

  /** @param {ChaosService} service */
  async spawn(service) {
    const child = await spawnDetached(process.execPath, ['--enable-source-maps', serviceEntry(service.name, 'main')], {
      logFile: join(dataPaths().logs, `${service.name}.log`),
      cwd: join(repoRoot, 'services', service.name),
      env: service.env,
      onExit: (code) => {
        if (!this.stopping && service.pid === child.pid && !service.killedByUs) this.crashes.push(`${service.name} exited with ${code}`);
      },
    });
    service.pid = child.pid;
    service.exited = child.exited;
    service.killedByUs = false;
  }

  /** Starts all, waits until every one is ready. @returns {Promise<Record<string, number>>} ms to ready per service */
  async start() {
    await this.plan();
    for (const service of this.services.values()) await this.spawn(service);
    /** @type {Record<string, number>} */
    const readyMs = {};
    await Promise.all([...this.services.values()].map(async (s) => {
      try {
        readyMs[s.name] = await waitReady(s.httpPort, s.exited);
      } catch (error) {
        throw new UserFacingError(`${s.name} did not become ready: ${error instanceof Error ? error.message : String(error)} (log: ${join(dataPaths().logs, `${s.name}.log`)})`);
      }
    }));
    say('chaos', `fleet ready: ${[...this.services.keys()].join(', ')}`);
    return readyMs;
  }

  /**
   * SIGKILL, then start again at once and wait for ready.
   * @param {string} name @returns {Promise<number>} ms from the new process's start to ready
   */
  async killAndRestart(name) {
    const service = this.services.get(name);
    if (!service) throw new Error(`no service ${name}`);
    service.killedByUs = true;
    process.kill(service.pid, 'SIGKILL');
    while (isAlive(service.pid)) await sleep(20);
    await this.spawn(service);
    return waitReady(service.httpPort, service.exited);
  }

  async stop() {
    this.stopping = true;
    const all = [...this.services.values()];
    const gateway = all.filter((s) => s.name === 'gateway');
    for (const group of [gateway, all.filter((s) => s.name !== 'gateway')]) {
      await Promise.all(group.map((s) => (s.pid ? stopProcess(s.pid, { timeoutMs: 20_000 }) : Promise.resolve('not-running'))));
    }
  }
}
