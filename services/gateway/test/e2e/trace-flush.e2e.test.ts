/**
 * The gateway exports the spans it still buffers when it is stopped (SIGTERM), so the last
 * requests before a rollout keep their traces. The batch delay is set far beyond the test's
 * length: the span can only arrive through the shutdown flush.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { freePort } from '@storytelling/platform';
import { waitUntil } from '@storytelling/testing';
import { buildServiceEnv } from '../../../../scripts/lib/service-env.mjs';
import { repoRoot } from '../../../../scripts/lib/paths.mjs';

describe('gateway shutdown', () => {
  let receiver: Server;
  const exports: string[] = [];
  let gateway: ChildProcess | undefined;

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (req.url === '/v1/traces') exports.push(Buffer.concat(chunks).toString('utf8'));
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  });

  afterAll(async () => {
    gateway?.kill('SIGKILL');
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
  });

  it('exports the spans still buffered when it receives SIGTERM', async () => {
    const port = await freePort();
    const otlp = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
    const env = {
      ...process.env,
      // No peer is needed: the request below is answered by the gateway itself (404).
      ...buildServiceEnv('gateway', { brokers: ['127.0.0.1:9'] }),
      HTTP_PORT: String(port),
      PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
      LOG_LEVEL: 'warn',
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_ENDPOINT: otlp,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_BSP_SCHEDULE_DELAY: '600000',
    };
    const child = spawn(process.execPath, [join(repoRoot, 'services', 'gateway', 'dist', 'src', 'main.js')], { env, stdio: 'ignore' });
    gateway = child;
    const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.once('exit', (code, signal) => resolve(signal ?? code)));
    const url = `http://127.0.0.1:${port}/api/v1/no-such-route`;
    await waitUntil(async () => (await fetch(url).then((r) => r.status, () => 0)) === 404, 60_000);
    const traceId = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
    expect((await fetch(url, { headers: { traceparent: `00-${traceId}-0102030405060708-01` } })).status).toBe(404);
    expect(exports.some((body) => body.includes(traceId))).toBe(false);

    child.kill('SIGTERM');
    await exited;
    expect(exports.some((body) => body.includes(traceId))).toBe(true);
  }, 90_000);
});
