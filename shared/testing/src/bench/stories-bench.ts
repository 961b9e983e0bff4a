// npm run bench:stories — the cost of the gateway path for one authenticated read, measured in
// one run on one machine (loopback only):
//   gateway:  GET /api/v1/stories/:id → gateway (JWT verification, rate limit, validation)
//             → gRPC → story service (JWT verification, visibility) → PostgreSQL
//   baseline: a bare Node http server doing the same primary-key read with pg (same row, same
//             database and role, same pool size)
//   floor:    the same two hops with nothing on them (stories-floor.ts): a bare http front →
//             grpc-js → a bare grpc-js server → pg; not part of the result line, it shows what
//             the architecture itself costs on this machine
// Both get the same closed-loop load (fixed concurrency, fixed duration, after a warm-up) for
// their maximum throughput; then the gateway gets an open-loop load at half its maximum for its
// latency (p99 measured from when each request was due), and the floor the same offered rate
// (the two hops' own tail at that load). identity, story and gateway run as
// real processes from their compiled dist/ (startFleetProcesses), on a scratch database.
// The last line printed is one JSON object {gatewayRps, baselineRps, ratio, p99Ms}.
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { adminUrl, databaseUrlFor, dropDatabase, ensureDatabase, provisionServices } from '../../../../scripts/lib/provisioning.mjs';
import { repoRoot } from '../../../../scripts/lib/paths.mjs';
import { newRunId, TEST_ENV_VARIABLE, topicPrefixFor } from '../../../../scripts/lib/test-run.mjs';
import { closedLoop, openLoop, type LoadResult, type Target } from './stories-load.js';

export interface StoriesBenchOptions {
  brokers: string[];
  /** Scratch database (dropped and re-created). */
  databaseName: string;
  /** Closed-loop concurrency (connections), the same for both sides. */
  connections: number;
  warmupSeconds: number;
  seconds: number;
  /** Open-loop load as a fraction of the gateway's maximum (0.5). */
  latencyLoad: number;
  latencySeconds: number;
  /** pg pool of the story service and of the baseline. */
  poolSize: number;
  /** Characters of the story's content (the response is about this size). */
  contentChars: number;
  /** Extra environment per service (tuning experiments), e.g. {gateway: {NODE_OPTIONS: '--trace-gc'}}. */
  serviceEnv?: Record<string, Record<string, string>>;
  /** CPU-profile these services (gateway, story) during the gateway's maximum-throughput phase. */
  profile?: string[];
  /** Which phase the profiles cover: each side's maximum (default) or the open-loop latency phases. */
  profilePhase?: 'max' | 'latency';
  /** Log these services' garbage-collection pauses above 5 ms (to their log files). */
  gcLog?: string[];
  log?: (line: string) => void;
}

export interface StoriesBenchResult {
  gatewayRps: number;
  baselineRps: number;
  ratio: number;
  p99Ms: number;
}

export interface StoriesBenchDetails {
  machine: { cpus: number; cpuModel: string; memoryGb: number; node: string; platform: string; loadAverage1m: number };
  settings: Omit<StoriesBenchOptions, 'log' | 'brokers'>;
  responseBytes: { gateway: number; baseline: number; floor: number };
  gatewayMax: PhaseReport;
  baselineMax: PhaseReport;
  floorMax: PhaseReport;
  /** floorMax.rps / baselineMax.rps: the ratio a framework-free gateway path reaches here. */
  floorRatio: number;
  /** gatewayMax.rps / floorMax.rps: how close the fleet's path comes to the bare two hops. */
  gatewayToFloor: number;
  gatewayLatency: PhaseReport & { offeredRps: number };
  /** The floor at the gateway latency phase's offered rate (its tail at the same load). */
  floorLatency: PhaseReport & { offeredRps: number };
}

export interface PhaseReport extends LoadResult {
  /** CPU use during the phase, in % of one core, per process group. */
  cpu: Record<string, number>;
}

// ---------------------------------------------------------------------------------------------
// CPU accounting (Linux /proc; empty elsewhere)

const CLOCK_TICKS = 100;

function cpuTicks(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]); // utime + stime
  } catch {
    return 0;
  }
}

function pidsNamed(name: string): number[] {
  try {
    return readdirSync('/proc')
      .filter((d) => /^\d+$/.test(d))
      .map(Number)
      .filter((pid) => {
        try {
          return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === name;
        } catch {
          return false;
        }
      });
  } catch {
    return [];
  }
}

