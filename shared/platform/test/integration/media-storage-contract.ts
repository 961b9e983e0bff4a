// The behaviour every ObjectStorage adapter must have, run against each of them
// (media-filesystem-storage.test.ts, media-s3-storage.test.ts).
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { NotFoundError } from '@storytelling/kernel';
import {
  InvalidContentTypeError,
  InvalidObjectKeyError,
  ObjectNotFoundError,
  RangeNotSatisfiableError,
  type ObjectStorage,
} from '../../src/media/index.js';

export async function readAll(body: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** A stream of `size` bytes in chunks of at most 64 KiB, like an upload arriving. */
export function chunked(bytes: Buffer, chunkSize = 64 * 1024): Readable {
  return Readable.from(
    (function* () {
      for (let offset = 0; offset < bytes.length; offset += chunkSize) yield bytes.subarray(offset, offset + chunkSize);
    })(),
  );
}

/** A fresh storage per suite, and a unique key prefix per test so tests never see each other. */
export function describeObjectStorageContract(name: string, storageOf: () => ObjectStorage, options: { bigObjectBytes: number }): void {
  describe(`ObjectStorage contract: ${name}`, () => {
    let n = 0;
    let base: string;
    beforeEach(() => {
      base = `t${Date.now().toString(36)}-${n++}`;
    });

    it('round-trips bytes from a Buffer with size, etag and content type', async () => {
      const storage = storageOf();
      const bytes = randomBytes(10_000);
      const put = await storage.put(`${base}/a.wav`, bytes, { contentType: 'audio/wav' });
      expect(put.size).toBe(10_000);
      expect(typeof put.etag).toBe('string');
      const got = await storage.get(`${base}/a.wav`);
      expect(got.size).toBe(10_000);
      expect(got.contentType).toBe('audio/wav');
      expect(got.range).toBeNull();
      expect((await readAll(got.body)).equals(bytes)).toBe(true);
    });

    it(`streams a large upload (${options.bigObjectBytes} bytes) in and out`, async () => {
      const storage = storageOf();
      const bytes = randomBytes(options.bigObjectBytes);
      const put = await storage.put(`${base}/big.mp4`, chunked(bytes), { contentType: 'video/mp4' });
      expect(put.size).toBe(bytes.length);
      const head = await storage.head(`${base}/big.mp4`);
      expect(head).toMatchObject({ size: bytes.length, contentType: 'video/mp4' });
      expect((await readAll((await storage.get(`${base}/big.mp4`)).body)).equals(bytes)).toBe(true);
    });

    it('reads byte ranges: closed, open-ended, clamped; refuses one past the end', async () => {
      const storage = storageOf();
      const bytes = Buffer.from('0123456789abcdefghij');
      await storage.put(`${base}/r.ogg`, bytes, { contentType: 'audio/ogg' });

      const closed = await storage.get(`${base}/r.ogg`, { start: 2, end: 5 });
      expect(closed).toMatchObject({ size: 20, contentType: 'audio/ogg', range: { start: 2, end: 5 } });
      expect((await readAll(closed.body)).toString()).toBe('2345');

      const open = await storage.get(`${base}/r.ogg`, { start: 15 });
      expect(open.range).toEqual({ start: 15, end: 19 });
      expect((await readAll(open.body)).toString()).toBe('fghij');

      const clamped = await storage.get(`${base}/r.ogg`, { start: 18, end: 1000 });
      expect(clamped.range).toEqual({ start: 18, end: 19 });
      expect((await readAll(clamped.body)).toString()).toBe('ij');

      const single = await storage.get(`${base}/r.ogg`, { start: 0, end: 0 });
      expect((await readAll(single.body)).toString()).toBe('0');

      await expect(storage.get(`${base}/r.ogg`, { start: 20 })).rejects.toBeInstanceOf(RangeNotSatisfiableError);
      await expect(storage.get(`${base}/r.ogg`, { start: 25, end: 30 })).rejects.toMatchObject({ size: 20 });
    });

    it('head tells size, type, etag and modification time without the bytes', async () => {
      const storage = storageOf();
      const put = await storage.put(`${base}/h.png`, Buffer.alloc(1234, 7), { contentType: 'image/png' });
      const head = await storage.head(`${base}/h.png`);
      expect(head.size).toBe(1234);
      expect(head.contentType).toBe('image/png');
      expect(head.etag).toBe(put.etag);
      expect(head.lastModified).toBeInstanceOf(Date);
    });

    it('a put replaces the object, bytes and content type', async () => {
      const storage = storageOf();
      await storage.put(`${base}/o`, Buffer.from('first version'), { contentType: 'text/plain' });
      await storage.put(`${base}/o`, Buffer.from('second'), { contentType: 'audio/ogg; codecs=opus' });
      const got = await storage.get(`${base}/o`);
      expect(got).toMatchObject({ size: 6, contentType: 'audio/ogg; codecs=opus' });
      expect((await readAll(got.body)).toString()).toBe('second');
    });

    it('stores an empty object; no range of it can be read', async () => {
      const storage = storageOf();
      expect((await storage.put(`${base}/empty.txt`, Buffer.alloc(0), { contentType: 'text/plain' })).size).toBe(0);
      expect((await storage.head(`${base}/empty.txt`)).size).toBe(0);
      expect((await readAll((await storage.get(`${base}/empty.txt`)).body)).length).toBe(0);
      await expect(storage.get(`${base}/empty.txt`, { start: 0 })).rejects.toBeInstanceOf(RangeNotSatisfiableError);
    });

    it('a missing key is ObjectNotFoundError (a NotFoundError with a stable code) for get and head', async () => {
      const storage = storageOf();
      const attempts = [() => storage.get(`${base}/nope.wav`), () => storage.head(`${base}/nope.wav`), () => storage.get(`${base}/nope.wav`, { start: 0, end: 1 })];
      for (const attempt of attempts) {
        const error = await attempt().then(
          () => null,
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(ObjectNotFoundError);
        expect(error).toBeInstanceOf(NotFoundError);
        expect(error).toMatchObject({ code: 'OBJECT_NOT_FOUND', key: `${base}/nope.wav` });
      }
    });

    it('delete removes the object and is idempotent', async () => {
      const storage = storageOf();
      await storage.put(`${base}/d/x.wav`, Buffer.from('x'), { contentType: 'audio/wav' });
      await storage.delete(`${base}/d/x.wav`);
      await expect(storage.head(`${base}/d/x.wav`)).rejects.toBeInstanceOf(ObjectNotFoundError);
      await expect(storage.delete(`${base}/d/x.wav`)).resolves.toBeUndefined();
      await expect(storage.delete(`${base}/never/was.wav`)).resolves.toBeUndefined();
    });

    it("deleteByPrefix erases a user's files and nothing else", async () => {
      const storage = storageOf();
      const keys = [`${base}/users/1/a.wav`, `${base}/users/1/voices/v1/s1.ogg`, `${base}/users/1/voices/v1/s2.ogg`, `${base}/users/10/b.wav`, `${base}/users/2/c.wav`];
      for (const key of keys) await storage.put(key, Buffer.from(key), { contentType: 'audio/wav' });

      expect(await storage.deleteByPrefix(`${base}/users/1/`)).toBe(3);
      for (const key of keys.slice(0, 3)) await expect(storage.head(key)).rejects.toBeInstanceOf(ObjectNotFoundError);
      expect((await storage.head(`${base}/users/10/b.wav`)).size).toBeGreaterThan(0); // users/10 is not users/1/

      // A prefix is a string prefix, as in S3: users/1 also matches users/10.
      expect(await storage.deleteByPrefix(`${base}/users/1`)).toBe(1);
      await expect(storage.head(`${base}/users/10/b.wav`)).rejects.toBeInstanceOf(ObjectNotFoundError);
      expect((await storage.head(`${base}/users/2/c.wav`)).size).toBeGreaterThan(0);

      expect(await storage.deleteByPrefix(`${base}/users/3/`)).toBe(0);
      expect(await storage.deleteByPrefix(`${base}/nothing-here/`)).toBe(0);
      // The freed names can be used again.
      await storage.put(`${base}/users/1/a.wav`, Buffer.from('again'), { contentType: 'audio/wav' });
      expect((await storage.head(`${base}/users/1/a.wav`)).size).toBe(5);
    });

    it('deleteByPrefix goes through more objects than one page', async () => {
      const storage = storageOf();
      for (let i = 0; i < 7; i++) await storage.put(`${base}/many/${i}.wav`, Buffer.from([i]), { contentType: 'audio/wav' });
      expect(await storage.deleteByPrefix(`${base}/many/`)).toBe(7);
      expect(await storage.deleteByPrefix(`${base}/many/`)).toBe(0);
    });

    it('refuses unsafe keys, an empty prefix and a content type that could split headers', async () => {
      const storage = storageOf();
      for (const key of ['../escape.wav', '/abs.wav', `${base}//x`, `${base}/./x`, `${base}/a b`, '']) {
        await expect(storage.put(key, Buffer.from('x'), { contentType: 'audio/wav' })).rejects.toBeInstanceOf(InvalidObjectKeyError);
        await expect(storage.get(key)).rejects.toBeInstanceOf(InvalidObjectKeyError);
        await expect(storage.head(key)).rejects.toBeInstanceOf(InvalidObjectKeyError);
        await expect(storage.delete(key)).rejects.toBeInstanceOf(InvalidObjectKeyError);
      }
      await expect(storage.deleteByPrefix('')).rejects.toThrow(/every object/);
      await expect(storage.deleteByPrefix('../')).rejects.toBeInstanceOf(InvalidObjectKeyError);
      await expect(storage.put(`${base}/x.wav`, Buffer.from('x'), { contentType: 'audio/wav\r\nX-Evil: 1' })).rejects.toBeInstanceOf(InvalidContentTypeError);
      await expect(storage.head(`${base}/x.wav`)).rejects.toBeInstanceOf(ObjectNotFoundError);
    });

    it('a failing upload stream leaves no object behind', async () => {
      const storage = storageOf();
      const failing = Readable.from(
        (async function* () {
          yield Buffer.alloc(1000, 1);
          throw new Error('client went away');
        })(),
      );
      await expect(storage.put(`${base}/broken.wav`, failing, { contentType: 'audio/wav' })).rejects.toThrow(/client went away/);
      await expect(storage.head(`${base}/broken.wav`)).rejects.toBeInstanceOf(ObjectNotFoundError);
    });
  });
}
