/**
 * One trace through the fleet (issue 15, docs/observability.md): the client's request to the
 * gateway → the gRPC call to story → story's outbox row → the relay's Kafka message → the
 * consumer in notification, all under one trace id, each span the child of the one before.
 *
 * The services run as real processes (startFleetProcesses), so their spans cannot be read from
 * an in-memory exporter in this process. Instead this test is the exporter's other end: an
 * OTLP/HTTP receiver on loopback that keeps what the services' SDKs export
 * (OTEL_EXPORTER_OTLP_PROTOCOL=http/json, the standard variables, nothing test-only in the
 * services). Breaking any link (e.g. the consumer span not taking the message's traceparent as
 * parent) leaves the consumer's span outside the trace, and the test fails.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startFleetProcesses, waitUntil, type FleetProcesses } from '@storytelling/testing';

/** A span as OTLP/JSON carries it (ids in hex), with its service. */
interface ReceivedSpan {
  service: string;
  scope: string;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  kind: number;
  attributes: Record<string, unknown>;
}

const SPAN_KIND = { INTERNAL: 1, SERVER: 2, CLIENT: 3, PRODUCER: 4, CONSUMER: 5 } as const;

interface OtlpAnyValue {
  stringValue?: string;
  intValue?: string | number;
  boolValue?: boolean;
  doubleValue?: number;
}
interface OtlpKeyValue {
  key: string;
  value: OtlpAnyValue;
}
interface OtlpExport {
  resourceSpans?: Array<{
    resource?: { attributes?: OtlpKeyValue[] };
    scopeSpans?: Array<{
      scope?: { name?: string };
      spans?: Array<{ traceId: string; spanId: string; parentSpanId?: string; name: string; kind: number; attributes?: OtlpKeyValue[] }>;
    }>;
  }>;
}

function valueOf(v: OtlpAnyValue): unknown {
  return v.stringValue ?? v.intValue ?? v.boolValue ?? v.doubleValue;
}

function attributesOf(list: OtlpKeyValue[] | undefined): Record<string, unknown> {
  return Object.fromEntries((list ?? []).map((kv) => [kv.key, valueOf(kv.value)]));
}