type Groups = Record<string, () => number[]>;

/** Busy jiffies of the whole machine (all CPUs), from /proc/stat. */
function machineBusyTicks(): number {
  try {
    const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal ...
    return cpu[0]! + cpu[1]! + cpu[2]! + cpu[5]! + cpu[6]! + cpu[7]!;
  } catch {
    return 0;
  }
}

async function withCpu<T extends LoadResult>(groups: Groups, run: () => Promise<T>): Promise<T & { cpu: Record<string, number> }> {
  // Per process, so processes that come and go (postgres backends) do not make negative deltas;
  // one started during the phase counts from zero, one that ended is lost (short-lived anyway).
  const sample = (): Record<string, Map<number, number>> =>
    Object.fromEntries(Object.entries(groups).map(([k, pids]) => [k, new Map(pids().map((p) => [p, cpuTicks(p)]))]));
  const selfBefore = process.cpuUsage();
  const machineBefore = machineBusyTicks();
  const before = sample();
  const started = performance.now();
  const result = await run();
  const seconds = (performance.now() - started) / 1000;
  const after = sample();
  const machine = machineBusyTicks() - machineBefore;
  const self = process.cpuUsage(selfBefore);
  const cpu: Record<string, number> = {};
  let ours = 0;
  for (const k of Object.keys(groups)) {
    let ticks = 0;
    for (const [p, t] of after[k]!) ticks += Math.max(0, t - (before[k]!.get(p) ?? 0));
    ours += ticks;
    cpu[k] = Math.round((ticks / CLOCK_TICKS / seconds) * 100);
  }
  const selfPercent = ((self.user + self.system) / 1e6 / seconds) * 100;
  cpu['load generator'] = Math.round(selfPercent);
  // Everything else on the machine (kernel, other people's processes): a noisy machine is visible.
  cpu.others = Math.max(0, Math.round((machine / CLOCK_TICKS / seconds) * 100 - (ours / CLOCK_TICKS / seconds) * 100 - selfPercent));
  return { ...result, cpu };
}

// ---------------------------------------------------------------------------------------------
// Diagnostics: a wrapper entry runs the service's real entry and, with BENCH_PROFILE, toggles
// the V8 profiler on SIGWINCH (start, then stop and write <service>.cpuprofile) so the profile
// covers exactly the measured phase; with BENCH_GC_LOG it logs GC pauses of 5 ms and more and
// event-loop stalls over 20 ms to the service's log ({"bench":"gc"|"stall",...} lines).

function diagnosticEntry(dir: string, service: string, entry: string, what: { profile: boolean; gc: boolean }): string {
  const file = join(dir, `${service}-main.mjs`);
  const out = JSON.stringify(join(dir, `${service}.cpuprofile`));
  const profile = `import { Session } from 'node:inspector';
import { writeFileSync } from 'node:fs';
const session = new Session();
session.connect();
session.post('Profiler.enable');
session.post('Profiler.setSamplingInterval', { interval: 250 });
let running = false;
process.on('SIGWINCH', () => {
  if (!running) {
    session.post('Profiler.start');
    running = true;
  } else {
    session.post('Profiler.stop', (err, res) => { if (!err) writeFileSync(${out}, JSON.stringify(res.profile)); });
    running = false;
  }
});
`;
  const gc = `import { PerformanceObserver } from 'node:perf_hooks';
const KINDS = { 1: 'scavenge', 2: 'mark-compact', 4: 'incremental', 8: 'weak-callbacks' };
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    if (e.duration >= 5) process.stdout.write(JSON.stringify({ bench: 'gc', at: new Date().toISOString(), kind: KINDS[e.detail?.kind] ?? e.detail?.kind, ms: Math.round(e.duration * 10) / 10 }) + '\\n');
  }
}).observe({ entryTypes: ['gc'] });
`;
  const stalls = `{
  let last = performance.now();
  setInterval(() => {
    const now = performance.now();
    if (now - last > 30) process.stdout.write(JSON.stringify({ bench: 'stall', at: new Date().toISOString(), ms: Math.round(now - last - 10) }) + '\\n');
    last = now;
  }, 10).unref();
}
`;
  writeFileSync(file, `${what.profile ? profile : ''}${what.gc ? gc + stalls : ''}await import(${JSON.stringify(entry)});\n`);
  return file;
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

/** Top functions by self time, and the share of time under some well-known packages. */
export function summariseProfile(file: string, top = 25): string {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };
  const self = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) self.set(profile.samples[i]!, (self.get(profile.samples[i]!) ?? 0) + (profile.timeDeltas[i] ?? 0));
  const byFrame = new Map<string, number>();
  let total = 0;
  let idle = 0;
  for (const node of profile.nodes) {
    const t = self.get(node.id) ?? 0;
    total += t;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)') idle += t;
    const where = url.replace(/^file:\/\//, '').replace(/.*node_modules\/\.pnpm\/[^/]+\/node_modules\//, '').replace(repoRoot + '/', '');
    const key = `${functionName || '(anonymous)'} ${where}:${lineNumber + 1}`;
    byFrame.set(key, (byFrame.get(key) ?? 0) + t);
  }
  const busy = total - idle;
  const lines = [...byFrame.entries()]
    .filter(([k]) => !k.startsWith('(idle)'))
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([k, t]) => `  ${((t / busy) * 100).toFixed(1).padStart(5)}%  ${k}`);
  // The same self time by package / Node module; a native frame (no url: writev, GC helpers)
  // counts for the nearest caller that has one, so `writev` under grpc-js counts as grpc-js.
  const parent = new Map<number, ProfileNode>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node);
  const byModule = new Map<string, number>();
  for (const node of profile.nodes) {
    const t = self.get(node.id) ?? 0;
    if (t === 0 || node.callFrame.functionName === '(idle)') continue;
    let at: ProfileNode | undefined = node;
    while (at && !at.callFrame.url) at = parent.get(at.id);
    const key = at ? moduleOf(at.callFrame.url) : node.callFrame.functionName;
    byModule.set(key, (byModule.get(key) ?? 0) + t);
  }
  const modules = [...byModule.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([k, t]) => `  ${((t / busy) * 100).toFixed(1).padStart(5)}%  ${k}`);
  return [`busy ${(busy / 1e6).toFixed(1)} s of ${(total / 1e6).toFixed(1)} s sampled; top self time:`, ...lines, 'self time by package (native frames counted for their caller):', ...modules].join('\n');
}

