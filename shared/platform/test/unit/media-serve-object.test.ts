import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { FilesystemObjectStorage, ObjectNotFoundError, respondWithObject, writeObjectResponse, type ObjectStorage } from '../../src/media/index.js';

async function text(body: Readable | null): Promise<string> {
  if (!body) return '';
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

describe('media: respondWithObject / writeObjectResponse', () => {
  const BYTES = '0123456789abcdefghij'; // 20 bytes
  const KEY = 'narration/n1/segment-0.ogg';
  let root: string;
  let storage: ObjectStorage;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'media-serve-'));
    storage = new FilesystemObjectStorage(root);
    await storage.put(KEY, Buffer.from(BYTES), { contentType: 'audio/ogg' });
  });

  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('200 with the whole object, its type, length and Accept-Ranges', async () => {
    const response = await respondWithObject(storage, KEY);
    expect(response.status).toBe(200);
    expect(response.headers).toMatchObject({ 'Content-Type': 'audio/ogg', 'Content-Length': '20', 'Accept-Ranges': 'bytes', 'X-Content-Type-Options': 'nosniff' });
    expect(response.headers['ETag']).toMatch(/^"[0-9a-f]{64}"$/);
    expect(response.headers['Content-Range']).toBeUndefined();
    expect(await text(response.body)).toBe(BYTES);
  });

  it.each([
    ['bytes=0-3', '0-3', '0123'],
    ['bytes=10-', '10-19', 'abcdefghij'],
    ['bytes=-5', '15-19', 'fghij'],
    ['bytes=18-100', '18-19', 'ij'],
  ])('206 for %s', async (range, span, expected) => {
    const response = await respondWithObject(storage, KEY, { range });
    expect(response.status).toBe(206);
    expect(response.headers).toMatchObject({ 'Content-Range': `bytes ${span}/20`, 'Content-Length': String(expected.length), 'Content-Type': 'audio/ogg' });
    expect(await text(response.body)).toBe(expected);
  });

  it('416 with Content-Range: bytes */size for a range past the end', async () => {
    const response = await respondWithObject(storage, KEY, { range: 'bytes=20-' });
    expect(response).toEqual({ status: 416, headers: { 'Content-Range': 'bytes */20', 'Accept-Ranges': 'bytes' }, body: null });
  });

  it('200 for a Range it does not serve (several ranges, other units)', async () => {
    for (const range of ['bytes=0-1,4-5', 'seconds=1-2']) {
      const response = await respondWithObject(storage, KEY, { range });
      expect(response.status).toBe(200);
      expect(await text(response.body)).toBe(BYTES);
    }
  });

  it('HEAD answers the same headers without a body', async () => {
    expect(await respondWithObject(storage, KEY, { method: 'HEAD' })).toMatchObject({ status: 200, body: null, headers: { 'Content-Length': '20' } });
    expect(await respondWithObject(storage, KEY, { method: 'HEAD', range: 'bytes=2-3' })).toMatchObject({
      status: 206,
      body: null,
      headers: { 'Content-Length': '2', 'Content-Range': 'bytes 2-3/20' },
    });
  });

  it('passes Cache-Control through and throws ObjectNotFoundError for a missing object', async () => {
    expect((await respondWithObject(storage, KEY, { method: 'HEAD', cacheControl: 'private, max-age=60' })).headers['Cache-Control']).toBe('private, max-age=60');
    await expect(respondWithObject(storage, 'narration/n1/missing.ogg')).rejects.toBeInstanceOf(ObjectNotFoundError);
  });

  describe('over HTTP', () => {
    let server: Server;
    let base: string;

    beforeAll(async () => {
      server = createServer((req, res) => {
        respondWithObject(storage, KEY, { method: req.method === 'HEAD' ? 'HEAD' : 'GET', range: req.headers.range ?? null })
          .then((response) => writeObjectResponse(res, response))
          .catch(() => {
            res.statusCode = 500;
            res.end();
          });
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });

    afterAll(async () => {
      await new Promise((resolve) => server.close(resolve));
    });

    it('a player seeking: 200, then 206 for a range, then 416', async () => {
      const full = await fetch(base);
      expect(full.status).toBe(200);
      expect(full.headers.get('content-type')).toBe('audio/ogg');
      expect(full.headers.get('accept-ranges')).toBe('bytes');
      expect(await full.text()).toBe(BYTES);

      const part = await fetch(base, { headers: { Range: 'bytes=5-9' } });
      expect(part.status).toBe(206);
      expect(part.headers.get('content-range')).toBe('bytes 5-9/20');
      expect(part.headers.get('content-length')).toBe('5');
      expect(await part.text()).toBe('56789');

      const past = await fetch(base, { headers: { Range: 'bytes=50-' } });
      expect(past.status).toBe(416);
      expect(past.headers.get('content-range')).toBe('bytes */20');
      expect(await past.text()).toBe('');
    });
  });
});
