// The idle memory reclaimer (src/app/idle-memory.ts): when it gives memory back, and that the GC
// it uses does shrink V8's young generation on this Node (checked in a fresh process).
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { jest } from '@jest/globals';
import { DEFAULT_IDLE_MEMORY_POLICY, idleMemoryReclaimEnabled, shouldReclaimIdleMemory, startIdleMemoryReclaimer, type IdleMemoryPolicy } from '../../src/app/idle-memory.js';

const MB = 1024 * 1024;
const policy: IdleMemoryPolicy = { intervalMs: 5000, maxUtilization: 0.1, minGrowthBytes: 32 * MB, minSpacingMs: 300_000 };

describe('shouldReclaimIdleMemory', () => {
  const never = { lastReclaimAt: null, rssAfterLastReclaim: null };

  it('reclaims once the service is idle after its start', () => {
    expect(shouldReclaimIdleMemory(policy, never, { at: 10_000, utilization: 0.02, rssBytes: 200 * MB })).toBe(true);
  });

  it('never while the event loop is busy', () => {
    expect(shouldReclaimIdleMemory(policy, never, { at: 10_000, utilization: 0.1, rssBytes: 200 * MB })).toBe(false);
    expect(shouldReclaimIdleMemory(policy, never, { at: 10_000, utilization: 0.9, rssBytes: 400 * MB })).toBe(false);
  });

  it('again only after the spacing and when the resident set grew by the threshold', () => {
    const after = { lastReclaimAt: 10_000, rssAfterLastReclaim: 140 * MB };
    // Grown, but too soon.
    expect(shouldReclaimIdleMemory(policy, after, { at: 10_000 + 299_999, utilization: 0, rssBytes: 250 * MB })).toBe(false);
    // Late enough, but not grown enough.
    expect(shouldReclaimIdleMemory(policy, after, { at: 10_000 + 300_000, utilization: 0, rssBytes: 171 * MB })).toBe(false);
    // Both.
    expect(shouldReclaimIdleMemory(policy, after, { at: 10_000 + 300_000, utilization: 0, rssBytes: 172 * MB })).toBe(true);
  });

  it('has defaults that check often and reclaim rarely', () => {
    expect(DEFAULT_IDLE_MEMORY_POLICY.intervalMs).toBeLessThanOrEqual(5000);
    expect(DEFAULT_IDLE_MEMORY_POLICY.minSpacingMs).toBeGreaterThanOrEqual(60_000);
  });
});

describe('idleMemoryReclaimEnabled', () => {
  it('is on unless IDLE_MEMORY_RECLAIM=off', () => {
    expect(idleMemoryReclaimEnabled({})).toBe(true);
    expect(idleMemoryReclaimEnabled({ IDLE_MEMORY_RECLAIM: 'on' })).toBe(true);
    expect(idleMemoryReclaimEnabled({ IDLE_MEMORY_RECLAIM: 'off' })).toBe(false);
    expect(idleMemoryReclaimEnabled({ IDLE_MEMORY_RECLAIM: ' OFF ' })).toBe(false);
  });
});

describe('startIdleMemoryReclaimer', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  it('checks every interval and reclaims when idle, not when busy', () => {
    jest.useFakeTimers({ now: 0 });
    const utilizations = [0.5, 0.3, 0.01, 0.01, 0.01];
    const reclaim = jest.fn<() => void>();
    let rss = 200 * MB;
    const reclaimer = startIdleMemoryReclaimer({
      policy,
      utilization: () => utilizations.shift() ?? 0,
      rssBytes: () => rss,
      reclaim: () => {
        reclaim();
        rss = 140 * MB;
      },
    });
    jest.advanceTimersByTime(policy.intervalMs * 2);
    expect(reclaim).not.toHaveBeenCalled(); // busy (start finishing)
    jest.advanceTimersByTime(policy.intervalMs);
    expect(reclaim).toHaveBeenCalledTimes(1); // idle
    jest.advanceTimersByTime(policy.intervalMs * 2);
    expect(reclaim).toHaveBeenCalledTimes(1); // idle, nothing grew
    expect(reclaimer.reclaims).toBe(1);
    reclaimer.stop();
    rss = 400 * MB;
    jest.advanceTimersByTime(policy.minSpacingMs * 2);
    expect(reclaim).toHaveBeenCalledTimes(1); // stopped
  });

  it('a failing reclaim is logged and does not stop the checks', () => {
    jest.useFakeTimers({ now: 0 });
    const warn = jest.fn();
    let calls = 0;
    const reclaimer = startIdleMemoryReclaimer({
      policy: { ...policy, minSpacingMs: 0, minGrowthBytes: 0 },
      utilization: () => 0,
      rssBytes: () => 200 * MB,
      reclaim: () => {
        calls += 1;
        throw new Error('no gc');
      },
      log: { info: jest.fn(), warn },
    });
    jest.advanceTimersByTime(policy.intervalMs * 2);
    expect(calls).toBe(2);
    expect(warn).toHaveBeenCalledTimes(2);
    reclaimer.stop();
  });
});

describe('reclaimIdleMemory in a fresh process', () => {
  it('shrinks a young generation the allocations grew, and leaves no global gc()', () => {
    const here = path.dirname(fileURLToPath(import.meta.url));
    const registerTs = path.resolve(here, '../../../testing/src/bench/register-ts.mjs');
    const module = path.resolve(here, '../../src/app/idle-memory.ts');
    const script = `
      import v8 from 'node:v8';
      const { reclaimIdleMemory } = await import(${JSON.stringify(module)});
      const newSpace = () => v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size;
      // Objects that survive a few scavenges grow the young generation, as a service's start does.
      const keep = [];
      for (let round = 0; round < 40; round++) {
        keep.push(Array.from({ length: 20000 }, (_, i) => ({ round, i, text: 'x'.repeat(32) + i })));
        if (keep.length > 8) keep.shift();
      }
      keep.length = 0;
      const before = newSpace();
      reclaimIdleMemory();
      process.stdout.write(JSON.stringify({ before, after: newSpace(), globalGc: typeof globalThis.gc }));
    `;
    const result = spawnSync(process.execPath, ['--import', registerTs, '--input-type=module', '-e', script], {
      cwd: path.resolve(here, '../..'),
      encoding: 'utf8',
      timeout: 60_000,
    });
    if (result.status !== 0) throw new Error(`node exited ${result.status}: ${result.stderr}`);
    const { before, after, globalGc } = JSON.parse(result.stdout) as { before: number; after: number; globalGc: string };
    expect(before).toBeGreaterThanOrEqual(16 * MB);
    expect(after).toBeLessThanOrEqual(2 * MB);
    expect(globalGc).toBe('undefined');
  }, 90_000);
});