/** `pg`, `@grpc/grpc-js`, `node:http2/core`, `services/story/dist/…` for a profile frame's url. */
function moduleOf(url: string): string {
  const path = url.replace(/^file:\/\//, '');
  const pkg = /node_modules\/\.pnpm\/[^/]+\/node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
  if (pkg) return pkg[1]!;
  if (path.startsWith('node:')) return path.replace(/^node:(internal\/)?/, 'node:').split('/').slice(0, 2).join('/');
  return path.replace(repoRoot + '/', '');
}

// ---------------------------------------------------------------------------------------------

/** The bench's own servers, by the names BENCH_PROFILE and BENCH_SERVICE_ENV use for them. */
const OWN_SERVERS = new Set(['baseline', 'floor-story', 'floor-front']);

/** A bench-only server (baseline or floor) as its own process; resolves once it prints its port. */
function startBenchServer(script: string, args: string[], env: Record<string, string>, logFile: string): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, ['--import', './shared/testing/src/bench/register-ts.mjs', script, ...args], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      appendFileSync(logFile, chunk);
      out += chunk.toString();
      const line = /\{"port":(\d+)\}/.exec(out);
      if (line) resolve({ child, port: Number(line[1]) });
    });
    child.once('exit', (code) => reject(new Error(`${script} ${args.join(' ')} exited (${code})`)));
  });
}

async function json(url: string, init: RequestInit = {}): Promise<{ status: number; body: Record<string, unknown>; bytes: number }> {
  const res = await fetch(url, { ...init, headers: { 'content-type': 'application/json', ...(init.headers ?? {}) } });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {}, bytes: Buffer.byteLength(text) };
}

/** A story text of about `chars` characters (sentences with a few names and feelings). */
function storyText(chars: number): string {
  const sentences = [
    'Mara climbed the tower stairs as the storm rolled in from the west.',
    'Her brother Tomas waited below, afraid of the dark water.',
    'She lit the great lamp and felt a fierce joy rise in her chest.',
    'Far out at sea, a small boat turned towards the light.',
  ];
  let text = '';
  for (let i = 0; text.length < chars; i++) text += `${sentences[i % sentences.length]} `;
  return text.slice(0, chars).trim();
}

