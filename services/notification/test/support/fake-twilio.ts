import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  path: string;
  authorization: string;
  contentType: string;
  form: URLSearchParams;
}

export type FakeTwilio = Awaited<ReturnType<typeof fakeTwilio>>;

/** A local server speaking Twilio's Messages API: 201 + sid, 401 on bad credentials, 503 while `down`. */
export async function fakeTwilio(): Promise<{ url: string; received: Received[]; setDown(down: boolean): void; close(): Promise<void> }> {
  const received: Received[] = [];
  let down = false;
  const read = (req: IncomingMessage) => new Promise<string>((resolve) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => resolve(body));
  });
  const server: Server = createServer(async (req, res) => {
    const body = await read(req);
    const match = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\.json$/.exec(req.url ?? '');
    res.setHeader('content-type', 'application/json');
    if (req.method !== 'POST' || !match) return res.writeHead(404).end(JSON.stringify({ code: 20404, message: 'not found' }));
    const expected = `Basic ${Buffer.from(`${match[1]}:secret-token`).toString('base64')}`;
    if (req.headers.authorization !== expected) return res.writeHead(401).end(JSON.stringify({ code: 20003, message: 'Authenticate' }));
    if (down) return res.writeHead(503).end(JSON.stringify({ code: 20500, message: 'Service unavailable' }));
    const form = new URLSearchParams(body);
    received.push({ path: req.url!, authorization: req.headers.authorization!, contentType: req.headers['content-type'] ?? '', form });
    if (!/^\+\d{8,15}$/.test(form.get('To') ?? '')) return res.writeHead(400).end(JSON.stringify({ code: 21211, message: "The 'To' number is not a valid phone number." }));
    res.writeHead(201).end(JSON.stringify({ sid: `SM${String(received.length).padStart(32, '0')}`, status: 'queued' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, received, setDown: (d) => (down = d), close: () => new Promise((resolve) => server.close(() => resolve())) };
}
