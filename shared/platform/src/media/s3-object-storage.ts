import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createRequire } from 'node:module';
import type * as ClientS3 from '@aws-sdk/client-s3';
import type { S3Client } from '@aws-sdk/client-s3';
import type * as LibStorage from '@aws-sdk/lib-storage';
import { assertContentType, contentTypeForKey } from './content-type.js';
import { assertObjectKey, assertObjectKeyPrefix } from './object-key.js';
import {
  ObjectNotFoundError,
  RangeNotSatisfiableError,
  type ByteRange,
  type ObjectHead,
  type ObjectStorage,
  type PutObjectOptions,
  type PutObjectResult,
  type StoredObject,
} from './object-storage.js';

// The SDK is loaded on first use, not with the platform: every service and migration process
// imports the platform, and the SDK (about 30 CommonJS modules) cost each of them ~0.1 s of CPU
// at start (docs/benchmarks.md, "Cold start and footprint") while only OBJECT_STORAGE=s3 uses
// it. Both packages ship CommonJS, which is what an import of them loaded too.
const requireSdk = createRequire(import.meta.url);
let clientS3: typeof ClientS3 | undefined;
let libStorage: typeof LibStorage | undefined;
const s3 = (): typeof ClientS3 => (clientS3 ??= requireSdk('@aws-sdk/client-s3') as typeof ClientS3);
const storage = (): typeof LibStorage => (libStorage ??= requireSdk('@aws-sdk/lib-storage') as typeof LibStorage);

export interface S3ConnectionOptions {
  region: string;
  /** Set for MinIO, moto or any S3-compatible server; unset for AWS itself. */
  endpoint?: string;
  /** Bucket in the path (`http://host/bucket/key`): what MinIO and local servers expect. */
  forcePathStyle?: boolean;
  /** Unset: the SDK's default chain (environment, profile, instance role). */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
}

