import { createServer } from 'node:net';

/**
 * Ports are drawn below Linux's ephemeral range (32768+ by default): a port from listen(0) comes
 * from that range, and in the moment between picking it and a service binding it, any outgoing
 * connection on the machine (a pg or Kafka client) may take it as its local port: EADDRINUSE.
 */
const LOW = 20_000;
const HIGH = 32_000;
/** Ports this process handed out already: not handed out twice before they are bound. */
const given = new Set<number>();

function canListen(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

function ephemeralPort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('no port'))));
    });
  });
}

/** A TCP port that was free a moment ago, outside the ephemeral range when one is free there. For tests and GRPC_PORT=0. */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = LOW + Math.floor(Math.random() * (HIGH - LOW));
    if (given.has(port)) continue;
    given.add(port); // before the probe: concurrent calls must not draw it too
    if (await canListen(port, host)) return port;
    given.delete(port);
  }
  return ephemeralPort(host);
}
