import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { FilesystemObjectStorage, InvalidObjectKeyError, ObjectNotFoundError } from '../../src/media/index.js';
import { describeObjectStorageContract, readAll } from './media-storage-contract.js';

const root = mkdtempSync(join(tmpdir(), 'media-fs-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describeObjectStorageContract('filesystem', () => new FilesystemObjectStorage(root), { bigObjectBytes: 3 * 1024 * 1024 });

describe('FilesystemObjectStorage specifics', () => {
  const storage = new FilesystemObjectStorage(join(root, 'specifics'));

  it('keeps objects as plain files under the root, with the content type in a sidecar', async () => {
    await storage.put('narration/v1/s1.ogg', Buffer.from('opus bytes'), { contentType: 'audio/ogg' });
    const folder = join(root, 'specifics', 'narration', 'v1');
    expect(readFileSync(join(folder, 's1.ogg'), 'utf8')).toBe('opus bytes');
    expect(JSON.parse(readFileSync(join(folder, '.s1.ogg.meta.json'), 'utf8'))).toMatchObject({ contentType: 'audio/ogg', size: 10 });
  });

  it('readers never see a half-written object: the bytes appear at once when the upload ends', async () => {
    await storage.put('atomic/a.wav', Buffer.from('old bytes'), { contentType: 'audio/wav' });
    const upload = new PassThrough();
    const putting = storage.put('atomic/a.wav', upload, { contentType: 'audio/wav' });
    upload.write(Buffer.from('new '));
    await new Promise((r) => setTimeout(r, 50));
    // Mid-upload: the old object, whole; the new bytes sit in a dot-file that is no key.
    expect((await readAll((await storage.get('atomic/a.wav')).body)).toString()).toBe('old bytes');
    expect(readdirSync(join(root, 'specifics', 'atomic')).some((f) => f.endsWith('.tmp'))).toBe(true);
    upload.end(Buffer.from('bytes!'));
    await putting;
    expect((await readAll((await storage.get('atomic/a.wav')).body)).toString()).toBe('new bytes!');
    expect(readdirSync(join(root, 'specifics', 'atomic')).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('a new object is invisible until complete', async () => {
    const upload = new PassThrough();
    const putting = storage.put('atomic/new.wav', upload, { contentType: 'audio/wav' });
    upload.write(Buffer.alloc(100));
    await new Promise((r) => setTimeout(r, 50));
    await expect(storage.head('atomic/new.wav')).rejects.toBeInstanceOf(ObjectNotFoundError);
    upload.end();
    await putting;
    expect((await storage.head('atomic/new.wav')).size).toBe(100);
  });

  it('falls back to the extension when a sidecar is missing', async () => {
    await storage.put('nosidecar/a.mp4', Buffer.from('x'), { contentType: 'video/mp4' });
    rmSync(join(root, 'specifics', 'nosidecar', '.a.mp4.meta.json'));
    expect(await storage.head('nosidecar/a.mp4')).toMatchObject({ contentType: 'video/mp4', size: 1 });
    expect((await storage.head('nosidecar/a.mp4')).etag).toBeUndefined();
  });

  it('erasure removes sidecars and leftover temp files, and prunes emptied folders', async () => {
    await storage.put('erase/u1/a.wav', Buffer.from('a'), { contentType: 'audio/wav' });
    await storage.put('erase/u1/deep/b.wav', Buffer.from('b'), { contentType: 'audio/wav' });
    await storage.put('erase/u2/c.wav', Buffer.from('c'), { contentType: 'audio/wav' });
    expect(await storage.deleteByPrefix('erase/u1/')).toBe(2);
    expect(existsSync(join(root, 'specifics', 'erase', 'u1'))).toBe(false);
    expect(existsSync(join(root, 'specifics', 'erase', 'u2', '.c.wav.meta.json'))).toBe(true);
    await storage.delete('erase/u2/c.wav');
    expect(existsSync(join(root, 'specifics', 'erase'))).toBe(false); // emptied folders pruned
    expect(existsSync(join(root, 'specifics'))).toBe(true); // never the root
  });

  it('a key cannot also be the folder of other keys (S3 allows it, a filesystem does not)', async () => {
    await storage.put('clash/a/b.wav', Buffer.from('b'), { contentType: 'audio/wav' });
    await expect(storage.put('clash/a', Buffer.from('a'), { contentType: 'audio/wav' })).rejects.toBeInstanceOf(InvalidObjectKeyError);
    await expect(storage.put('clash/a/b.wav/c', Buffer.from('c'), { contentType: 'audio/wav' })).rejects.toBeInstanceOf(InvalidObjectKeyError);
    await expect(storage.head('clash/a')).rejects.toBeInstanceOf(ObjectNotFoundError);
    await expect(storage.get('clash/a')).rejects.toBeInstanceOf(ObjectNotFoundError);
    expect(readdirSync(join(root, 'specifics', 'clash')).filter((f) => f.startsWith('.'))).toEqual([]);
  });
});