/** An S3 client for AWS or a compatible server. Credentials go to the SDK only, never to logs. */
export function createS3Client(options: S3ConnectionOptions): S3Client {
  return new (s3().S3Client)({
    region: options.region,
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    forcePathStyle: options.forcePathStyle ?? false,
    ...(options.credentials ? { credentials: options.credentials } : {}),
    // Checksums only where S3 requires them: S3-compatible servers differ in which of the
    // newer flexible checksums (and aws-chunked trailers) they accept.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

export interface S3ObjectStorageOptions {
  client: S3Client;
  bucket: string;
  /** Part size of streamed (multipart) uploads; S3's minimum is 5 MiB. */
  partSizeBytes?: number;
  /** Keys listed (and deleted) per request in deleteByPrefix; S3's maximum and default is 1000. */
  listPageSize?: number;
}

interface S3ErrorShape {
  name?: string;
  $metadata?: { httpStatusCode?: number };
}

function statusOf(error: unknown): number | undefined {
  return typeof error === 'object' && error !== null ? (error as S3ErrorShape).$metadata?.httpStatusCode : undefined;
}

function nameOf(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null ? (error as S3ErrorShape).name : undefined;
}

const isNotFound = (error: unknown): boolean => statusOf(error) === 404 || ['NoSuchKey', 'NotFound'].includes(nameOf(error) ?? '');
const unquote = (etag: string | undefined): string | undefined => etag?.replace(/^"|"$/g, '');

/** `bytes 0-9/100` → its parts. */
function parseContentRange(header: string | undefined): { start: number; end: number; size: number } | null {
  const match = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(header ?? '');
  return match ? { start: Number(match[1]), end: Number(match[2]), size: Number(match[3]) } : null;
}

/** Objects in one S3 bucket (AWS, MinIO, moto). Streams both ways; deletes by prefix in pages. */
export class S3ObjectStorage implements ObjectStorage {
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly partSize: number;
  private readonly listPageSize: number;

  constructor(options: S3ObjectStorageOptions) {
    this.client = options.client;
    this.bucket = options.bucket;
    this.partSize = Math.max(options.partSizeBytes ?? 8 * 1024 * 1024, 5 * 1024 * 1024);
    this.listPageSize = Math.min(Math.max(options.listPageSize ?? 1000, 1), 1000);
  }

  /** Creates the bucket when it does not exist (local and test servers; production buckets are provisioned). */
  async ensureBucket(): Promise<void> {
    try {
      await this.client.send(new (s3().HeadBucketCommand)({ Bucket: this.bucket }));
    } catch (error) {
      if (!isNotFound(error)) throw error;
      await this.client.send(new (s3().CreateBucketCommand)({ Bucket: this.bucket }));
    }
  }

  async put(key: string, body: Readable | Buffer, options: PutObjectOptions): Promise<PutObjectResult> {
    assertObjectKey(key);
    assertContentType(options.contentType);
    if (Buffer.isBuffer(body)) {
      const result = await this.client.send(
        new (s3().PutObjectCommand)({ Bucket: this.bucket, Key: key, Body: body, ContentType: options.contentType, ContentLength: body.length }),
      );
      return { size: body.length, ...(result.ETag ? { etag: unquote(result.ETag) } : {}) };
    }
    // Unknown length: lib-storage buffers one part at a time and goes multipart past partSize.
    let size = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        size += chunk.length;
        callback(null, chunk);
      },
    });
    const upload = new (storage().Upload)({
      client: this.client,
      params: { Bucket: this.bucket, Key: key, Body: counter, ContentType: options.contentType },
      partSize: this.partSize,
      queueSize: 2,
      leavePartsOnError: false,
    });
    const [result] = await Promise.all([
      upload.done().catch((error: unknown) => {
        counter.destroy(error instanceof Error ? error : new Error(String(error)));
        throw error;
      }),
      pipeline(body, counter),
    ]);
    return { size, ...(result.ETag ? { etag: unquote(result.ETag) } : {}) };
  }

  async get(key: string, range?: ByteRange): Promise<StoredObject> {
    assertObjectKey(key);
    if (range && (!Number.isSafeInteger(range.start) || range.start < 0 || (range.end !== undefined && !(range.end >= range.start)))) {
      throw new RangeNotSatisfiableError(key, (await this.head(key)).size, range);
    }
    let response;
    try {
      response = await this.client.send(
        new (s3().GetObjectCommand)({ Bucket: this.bucket, Key: key, ...(range ? { Range: `bytes=${range.start}-${range.end ?? ''}` } : {}) }),
      );
    } catch (error) {
      if (isNotFound(error)) throw new ObjectNotFoundError(key);
      if (statusOf(error) === 416 || nameOf(error) === 'InvalidRange') throw new RangeNotSatisfiableError(key, (await this.head(key)).size, range ?? { start: 0 });
      throw error;
    }
    const body = response.Body;
    if (!(body instanceof Readable)) throw new Error(`S3 GetObject ${key}: the body is not a Node.js stream`);
    const contentType = response.ContentType ?? contentTypeForKey(key);
    const contentRange = parseContentRange(response.ContentRange);
    if (range) {
      if (!contentRange) {
        body.destroy();
        throw new Error(`S3 GetObject ${key}: asked for a range, got no Content-Range (the server ignored Range)`);
      }
      return { body, size: contentRange.size, contentType, range: { start: contentRange.start, end: contentRange.end } };
    }
    return { body, size: response.ContentLength ?? 0, contentType, range: null };
  }

  async head(key: string): Promise<ObjectHead> {
    assertObjectKey(key);
    try {
      const response = await this.client.send(new (s3().HeadObjectCommand)({ Bucket: this.bucket, Key: key }));
      return {
        size: response.ContentLength ?? 0,
        contentType: response.ContentType ?? contentTypeForKey(key),
        ...(response.ETag ? { etag: unquote(response.ETag) } : {}),
        ...(response.LastModified ? { lastModified: response.LastModified } : {}),
      };
    } catch (error) {
      if (isNotFound(error)) throw new ObjectNotFoundError(key);
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    assertObjectKey(key);
    await this.client.send(new (s3().DeleteObjectCommand)({ Bucket: this.bucket, Key: key }));
  }

  async deleteByPrefix(prefix: string): Promise<number> {
    assertObjectKeyPrefix(prefix);
    let deleted = 0;
    let continuationToken: string | undefined;
    do {
      const page = await this.client.send(
        new (s3().ListObjectsV2Command)({ Bucket: this.bucket, Prefix: prefix, MaxKeys: this.listPageSize, ...(continuationToken ? { ContinuationToken: continuationToken } : {}) }),
      );
      const keys = (page.Contents ?? []).map((object) => object.Key).filter((key): key is string => typeof key === 'string');
      if (keys.length > 0) {
        const result = await this.client.send(
          new (s3().DeleteObjectsCommand)({ Bucket: this.bucket, Delete: { Objects: keys.map((Key) => ({ Key })), Quiet: true } }),
        );
        const failures = result.Errors ?? [];
        // Erasure must be complete or loudly incomplete: a retry deletes what is left.
        if (failures.length > 0) {
          const sample = failures.slice(0, 3).map((f) => `${f.Key ?? '?'}: ${f.Code ?? 'error'}`).join(', ');
          throw new Error(`S3 DeleteObjects under ${prefix} failed for ${failures.length} of ${keys.length} objects (${sample})`);
        }
        deleted += keys.length;
      }
      continuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (continuationToken);
    return deleted;
  }
}