function fmt(name: string, r: LoadResult, cpu: Record<string, number>): string {
  const l = r.latencyMs;
  const cpuText = Object.entries(cpu)
    .map(([k, v]) => `${k} ${v}%`)
    .join(', ');
  const errors = r.errors > 0 ? ` errors ${r.errors} ${JSON.stringify(r.statuses)}` : '';
  const perRequest = Object.entries(cpu)
    .filter(([k, v]) => v >= 5 && k !== 'others' && r.rps > 0)
    .map(([k, v]) => `${k} ${((v * 10) / r.rps).toFixed(3)} ms`)
    .join(', ');
  return (
    `${name.padEnd(22)} ${String(r.rps).padStart(6)} req/s  p50 ${l.p50} ms  p90 ${l.p90} ms  p99 ${l.p99} ms  max ${l.max} ms${errors}\n` +
    `${' '.repeat(23)}CPU (% of one core): ${cpuText}\n${' '.repeat(23)}CPU per request: ${perRequest}`
  );
}

export async function runStoriesBench(options: StoriesBenchOptions): Promise<{ result: StoriesBenchResult; details: StoriesBenchDetails }> {
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const { databaseName } = options;

  // A scratch database provisioned like the fleet's, and a run id for topics and logs.
  await dropDatabase(databaseName, { force: true });
  await ensureDatabase(databaseName);
  await provisionServices(databaseName, [
    { name: 'identity', schema: 'identity' },
    { name: 'subscription', schema: 'subscription' },
    { name: 'story', schema: 'story' },
  ]);
  const runId = newRunId();
  process.env[TEST_ENV_VARIABLE] = JSON.stringify({
    runId,
    databaseName,
    adminUrl: adminUrl(databaseName),
    brokers: options.brokers,
    topicPrefix: topicPrefixFor(runId),
  });
  const { startFleetProcesses } = await import('../fleet-processes.js');

  log(`bench:stories: starting identity, subscription, story, gateway (compiled dist/) on ${databaseName}, run ${runId}`);
  const profiled = new Set(options.profile ?? []);
  const gcLogged = new Set(options.gcLog ?? []);
  const profileDir = profiled.size + gcLogged.size > 0 ? mkdtempSync(join(os.tmpdir(), 'bench-stories-prof-')) : '';
  const defaultEntry = (service: string, kind: 'main' | 'migrate'): string => join(repoRoot, 'services', service, 'dist', 'src', `${kind}.js`);
  const fleet = await startFleetProcesses({
    isolated: false, // the bench's run is its own scratch database already
    // subscription: story asks it before creating the bench's story (not on the measured reads).
    services: ['identity', 'subscription', 'story', 'gateway'],
    env: { LOG_LEVEL: 'warn', DATABASE_POOL_MAX: String(options.poolSize) },
    serviceOverrides: {
      ...Object.fromEntries(Object.entries(options.serviceEnv ?? {}).filter(([name]) => !OWN_SERVERS.has(name))),
      // The bench's own rate limits: one user sends every request.
      gateway: { RATE_LIMIT_PER_MINUTE: '1000000', RATE_LIMIT_AUTH_PER_MINUTE: '1000', ...(options.serviceEnv?.gateway ?? {}) },
    },
    readyTimeoutMs: 90_000,
    entry: (service, kind) =>
      kind === 'main' && (profiled.has(service) || gcLogged.has(service))
        ? diagnosticEntry(profileDir, service, defaultEntry(service, kind), { profile: profiled.has(service), gc: gcLogged.has(service) })
        : defaultEntry(service, kind),
  });
  const benchServers: ChildProcess[] = [];
  // The bench's own servers' output (BENCH_SERVICE_ENV can give them flags that print).
  const benchLogs = join(repoRoot, '.data', 'logs', 'bench', `stories-${runId}`);
  mkdirSync(benchLogs, { recursive: true });
  const ownPids = new Map<string, number | undefined>();
  // `name` is what BENCH_PROFILE calls it (floor-story, floor-front, baseline).
  const startOwn = async (name: string, script: string, args: string[], env: Record<string, string>) => {
    const path = join(repoRoot, 'shared', 'testing', 'src', 'bench', script);
    const entry = profiled.has(name) ? diagnosticEntry(profileDir, name, path, { profile: true, gc: false }) : path;
    const started = await startBenchServer(entry, args, { ...env, ...(options.serviceEnv?.[name] ?? {}) }, join(benchLogs, `${name}.log`));
    ownPids.set(name, started.child.pid);
    benchServers.push(started.child);
    return started;
  };
  try {
    const gatewayUrl = fleet.gatewayUrl!;
    // A member and one story of theirs: the row both sides read.
    const email = `bench.${runId}@example.com`;
    const registered = await json(`${gatewayUrl}/api/v1/auth/register`, {
      method: 'POST',
      body: JSON.stringify({ email, password: 'bench password 1234', displayName: 'Bench Author' }),
    });
    if (registered.status !== 201) throw new Error(`register answered ${registered.status}: ${JSON.stringify(registered.body)}`);
    const token = String(registered.body.accessToken);
    const auth = { authorization: `Bearer ${token}` };
    // The free subscription arrives through identity's UserRegistered; story's quota check needs it.
    const subscribed = Date.now() + 30_000;
    while ((await json(`${gatewayUrl}/api/v1/subscription`, { headers: auth })).status !== 200) {
      if (Date.now() > subscribed) throw new Error('the free subscription did not arrive within 30 s');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    // story asks subscription for the quota first; on a loaded machine that call can time out
    // (503): setup, not a measured request, so it is retried for up to 30 s.
    const createStory = () =>
      json(`${gatewayUrl}/api/v1/stories`, {
        method: 'POST',
        headers: auth,
        body: JSON.stringify({ title: 'The Lighthouse Keeper', content: storyText(options.contentChars) }),
      });
    let created = await createStory();
    for (const giveUp = Date.now() + 30_000; created.status === 503 && Date.now() < giveUp; ) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      created = await createStory();
    }
    if (created.status !== 201) throw new Error(`create story answered ${created.status}: ${JSON.stringify(created.body)}`);
    const storyId = String(created.body.id);
    const path = `/api/v1/stories/${storyId}`;

    const storyDatabase = { DATABASE_URL: databaseUrlFor('story', databaseName), DATABASE_SCHEMA: 'story', POOL_SIZE: String(options.poolSize) };
    const baseline = await startOwn('baseline', 'stories-baseline-server.ts', [], storyDatabase);
    const floorStory = await startOwn('floor-story', 'stories-floor.ts', ['story'], storyDatabase);
    const floorFront = await startOwn('floor-front', 'stories-floor.ts', ['front'], { STORY_ADDRESS: `127.0.0.1:${floorStory.port}` });

    // Same answer from every side (neither does less work by answering less).
    const viaGateway = await json(`${gatewayUrl}${path}`, { headers: auth });
    const viaBaseline = await json(`http://127.0.0.1:${baseline.port}${path}`);
    const viaFloor = await json(`http://127.0.0.1:${floorFront.port}${path}`);
    for (const [side, answer] of [['baseline', viaBaseline], ['floor', viaFloor]] as const) {
      if (viaGateway.status !== 200 || answer.status !== 200) throw new Error(`GET answered ${viaGateway.status} (gateway) / ${answer.status} (${side})`);
      if (JSON.stringify(viaGateway.body) !== JSON.stringify(answer.body)) {
        throw new Error(`the ${side} answers another body than the gateway:\n${JSON.stringify(viaGateway.body).slice(0, 300)}\n${JSON.stringify(answer.body).slice(0, 300)}`);
      }
    }

    const gatewayTarget: Target = { host: '127.0.0.1', port: Number(new URL(gatewayUrl).port), path, headers: auth };
    const baselineTarget: Target = { host: '127.0.0.1', port: baseline.port, path };
    const floorTarget: Target = { host: '127.0.0.1', port: floorFront.port, path };
    const pid = (name: string) => () => [fleet.services[name]!.pid];
    const groups: Groups = {
      gateway: pid('gateway'),
      story: pid('story'),
      identity: pid('identity'),
      baseline: () => (baseline.child.pid ? [baseline.child.pid] : []),
      // The floor's two processes apart, so each reads against its counterpart (gateway, story).
      'floor front': () => (floorFront.child.pid ? [floorFront.child.pid] : []),
      'floor story': () => (floorStory.child.pid ? [floorStory.child.pid] : []),
      postgres: () => pidsNamed('postgres'),
      kafka: () => pidsNamed('java'),
    };
    const ms = (s: number) => Math.round(s * 1000);

    log(
      `bench:stories: ${options.connections} connections, ${options.warmupSeconds} s warm-up + ${options.seconds} s per side; ` +
        `response ${viaGateway.bytes} bytes; ${os.cpus().length} CPUs, load average ${os.loadavg()[0]!.toFixed(2)}`,
    );
    await closedLoop(gatewayTarget, options.connections, ms(options.warmupSeconds));
    // Each profile covers its own side's measured phase: the fleet's services the gateway's,
    // baseline and floor-* theirs.
    const toggleProfiles = (side: 'fleet' | 'baseline' | 'floor', phase: 'max' | 'latency' = 'max'): void => {
      if (phase !== (options.profilePhase ?? 'max')) return;
      for (const service of profiled) {
        const own = ownPids.get(service);
        const mine = own === undefined ? side === 'fleet' : service.startsWith(side);
        const target = own ?? fleet.services[service]?.pid;
        if (mine && target) process.kill(target, 'SIGWINCH');
      }
    };
    toggleProfiles('fleet');
    const gatewayMax = await withCpu(groups, () => closedLoop(gatewayTarget, options.connections, ms(options.seconds)));
    toggleProfiles('fleet');
    log(fmt('gateway (max)', gatewayMax, gatewayMax.cpu));

    await closedLoop(baselineTarget, options.connections, ms(options.warmupSeconds));
    toggleProfiles('baseline');
    const baselineMax = await withCpu(groups, () => closedLoop(baselineTarget, options.connections, ms(options.seconds)));
    toggleProfiles('baseline');
    log(fmt('baseline (max)', baselineMax, baselineMax.cpu));

    await closedLoop(floorTarget, options.connections, ms(options.warmupSeconds));
    toggleProfiles('floor');
    const floorMax = await withCpu(groups, () => closedLoop(floorTarget, options.connections, ms(options.seconds)));
    toggleProfiles('floor');
    log(fmt('floor (max)', floorMax, floorMax.cpu));

    const offered = Math.max(1, Math.round(gatewayMax.rps * options.latencyLoad));
    await sleep(500);
    // One second of the same load first (sockets opened, steady state), then the measured part.
    // The first seconds at the rate are sent, not recorded, as every phase has its warm-up: the
    // fleet sat idle through the baseline and floor phases, and the idle reclaim (ADR 0037) may
    // have shrunk its young generation meanwhile.
    const latency = await withCpu(groups, () => openLoop(gatewayTarget, offered, ms(options.latencySeconds), 256, ms(options.warmupSeconds), () => toggleProfiles('fleet', 'latency')));
    toggleProfiles('fleet', 'latency');
    log(fmt(`gateway @ ${offered} req/s`, latency, latency.cpu));
    // The floor at the same offered rate: the tail the two hops alone have at that load here.
    await sleep(500);
    const floorLatency = await withCpu(groups, () => openLoop(floorTarget, offered, ms(options.latencySeconds), 256, ms(options.warmupSeconds), () => toggleProfiles('floor', 'latency')));
    toggleProfiles('floor', 'latency');
    log(fmt(`floor @ ${offered} req/s`, floorLatency, floorLatency.cpu));

    const result: StoriesBenchResult = {
      gatewayRps: gatewayMax.rps,
      baselineRps: baselineMax.rps,
      ratio: baselineMax.rps > 0 ? Math.round((gatewayMax.rps / baselineMax.rps) * 1000) / 1000 : 0,
      p99Ms: latency.latencyMs.p99,
    };
    const { log: _log, brokers: _brokers, ...settings } = options;
    const details: StoriesBenchDetails = {
      machine: {
        cpus: os.cpus().length,
        cpuModel: os.cpus()[0]?.model ?? 'unknown',
        memoryGb: Math.round(os.totalmem() / 1024 ** 3),
        node: process.version,
        platform: `${os.platform()} ${os.release()}`,
        loadAverage1m: Math.round(os.loadavg()[0]! * 100) / 100,
      },
      settings,
      responseBytes: { gateway: viaGateway.bytes, baseline: viaBaseline.bytes, floor: viaFloor.bytes },
      gatewayMax,
      baselineMax,
      floorMax,
      floorRatio: baselineMax.rps > 0 ? Math.round((floorMax.rps / baselineMax.rps) * 1000) / 1000 : 0,
      gatewayToFloor: floorMax.rps > 0 ? Math.round((gatewayMax.rps / floorMax.rps) * 1000) / 1000 : 0,
      gatewayLatency: { ...latency, offeredRps: offered },
      floorLatency: { ...floorLatency, offeredRps: offered },
    };
    return { result, details };
  } finally {
    for (const child of benchServers) child.kill('SIGTERM');
    await fleet.stop();
    await dropDatabase(databaseName, { force: true }).catch(() => undefined);
    for (const service of profiled) {
      const file = join(profileDir, `${service}.cpuprofile`);
      try {
        log(`profile of ${service} (${file}):\n${summariseProfile(file)}`);
      } catch (err) {
        log(`no profile of ${service}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  }
}
