import { mkdtempSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type { Readable } from 'node:stream';
import {
  FilesystemObjectStorage,
  type ByteRange,
  type ObjectHead,
  type ObjectStorage,
  type PutObjectOptions,
  type PutObjectResult,
  type StoredObject,
} from '@storytelling/platform';

export interface PutRecord {
  key: string;
  contentType: string;
  /** How the write ended: its size, or the error that aborted it (undefined while running). */
  outcome?: { size: number } | { error: string };
}

/**
 * The filesystem media store in a fresh temp folder, recording every put (and how it ended) and
 * every delete, so tests can see an upload start, get aborted and be removed.
 */
export class RecordingStorage implements ObjectStorage {
  readonly root = mkdtempSync(join(tmpdir(), 'gateway-media-'));
  readonly puts: PutRecord[] = [];
  readonly deletes: string[] = [];
  /** When set, every put fails with it (a store that is down). */
  failPuts: Error | undefined;
  private readonly inner = new FilesystemObjectStorage(this.root);

  async put(key: string, body: Readable | Buffer, options: PutObjectOptions): Promise<PutObjectResult> {
    const record: PutRecord = { key, contentType: options.contentType };
    this.puts.push(record);
    try {
      if (this.failPuts) throw this.failPuts;
      const result = await this.inner.put(key, body, options);
      record.outcome = { size: result.size };
      return result;
    } catch (error) {
      record.outcome = { error: error instanceof Error ? error.message : String(error) };
      throw error;
    }
  }

  get(key: string, range?: ByteRange): Promise<StoredObject> {
    return this.inner.get(key, range);
  }

  head(key: string): Promise<ObjectHead> {
    return this.inner.head(key);
  }

  /** Recorded once the delete has finished (file and emptied folders gone), so tests can wait on it. */
  async delete(key: string): Promise<void> {
    try {
      await this.inner.delete(key);
    } finally {
      this.deletes.push(key);
    }
  }

  deleteByPrefix(prefix: string): Promise<number> {
    return this.inner.deleteByPrefix(prefix);
  }

  /** Every file under the root (objects, sidecars and temp files), relative, sorted. */
  async files(): Promise<string[]> {
    // A folder can vanish between being listed and being read (the store prunes emptied
    // folders): list again rather than fail on a tree that is changing.
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.listFiles();
      } catch (error) {
        if (attempt >= 5 || (error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    }
  }

  private async listFiles(): Promise<string[]> {
    const entries = await readdir(this.root, { recursive: true, withFileTypes: true });
    return entries
      .filter((e) => e.isFile())
      .map((e) => relative(this.root, join(e.parentPath, e.name)))
      .sort();
  }

  reset(): void {
    this.failPuts = undefined;
    this.puts.length = 0;
    this.deletes.length = 0;
  }
}
