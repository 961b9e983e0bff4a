import { createHash, randomUUID } from 'node:crypto';
import { mkdir, open, readFile, readdir, rename, rm, rmdir, stat, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { assertContentType, contentTypeForKey } from './content-type.js';
import { InvalidObjectKeyError, assertObjectKey, assertObjectKeyPrefix } from './object-key.js';
import {
  ObjectNotFoundError,
  RangeNotSatisfiableError,
  resolveByteRange,
  type ByteRange,
  type ObjectHead,
  type ObjectStorage,
  type PutObjectOptions,
  type PutObjectResult,
  type StoredObject,
} from './object-storage.js';

/** What the sidecar `.<name>.meta.json` beside each object holds. */
interface Sidecar {
  contentType: string;
  size: number;
  etag: string;
}

const SIDECAR_SUFFIX = '.meta.json';
const TEMP_SUFFIX = /\.[0-9a-f-]{36}\.tmp$/;

// Not `instanceof Error`: errors from node:fs may come from another realm (jest's vm contexts).
function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null ? (error as NodeJS.ErrnoException).code : undefined;
}

/** The key a dot-file (sidecar or temp file) belongs to by name, or null for anything else. */
function ownerOfDotFile(name: string): string | null {
  if (!name.startsWith('.')) return null;
  if (name.endsWith(SIDECAR_SUFFIX)) return name.slice(1, -SIDECAR_SUFFIX.length);
  if (TEMP_SUFFIX.test(name)) return name.slice(1).replace(TEMP_SUFFIX, '');
  return null;
}

/**
 * Objects as files under a root folder (services use `.data/objects/<service>`). A put streams
 * into a temp file beside the target and renames it into place, so readers see the old bytes or
 * the new ones, never a mix. The content type and a sha256 etag live in a sidecar file; names
 * starting with "." are never keys (object-key.ts), so sidecars and temp files cannot collide
 * with objects. A key cannot also be the folder of other keys (`a/b` and `a/b/c`): S3 allows
 * that, a filesystem does not, and our key layouts never need it.
 */
export class FilesystemObjectStorage implements ObjectStorage {
  private readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  private locate(key: string): { file: string; sidecar: string } {
    assertObjectKey(key);
    const file = join(this.root, ...key.split('/'));
    return { file, sidecar: join(dirname(file), `.${basename(file)}${SIDECAR_SUFFIX}`) };
  }

