// Gives back, once a service is idle, the memory its start grew and no longer uses
// (docs/adr/0037-idle-memory-reclaim.md). Node 24's V8 lets the young generation grow to 64-128 MB
// during the start's burst of allocations and keeps those pages resident even after it shrinks
// the space; one memory-reducing full GC (V8's "last resort" flavour: it shrinks new space and
// releases the pooled pages) takes 40-60 MB off each idle service. It runs only after a whole
// interval of an idle event loop, so a busy service keeps its large young generation (fewer
// scavenges: capping it instead cost 8-28 % CPU per event, docs/benchmarks.md).
import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import v8 from 'node:v8';
import vm from 'node:vm';
import { getLogger } from '../logging/logger.js';

export interface IdleMemoryPolicy {
  /** How often the event loop's utilization is looked at (ms). */
  intervalMs: number;
  /** Idle means: the event loop was busy less than this share (0-1) of the last interval. */
  maxUtilization: number;
  /** After the first reclaim, again only when the resident set grew this much since (bytes). */
  minGrowthBytes: number;
  /** At least this long between two reclaims (ms). */
  minSpacingMs: number;
}

export const DEFAULT_IDLE_MEMORY_POLICY: Readonly<IdleMemoryPolicy> = Object.freeze({
  intervalMs: 2000,
  // An idle service measured 0.5-6 % (Kafka fetch loops, metrics) on a loaded 2-core machine.
  maxUtilization: 0.1,
  minGrowthBytes: 32 * 1024 * 1024,
  minSpacingMs: 5 * 60_000,
});

export interface IdleMemoryState {
  lastReclaimAt: number | null;
  rssAfterLastReclaim: number | null;
}

/** IDLE_MEMORY_RECLAIM=off turns it off (an operator's switch; on by default). */
export function idleMemoryReclaimEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.IDLE_MEMORY_RECLAIM?.trim().toLowerCase() !== 'off';
}

/** Whether to reclaim now: idle over the last interval, and the first time or grown since the last. */
export function shouldReclaimIdleMemory(policy: IdleMemoryPolicy, state: IdleMemoryState, now: { at: number; utilization: number; rssBytes: number }): boolean {
  if (!(now.utilization < policy.maxUtilization)) return false;
  if (state.lastReclaimAt === null || state.rssAfterLastReclaim === null) return true;
  if (now.at - state.lastReclaimAt < policy.minSpacingMs) return false;
  return now.rssBytes - state.rssAfterLastReclaim >= policy.minGrowthBytes;
}

type GcFunction = (options?: { type?: 'major' | 'minor'; execution?: 'sync' | 'async'; flavor?: 'regular' | 'last-resort' }) => void;

let gcFunction: GcFunction | undefined;

/**
 * V8's gc(), without exposing it to the rest of the process: with --expose-gc set, V8 installs it
 * in contexts created from then on, so it is taken from a fresh context and the flag is reset (as
 * jest's leak detector does). A process started with --expose-gc already has it.
 */
function gc(): GcFunction {
  if (gcFunction) return gcFunction;
  const existing: unknown = (globalThis as { gc?: unknown }).gc;
  if (typeof existing === 'function') return (gcFunction = existing as GcFunction);
  v8.setFlagsFromString('--expose-gc');
  try {
    const fn: unknown = vm.runInNewContext('gc');
    if (typeof fn !== 'function') throw new Error('V8 did not expose gc()');
    return (gcFunction = fn as GcFunction);
  } finally {
    v8.setFlagsFromString('--no-expose-gc');
  }
}

/** One memory-reducing full GC, synchronously (blocks the event loop ~50-200 ms). */
export function reclaimIdleMemory(): void {
  gc()({ type: 'major', execution: 'sync', flavor: 'last-resort' });
}

interface ReclaimLog {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

export interface IdleMemoryReclaimerOptions {
  policy?: Partial<IdleMemoryPolicy>;
  log?: ReclaimLog;
  /** For tests: the event loop's utilization since the previous call. */
  utilization?: () => number;
  rssBytes?: () => number;
  reclaim?: () => void;
}

export interface IdleMemoryReclaimer {
  readonly reclaims: number;
  stop(): void;
}

function eventLoopUtilizationSinceLastCall(): () => number {
  let last: EventLoopUtilization = performance.eventLoopUtilization();
  return () => {
    const now = performance.eventLoopUtilization();
    const delta = performance.eventLoopUtilization(now, last);
    last = now;
    return delta.utilization;
  };
}

/** Checks every `intervalMs` (an unref'd timer) and reclaims when the policy says so. */
export function startIdleMemoryReclaimer(options: IdleMemoryReclaimerOptions = {}): IdleMemoryReclaimer {
  const policy: IdleMemoryPolicy = { ...DEFAULT_IDLE_MEMORY_POLICY, ...options.policy };
  const log = options.log ?? getLogger('idle-memory');
  const utilization = options.utilization ?? eventLoopUtilizationSinceLastCall();
  const rssBytes = options.rssBytes ?? (() => process.memoryUsage.rss());
  const reclaim = options.reclaim ?? reclaimIdleMemory;
  const state: IdleMemoryState = { lastReclaimAt: null, rssAfterLastReclaim: null };
  let reclaims = 0;
  const timer = setInterval(() => {
    const at = Date.now();
    const before = rssBytes();
    if (!shouldReclaimIdleMemory(policy, state, { at, utilization: utilization(), rssBytes: before })) return;
    const started = performance.now();
    try {
      reclaim();
    } catch (err) {
      log.warn({ err: err instanceof Error ? err.message : String(err) }, 'idle memory reclaim failed');
      return;
    } finally {
      // The GC's own busy time is not the service's: the next interval starts clean.
      utilization();
    }
    const after = rssBytes();
    state.lastReclaimAt = at;
    state.rssAfterLastReclaim = after;
    reclaims += 1;
    const mb = (bytes: number): number => Math.round(bytes / 1024 / 102.4) / 10;
    log.info({ rssBeforeMb: mb(before), rssAfterMb: mb(after), ms: Math.round(performance.now() - started) }, 'idle memory reclaimed');
  }, policy.intervalMs);
  timer.unref();
  return {
    get reclaims() {
      return reclaims;
    },
    stop: () => clearInterval(timer),
  };
}
