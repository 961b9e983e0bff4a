// The gateway's own CPU per request, in one process (issue 14; docs/benchmarks.md, "Fastify A/B"):
// the gateway app with the test doubles' story port (no gRPC, no other service), GET
// /api/v1/stories/:id with a bearer token; CPU of this process (gateway + the ~20 µs load
// generator) per answered request, per round. On a machine shared with other jobs the fleet
// benchmark cannot resolve a change of the gateway alone; this can, run alternately on two trees.
// It also prints the headers and bodies of four answers (200, 401, 400, 404) to compare trees.
//   node --import ./shared/testing/src/bench/register-ts.mjs services/gateway/test/support/gateway-cpu.ts
// Environment: CPU_CONNECTIONS (8), CPU_ROUNDS (5), CPU_ROUND_MS (4000), CPU_RATE (0: closed loop;
// else an open loop at that many requests per second, so both trees do the same work per second),
// GATEWAY_TREE (another checkout's root: measure its gateway with this tool and load generator).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { uuidv7 } from '@storytelling/kernel';
import { closedLoop, openLoop } from '../../../../shared/testing/src/bench/stories-load.js';
import type * as Support from './app.js';

const CONNECTIONS = Number(process.env.CPU_CONNECTIONS ?? 8);
const ROUNDS = Number(process.env.CPU_ROUNDS ?? 5);
const ROUND_MS = Number(process.env.CPU_ROUND_MS ?? 4000);
/** Requests per second for an open loop at a fixed rate (both sides do the same work per second); 0: closed loop. */
const RATE = Number(process.env.CPU_RATE ?? 0);

const tree = process.env.GATEWAY_TREE;
const support = (tree ? await import(`${tree}/services/gateway/test/support/app.ts`) : await import('./app.js')) as typeof Support;
// Rate limits out of reach: a closed loop passes NO_RATE_LIMITS' 100,000 requests a minute within
// its rounds, and 429s are not the path measured.
const gw = await support.fakeGateway({ RATE_LIMIT_AUTH_PER_MINUTE: '1000000', RATE_LIMIT_PER_MINUTE: '1000000' });
const userId = uuidv7();
const token = await gw.identity.tokenFor('member', userId);
const now = new Date().toISOString();
const id = '01938d5e-7f00-7000-8000-000000000001';
gw.story.stories.set(id, { id, title: 'The Lighthouse Keeper', content: 'Mara climbed the tower stairs. '.repeat(66), authorId: userId, language: 'en', status: 'draft', version: 3, createdAt: now, updatedAt: now });
await gw.app.listen(0, '127.0.0.1');
const port = (gw.app.getHttpServer().address() as AddressInfo).port;
const path = `/api/v1/stories/${id}`;
const target = { host: '127.0.0.1', port, path, headers: { authorization: `Bearer ${token}` } };

// One answer of each kind, to compare the two frameworks' headers and bodies.
async function sample(p: string, headers: Record<string, string>): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path: p, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => {
        const h = Object.entries(res.headers).filter(([k]) => !['date', 'x-correlation-id'].includes(k)).map(([k, v]) => `${k}: ${String(v)}`);
        console.log(`SAMPLE ${p} -> ${res.statusCode}\n  ${h.join('\n  ')}\n  body ${body.length} bytes: ${body.slice(0, 160).replace(/"correlationId":"[^"]+"/, '"correlationId":"…"')}`);
        resolve();
      });
    }).on('error', reject);
  });
}
await sample(path, { authorization: `Bearer ${token}` });
await sample(path, {});
await sample('/api/v1/stories/not-a-uuid', { authorization: `Bearer ${token}` });
await sample('/api/v1/stories/01938d5e-7f00-7000-8000-000000000002', { authorization: `Bearer ${token}` });

await closedLoop(target, CONNECTIONS, 3000);
gw.story.reset();
const rounds: Array<{ rps: number; p99Ms: number; cpuUsPerRequest: number }> = [];
for (let i = 0; i < ROUNDS; i++) {
  const before = process.cpuUsage();
  const result = RATE > 0 ? await openLoop(target, RATE, ROUND_MS, CONNECTIONS) : await closedLoop(target, CONNECTIONS, ROUND_MS);
  const used = process.cpuUsage(before);
  gw.story.reset();
  if (result.errors > 0) throw new Error(`round ${i}: ${result.errors} errors ${JSON.stringify(result.statuses)}`);
  rounds.push({ rps: result.rps, p99Ms: result.latencyMs.p99, cpuUsPerRequest: Math.round((used.user + used.system) / result.ok) });
}
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
console.log(JSON.stringify({ rounds, medianCpuUsPerRequest: median(rounds.map((r) => r.cpuUsPerRequest)), medianRps: median(rounds.map((r) => r.rps)) }));
await gw.app.close();
