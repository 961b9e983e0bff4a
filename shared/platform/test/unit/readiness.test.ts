import { ReadinessRegistry } from '@storytelling/platform';

const up = async (): Promise<void> => undefined;
const down = async (): Promise<void> => {
  throw new Error('connection refused');
};

describe('ReadinessRegistry', () => {
  it('is ready when every required check passes, whatever optional checks say; reports both', async () => {
    const registry = new ReadinessRegistry();
    registry.register({ name: 'database', check: up });
    registry.register({ name: 'story', check: down, required: false });
    expect(await registry.report()).toEqual({
      ready: true,
      checks: { database: { ok: true }, story: { ok: false, error: 'connection refused', optional: true } },
    });
  });

  it('is not ready when a required check fails or times out, or while shutting down', async () => {
    const failing = new ReadinessRegistry();
    failing.register({ name: 'database', check: down });
    expect((await failing.report()).ready).toBe(false);

    const slow = new ReadinessRegistry();
    slow.register({ name: 'kafka', check: () => new Promise<void>((resolve) => setTimeout(resolve, 500)) });
    expect(await slow.report(50)).toEqual({ ready: false, checks: { kafka: { ok: false, error: 'kafka check timed out after 50 ms' } } });

    const draining = new ReadinessRegistry();
    draining.register({ name: 'database', check: up });
    draining.markShuttingDown();
    expect((await draining.report()).ready).toBe(false);
  });
});