  async put(key: string, body: Readable | Buffer, options: PutObjectOptions): Promise<PutObjectResult> {
    const { file, sidecar } = this.locate(key);
    assertContentType(options.contentType);
    // Refused before anything is written, so no sidecar is left for an object that cannot exist.
    if ((await stat(file).catch(() => null))?.isDirectory()) throw new InvalidObjectKeyError(key, 'other objects are stored under it as a folder');
    const temp = join(dirname(file), `.${basename(file)}.${randomUUID()}.tmp`);
    const hash = createHash('sha256');
    let size = 0;
    const measure = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        hash.update(chunk);
        size += chunk.length;
        callback(null, chunk);
      },
    });
    const handle = await this.createTemp(key, temp);
    try {
      // flush: fsync before close, so a crash cannot leave a renamed but empty file.
      await pipeline(Buffer.isBuffer(body) ? Readable.from([body]) : body, measure, handle.createWriteStream({ flush: true }));
      const etag = hash.digest('hex');
      // The sidecar first, so new bytes never appear without their content type.
      await this.writeSidecar(sidecar, { contentType: options.contentType, size, etag });
      await rename(temp, file).catch((error: unknown) => {
        if (errorCode(error) === 'EISDIR' || errorCode(error) === 'ENOTEMPTY') throw new InvalidObjectKeyError(key, 'other objects are stored under it as a folder');
        throw error;
      });
      return { size, etag };
    } catch (error) {
      await handle.close().catch(() => undefined);
      await rm(temp, { force: true });
      throw error;
    }
  }

  /** Opens the temp file, creating folders; retried once when a concurrent delete pruned them. */
  private async createTemp(key: string, temp: string): Promise<FileHandle> {
    for (let attempt = 0; ; attempt++) {
      try {
        await mkdir(dirname(temp), { recursive: true });
        return await open(temp, 'wx');
      } catch (error) {
        const code = errorCode(error);
        if (code === 'ENOTDIR' || code === 'EEXIST') throw new InvalidObjectKeyError(key, 'a folder of it is already an object');
        if (code !== 'ENOENT' || attempt > 0) throw error;
      }
    }
  }

  private async writeSidecar(path: string, content: Sidecar): Promise<void> {
    const temp = `${path}.${randomUUID()}.tmp`;
    const handle = await open(temp, 'wx');
    try {
      await handle.writeFile(JSON.stringify(content));
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  }

  private async readSidecar(path: string): Promise<Sidecar | null> {
    try {
      const parsed = JSON.parse(await readFile(path, 'utf8')) as Partial<Sidecar>;
      if (typeof parsed.contentType !== 'string' || typeof parsed.size !== 'number' || typeof parsed.etag !== 'string') return null;
      return parsed as Sidecar;
    } catch {
      return null; // missing or unreadable: fall back to the extension
    }
  }

  /** The stored facts, trusting the sidecar's etag only when it describes these bytes. */
  private describe(key: string, size: number, sidecar: Sidecar | null): { contentType: string; etag?: string } {
    const contentType = sidecar?.contentType ?? contentTypeForKey(key);
    return sidecar && sidecar.size === size ? { contentType, etag: sidecar.etag } : { contentType };
  }

  async get(key: string, range?: ByteRange): Promise<StoredObject> {
    const { file, sidecar } = this.locate(key);
    let handle: FileHandle;
    try {
      handle = await open(file, 'r');
    } catch (error) {
      if (['ENOENT', 'ENOTDIR'].includes(errorCode(error) ?? '')) throw new ObjectNotFoundError(key);
      throw error;
    }
    try {
      // Stat the open file, not the path: a concurrent put may rename new bytes over it.
      const stats = await handle.stat();
      if (!stats.isFile()) throw new ObjectNotFoundError(key);
      const resolved = range ? resolveByteRange(range, stats.size) : null;
      if (range && !resolved) throw new RangeNotSatisfiableError(key, stats.size, range);
      const { contentType } = this.describe(key, stats.size, await this.readSidecar(sidecar));
      const body = handle.createReadStream(resolved ? { start: resolved.start, end: resolved.end } : {});
      return { body, size: stats.size, contentType, range: resolved };
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  async head(key: string): Promise<ObjectHead> {
    const { file, sidecar } = this.locate(key);
    const stats = await stat(file).catch((error: unknown) => {
      if (['ENOENT', 'ENOTDIR'].includes(errorCode(error) ?? '')) throw new ObjectNotFoundError(key);
      throw error;
    });
    if (!stats.isFile()) throw new ObjectNotFoundError(key);
    return { size: stats.size, ...this.describe(key, stats.size, await this.readSidecar(sidecar)), lastModified: new Date(stats.mtimeMs) };
  }

  async delete(key: string): Promise<void> {
    const { file, sidecar } = this.locate(key);
    const stats = await stat(file).catch(() => null);
    if (stats && !stats.isFile()) return; // a folder of other objects, not this key
    await rm(file, { force: true });
    await rm(sidecar, { force: true });
    await this.pruneEmptyFolders(dirname(file));
  }

  async deleteByPrefix(prefix: string): Promise<number> {
    assertObjectKeyPrefix(prefix);
    // The folder the prefix points into, and the start of names in it that match.
    const folder = join(this.root, ...prefix.split('/').slice(0, -1));
    const namePrefix = prefix.split('/').at(-1) ?? '';
    let entries;
    try {
      entries = await readdir(folder, { withFileTypes: true });
    } catch (error) {
      if (['ENOENT', 'ENOTDIR'].includes(errorCode(error) ?? '')) return 0;
      throw error;
    }
    let deleted = 0;
    for (const entry of entries) {
      const path = join(folder, entry.name);
      const owner = ownerOfDotFile(entry.name);
      if (owner !== null) {
        // Sidecars and interrupted puts of matching names go too: erasure leaves nothing behind.
        if (owner.startsWith(namePrefix)) await rm(path, { force: true });
        continue;
      }
      if (entry.name.startsWith('.') || !entry.name.startsWith(namePrefix)) continue;
      if (entry.isDirectory()) {
        deleted += await countObjects(path);
        await rm(path, { recursive: true, force: true });
      } else {
        await rm(path, { force: true });
        deleted++;
      }
    }
    await this.pruneEmptyFolders(folder);
    return deleted;
  }

  /** Removes `folder` and its parents while they are empty, never the root itself. */
  private async pruneEmptyFolders(folder: string): Promise<void> {
    let current = folder;
    while (current !== this.root && current.startsWith(this.root + sep)) {
      try {
        await rmdir(current);
      } catch {
        return; // not empty (or already gone): stop climbing
      }
      current = dirname(current);
    }
  }
}

async function countObjects(folder: string): Promise<number> {
  let count = 0;
  for (const entry of await readdir(folder, { withFileTypes: true })) {
    if (entry.name.startsWith('.')) continue;
    count += entry.isDirectory() ? await countObjects(join(folder, entry.name)) : 1;
  }
  return count;
}
