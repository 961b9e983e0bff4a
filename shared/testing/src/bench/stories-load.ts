// A small HTTP/1.1 load generator for `npm run bench:stories`: keep-alive sockets, one request
// in flight per socket (no pipelining), a precomputed request, and a minimal response parser
// (status line, Content-Length or chunked). It costs far less CPU per request than node's http
// client, which matters when client and servers share a few cores.
//   closedLoop: every connection sends its next request when the previous answer arrives, for a
//               fixed duration: the maximum throughput at that concurrency.
//   openLoop:   requests are due at a fixed rate whatever happens; latency is measured from the
//               moment a request was due (not when a socket became free), so queueing behind a
//               slow answer counts (no coordinated omission).
import net from 'node:net';
import { performance } from 'node:perf_hooks';

export interface Target {
  host: string;
  port: number;
  path: string;
  headers?: Record<string, string>;
}

export interface LoadResult {
  /** Answers with status 200 per second. */
  rps: number;
  ok: number;
  /** Answers with another status, and socket errors. */
  errors: number;
  /** Status codes other than 200 seen, with counts. */
  statuses: Record<string, number>;
  durationMs: number;
  latencyMs: { p50: number; p90: number; p99: number; p999: number; max: number; mean: number };
}

const CRLF2 = Buffer.from('\r\n\r\n');

function requestBuffer(target: Target): Buffer {
  const lines = [`GET ${target.path} HTTP/1.1`, `Host: ${target.host}:${target.port}`, 'Connection: keep-alive', 'Accept: application/json'];
  for (const [k, v] of Object.entries(target.headers ?? {})) lines.push(`${k}: ${v}`);
  return Buffer.from(`${lines.join('\r\n')}\r\n\r\n`);
}

/** One keep-alive connection that answers each request's completion through `onDone`. */
class Connection {
  private socket: net.Socket | undefined;
  private buffer: Buffer = Buffer.alloc(0);
  private startedAt = 0;
  private headerEnd = -1;
  private bodyLength = -1;
  private chunked = false;
  private status = 0;
  busy = false;
  closed = false;

  constructor(
    private readonly target: Target,
    private readonly request: Buffer,
    private readonly onDone: (conn: Connection, status: number, startedAt: number) => void,
  ) {}

  private connect(): net.Socket {
    const socket = net.connect({ host: this.target.host, port: this.target.port, noDelay: true });
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    const fail = (): void => {
      if (this.socket !== socket) return;
      this.socket = undefined;
      if (this.busy) this.finish(0);
    };
    socket.on('error', fail);
    socket.on('close', fail);
    return socket;
  }

  send(startedAt: number): void {
    if (this.closed) return;
    this.busy = true;
    this.startedAt = startedAt;
    this.buffer = Buffer.alloc(0);
    this.headerEnd = -1;
    this.bodyLength = -1;
    this.chunked = false;
    this.socket ??= this.connect();
    this.socket.write(this.request);
  }

  private onData(chunk: Buffer): void {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    if (this.headerEnd < 0) {
      const end = this.buffer.indexOf(CRLF2);
      if (end < 0) return;
      this.headerEnd = end + 4;
      const head = this.buffer.subarray(0, end).toString('latin1');
      this.status = Number(head.slice(9, 12));
      const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
      this.chunked = /\r\ntransfer-encoding:\s*chunked/i.test(head);
      this.bodyLength = length ? Number(length[1]) : this.status === 204 || this.status === 304 ? 0 : -1;
    }
    const body = this.buffer.length - this.headerEnd;
    if (this.chunked) {
      if (this.buffer.subarray(this.buffer.length - 5).toString('latin1') === '0\r\n\r\n') this.finish(this.status);
    } else if (this.bodyLength >= 0 && body >= this.bodyLength) {
      this.finish(this.status);
    }
  }

  private finish(status: number): void {
    this.busy = false;
    this.buffer = Buffer.alloc(0);
    this.onDone(this, status, this.startedAt);
  }

  close(): void {
    this.closed = true;
    this.socket?.destroy();
    this.socket = undefined;
  }
}

class Recorder {
  private latencies: Float64Array;
  private n = 0;
  ok = 0;
  errors = 0;
  statuses: Record<string, number> = {};

  constructor(capacity: number) {
    this.latencies = new Float64Array(capacity);
  }

