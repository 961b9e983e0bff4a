import { createServer } from 'node:net';
import { freePort, waitUntil } from '../../src/index.js';
import { newRunId, runIdCreatedAt, runIdOfTopic, testDatabaseName, topicPrefixFor } from '../../../../scripts/lib/test-run.mjs';

describe('waitUntil', () => {
  it('resolves with the first truthy value', async () => {
    let calls = 0;
    const value = await waitUntil(() => (++calls >= 3 ? { calls } : undefined), 2_000, 10);
    expect(value).toEqual({ calls: 3 });
  });

  it('keeps polling through errors and reports the last one on timeout', async () => {
    await expect(
      waitUntil(() => {
        throw new Error('still booting');
      }, 100, 10),
    ).rejects.toThrow(/timed out after 100 ms: still booting/);
  });

  it('treats false and null as "not yet"', async () => {
    await expect(waitUntil(() => false, 50, 10)).rejects.toThrow(/timed out/);
    await expect(waitUntil(async () => null, 50, 10)).rejects.toThrow(/timed out/);
  });
});

describe('freePort', () => {
  it('draws ports below the ephemeral range, never the same one twice in a process', async () => {
    // listen(0) ports (32768+) can be taken by any outgoing connection before the service binds.
    const ports = await Promise.all(Array.from({ length: 200 }, () => freePort()));
    for (const port of ports) expect(port).toBeLessThan(32_768);
    expect(new Set(ports).size).toBe(ports.length);
  });

  it('returns a port that can be listened on', async () => {
    const port = await freePort();
    expect(port).toBeGreaterThan(0);
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', resolve);
    });
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
});

describe('run ids', () => {
  it('encode their creation time and fit database and topic names', () => {
    const now = Date.UTC(2026, 10, 20, 12, 0, 0);
    const runId = newRunId(now);
    expect(runId).toMatch(/^[0-9a-z]{13}$/);
    expect(runIdCreatedAt(runId)).toBe(now);
    expect(testDatabaseName(runId)).toMatch(/^storytelling_test_[0-9a-z]+$/);
    expect(runIdOfTopic(`${topicPrefixFor(runId)}identity.user.events`)).toBe(runId);
    expect(runIdOfTopic('identity.user.events')).toBeNull();
    expect(runIdCreatedAt('not-a-run')).toBeNull();
  });

  it('are unique within the same millisecond', () => {
    const ids = new Set(Array.from({ length: 50 }, () => newRunId(1_000)));
    expect(ids.size).toBeGreaterThan(45);
  });
});