/** The receiving end of OTLP/HTTP JSON (`POST /v1/traces`), on a free loopback port. */
async function startOtlpReceiver(): Promise<{ url: string; spans: ReceivedSpan[]; close(): Promise<void> }> {
  const spans: ReceivedSpan[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/v1/traces' || !String(req.headers['content-type']).startsWith('application/json')) {
        res.writeHead(415).end();
        return;
      }
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as OtlpExport;
      for (const rs of body.resourceSpans ?? []) {
        const service = String(attributesOf(rs.resource?.attributes)['service.name'] ?? '');
        for (const ss of rs.scopeSpans ?? []) {
          for (const s of ss.spans ?? []) {
            spans.push({
              service,
              scope: ss.scope?.name ?? '',
              traceId: s.traceId,
              spanId: s.spanId,
              parentSpanId: s.parentSpanId ?? '',
              name: s.name,
              kind: s.kind,
              attributes: attributesOf(s.attributes),
            });
          }
        }
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    spans,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('one trace from the gateway to the last consumer', () => {
  let fleet: FleetProcesses;
  let receiver: Awaited<ReturnType<typeof startOtlpReceiver>>;
  let api: string;

  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    fleet = await startFleetProcesses({
      services: ['identity', 'subscription', 'payments', 'story', 'notification', 'gateway'],
      env: {
        LOG_LEVEL: 'warn',
        RATE_LIMIT_AUTH_PER_MINUTE: '1000',
        RATE_LIMIT_PER_MINUTE: '100000',
        OTEL_TRACES_EXPORTER: 'otlp',
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_BSP_SCHEDULE_DELAY: '100',
      },
      // Six processes booting at once on a shared 2-core box can take a while.
      readyTimeoutMs: 150_000,
    });
    api = `${fleet.gatewayUrl!}/api/v1`;
  }, 240_000);

  afterAll(async () => {
    await fleet?.stop();
    await receiver?.close();
  });

  async function call(method: string, path: string, options: { token?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<{ status: number; body: Record<string, unknown> }> {
    const headers: Record<string, string> = { ...(options.headers ?? {}) };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${api}${path}`, { method, headers, ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }) });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  }

  it('POST /stories: gateway → story (gRPC) → outbox → Kafka → notification’s consumer share one trace, each span the parent of the next', async () => {
    const registered = await call('POST', '/auth/register', {
      body: { email: `tracer.${randomBytes(4).toString('hex')}@example.com`, password: 'correct horse battery', displayName: 'Tracer' },
    });
    expect(registered.status).toBe(201);
    const token = registered.body.accessToken as string;
    await waitUntil(async () => (await call('GET', '/subscription', { token })).status === 200, 30_000);

    // The client starts the trace; the gateway continues it.
    const traceId = randomBytes(16).toString('hex');
    const created = await call('POST', '/stories', {
      token,
      headers: { traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` },
      body: { title: 'A traced story', content: 'Once upon a time a request crossed the whole fleet.' },
    });
    expect(created.status).toBe(201);

    const inTrace = (): ReceivedSpan[] => receiver.spans.filter((s) => s.traceId === traceId);
    const isConsumer = (s: ReceivedSpan): boolean => s.service === 'notification' && s.kind === SPAN_KIND.CONSUMER && /story\.events$/.test(s.name);
    // Walk from notification's consumer span up to the root: every parent must be in this trace.
    const chainOfConsumer = (): ReceivedSpan[] => {
      const spans = inTrace();
      const byId = new Map(spans.map((s) => [s.spanId, s]));
      const chain: ReceivedSpan[] = [];
      for (let s = spans.find(isConsumer); s; s = s.parentSpanId ? byId.get(s.parentSpanId) : undefined) chain.unshift(s);
      return chain;
    };
    // Each process exports its spans in its own batches: the consumer's may arrive before the
    // spans of the services upstream. Wait for the chain to reach the gateway; if it never does,
    // the assertions below say where it stops.
    await waitUntil(() => chainOfConsumer()[0]?.service === 'gateway', 30_000).catch(() => undefined);
    const chain = chainOfConsumer();
    expect(chain.length).toBeGreaterThan(0);
    const describe = chain.map((s) => `${s.service}:${s.kind}:${s.name}`);

    // The root of the chain is the gateway's HTTP server span (child of the client's traceparent).
    expect(chain[0]).toMatchObject({ service: 'gateway', kind: SPAN_KIND.SERVER });
    const step = (predicate: (s: ReceivedSpan) => boolean, what: string): number => {
      const i = chain.findIndex(predicate);
      if (i < 0) throw new Error(`no ${what} in the chain: ${describe.join(' → ')}`);
      return i;
    };
    const gatewayCall = step((s) => s.service === 'gateway' && s.kind === SPAN_KIND.CLIENT && s.name.includes('StoryService/CreateStory'), "the gateway's gRPC call");
    const storyServer = step((s) => s.service === 'story' && s.kind === SPAN_KIND.SERVER, "story's gRPC server span");
    const append = step((s) => s.service === 'story' && s.name === 'outbox append', "story's outbox append");
    const publish = step((s) => s.service === 'story' && s.kind === SPAN_KIND.PRODUCER && s.name === 'publish story.story.events', "the relay's publish");
    const consume = chain.length - 1;
    const consumer = chain[consume]!;
    expect([gatewayCall < storyServer, storyServer < append, append < publish, publish < consume]).toEqual([true, true, true, true]);
    // The Kafka hop is direct: the consumer's parent is the publish span, whose parent is the append span.
    expect(consumer.parentSpanId).toBe(chain[publish]!.spanId);
    expect(chain[publish]!.parentSpanId).toBe(chain[append]!.spanId);
    expect(consumer.attributes['messaging.consumer.group.name']).toEqual(expect.stringContaining('notification'));
    // pg's instrumentation traced story's INSERT into the outbox inside the append span.
    const pgInAppend = (): boolean => inTrace().some((s) => s.service === 'story' && s.parentSpanId === chain[append]!.spanId && s.scope.includes('pg'));
    await waitUntil(pgInAppend, 10_000).catch(() => undefined);
    expect(pgInAppend()).toBe(true);
  }, 120_000);

  it('a saga joins the request’s trace: subscription’s command → payments’ handler → its reply → subscription’s handler of the reply', async () => {
    const registered = await call('POST', '/auth/register', {
      body: { email: `saga.${randomBytes(4).toString('hex')}@example.com`, password: 'correct horse battery', displayName: 'Saga' },
    });
    expect(registered.status).toBe(201);
    const token = registered.body.accessToken as string;
    await waitUntil(async () => (await call('GET', '/subscription', { token })).status === 200, 30_000);

    const traceId = randomBytes(16).toString('hex');
    const accepted = await call('POST', '/subscription', {
      token,
      headers: { traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` },
      body: { tierId: 'silver', billingCycle: 'monthly', paymentMethod: { token: 'tok_visa' } },
    });
    expect(accepted.status).toBe(202);
    await waitUntil(async () => (await call('GET', '/subscription', { token })).body.tier === 'silver', 30_000);

    const inTrace = (): ReceivedSpan[] => receiver.spans.filter((s) => s.traceId === traceId);
    const ancestorsOf = (span: ReceivedSpan, spans: ReceivedSpan[]): ReceivedSpan[] => {
      const byId = new Map(spans.map((s) => [s.spanId, s]));
      const up: ReceivedSpan[] = [];
      for (let s = byId.get(span.parentSpanId); s; s = byId.get(s.parentSpanId)) up.push(s);
      return up;
    };
    const consumerIn = (service: string, topic: RegExp) => (s: ReceivedSpan): boolean => s.service === service && s.kind === SPAN_KIND.CONSUMER && topic.test(s.name);
    // The reply's handler in subscription, below payments' handler of the command, below the gateway's request.
    const replyHandled = (): ReceivedSpan | undefined => {
      const spans = inTrace();
      return spans.find((s) => consumerIn('subscription', /payments\./)(s) && ancestorsOf(s, spans).some(consumerIn('payments', /payments\.commands$/)));
    };
    const pathToReply = (): ReceivedSpan[] => {
      const reply = replyHandled();
      return reply ? [reply, ...ancestorsOf(reply, inTrace())].reverse() : [];
    };
    // Spans arrive in per-process batches: wait until the path reaches the gateway (the assertions say where it stops if not).
    await waitUntil(() => pathToReply()[0]?.service === 'gateway', 30_000).catch(() => undefined);
    const path = pathToReply();
    expect(path.length).toBeGreaterThan(0);
    const services = path.map((s) => s.service).filter((s, i, all) => all[i - 1] !== s);
    expect(services).toEqual(['gateway', 'subscription', 'payments', 'subscription']);
    expect(path[0]).toMatchObject({ service: 'gateway', kind: SPAN_KIND.SERVER });
    expect(path.filter((s) => s.name === 'outbox append').map((s) => s.service)).toEqual(['subscription', 'payments']);
  }, 120_000);
});