  record(status: number, latencyMs: number): void {
    if (status === 200) {
      this.ok += 1;
      if (this.n === this.latencies.length) {
        const bigger = new Float64Array(this.latencies.length * 2);
        bigger.set(this.latencies);
        this.latencies = bigger;
      }
      this.latencies[this.n++] = latencyMs;
    } else {
      this.errors += 1;
      const key = status === 0 ? 'socket' : String(status);
      this.statuses[key] = (this.statuses[key] ?? 0) + 1;
    }
  }

  result(durationMs: number): LoadResult {
    const sorted = this.latencies.slice(0, this.n).sort();
    const at = (q: number): number => (sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!);
    let sum = 0;
    for (const v of sorted) sum += v;
    const round = (v: number): number => Math.round(v * 1000) / 1000;
    return {
      rps: Math.round((this.ok / durationMs) * 1000),
      ok: this.ok,
      errors: this.errors,
      statuses: this.statuses,
      durationMs: Math.round(durationMs),
      latencyMs: {
        p50: round(at(0.5)),
        p90: round(at(0.9)),
        p99: round(at(0.99)),
        p999: round(at(0.999)),
        max: round(sorted.length ? sorted[sorted.length - 1]! : 0),
        mean: round(sorted.length ? sum / sorted.length : 0),
      },
    };
  }
}

/** Maximum throughput: `connections` requests always in flight for `durationMs`. */
export function closedLoop(target: Target, connections: number, durationMs: number): Promise<LoadResult> {
  const request = requestBuffer(target);
  const recorder = new Recorder(1 << 16);
  return new Promise((resolve) => {
    let stopping = false;
    let inFlight = 0;
    const began = performance.now();
    let ended = 0;
    const conns: Connection[] = [];
    const onDone = (conn: Connection, status: number, startedAt: number): void => {
      const now = performance.now();
      inFlight -= 1;
      if (!stopping) {
        recorder.record(status, now - startedAt);
        inFlight += 1;
        conn.send(performance.now());
      } else if (inFlight === 0) {
        for (const c of conns) c.close();
        resolve(recorder.result(ended - began));
      }
    };
    for (let i = 0; i < connections; i++) conns.push(new Connection(target, request, onDone));
    for (const c of conns) {
      inFlight += 1;
      c.send(performance.now());
    }
    setTimeout(() => {
      stopping = true;
      ended = performance.now();
    }, durationMs);
  });
}

/**
 * `rate` requests per second for `durationMs`, on up to `maxConnections` sockets (requests wait
 * for a free socket when all are busy; their waiting counts in their latency). Requests due in
 * the first `warmupMs` (opening sockets, reaching a steady state) are sent but not recorded;
 * `onMeasuring` is called when the recorded part begins.
 */
export function openLoop(target: Target, rate: number, durationMs: number, maxConnections: number, warmupMs = 0, onMeasuring?: () => void): Promise<LoadResult> {
  const request = requestBuffer(target);
  const total = Math.max(1, Math.round((rate * (durationMs + warmupMs)) / 1000));
  const recorder = new Recorder(total);
  const intervalMs = 1000 / rate;
  return new Promise((resolve) => {
    const idle: Connection[] = [];
    const conns: Connection[] = [];
    /** Due times of requests waiting for a socket (FIFO). */
    const waiting: number[] = [];
    let waitingHead = 0;
    let scheduled = 0;
    let completed = 0;
    const began = performance.now();
    const measuredFrom = began + warmupMs;

    const onDone = (conn: Connection, status: number, dueAt: number): void => {
      if (dueAt >= measuredFrom) recorder.record(status, performance.now() - dueAt);
      completed += 1;
      if (waitingHead < waiting.length) conn.send(waiting[waitingHead++]!);
      else idle.push(conn);
      if (completed === total) {
        clearTimeout(timer);
        for (const c of conns) c.close();
        resolve(recorder.result(performance.now() - measuredFrom));
      }
    };
    const dispatch = (dueAt: number): void => {
      let conn = idle.pop();
      if (!conn && conns.length < maxConnections) {
        conn = new Connection(target, request, onDone);
        conns.push(conn);
      }
      if (conn) conn.send(dueAt);
      else waiting.push(dueAt);
    };
    let timer: NodeJS.Timeout;
    let measuring = false;
    const tick = (): void => {
      const now = performance.now();
      if (!measuring && now >= measuredFrom) {
        measuring = true;
        onMeasuring?.();
      }
      while (scheduled < total && began + scheduled * intervalMs <= now) {
        dispatch(began + scheduled * intervalMs);
        scheduled += 1;
      }
      if (scheduled < total) timer = setTimeout(tick, Math.max(0, Math.min(1, began + scheduled * intervalMs - performance.now())));
    };
    tick();
  });
}
