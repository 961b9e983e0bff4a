import { bool, int, list, oneOf, str, url, type ConfigOf } from '../config/schema.js';
import { FilesystemObjectStorage } from './filesystem-object-storage.js';
import type { ObjectStorage } from './object-storage.js';
import { S3ObjectStorage, createS3Client } from './s3-object-storage.js';
import { UrlSigner } from './url-signer.js';

/**
 * Where media objects live, for every process that reads or writes them (gateway, narration,
 * collaboration, video): all of them must name the same store. Spread into the config schema.
 */
export const objectStorageConfigSchema = {
  OBJECT_STORAGE: oneOf(['fs', 's3'] as const).default('fs').describe('media object store: fs (a folder) or s3 (AWS S3, MinIO)'),
  OBJECT_STORAGE_DIR: str({ minLength: 1 }).default('.data/objects').describe('folder of the fs object store (shared by the processes of one machine)'),
  S3_ENDPOINT: url(['http:', 'https:']).optional().describe('S3-compatible endpoint (MinIO); unset for AWS'),
  S3_REGION: str({ minLength: 1 }).default('us-east-1'),
  S3_BUCKET: str({ minLength: 3 }).default('storytelling-media'),
  S3_FORCE_PATH_STYLE: bool().default(true).describe('bucket in the path, as MinIO expects'),
  S3_ACCESS_KEY_ID: str().optional().secret(),
  S3_SECRET_ACCESS_KEY: str().optional().secret(),
};

export type ObjectStorageConfig = ConfigOf<typeof objectStorageConfigSchema>;

export function createObjectStorage(config: ObjectStorageConfig): ObjectStorage {
  if (config.OBJECT_STORAGE === 'fs') return new FilesystemObjectStorage(config.OBJECT_STORAGE_DIR);
  const credentials =
    config.S3_ACCESS_KEY_ID && config.S3_SECRET_ACCESS_KEY ? { accessKeyId: config.S3_ACCESS_KEY_ID, secretAccessKey: config.S3_SECRET_ACCESS_KEY } : undefined;
  const client = createS3Client({
    region: config.S3_REGION,
    forcePathStyle: config.S3_FORCE_PATH_STYLE,
    ...(config.S3_ENDPOINT ? { endpoint: config.S3_ENDPOINT } : {}),
    ...(credentials ? { credentials } : {}),
  });
  return new S3ObjectStorage({ client, bucket: config.S3_BUCKET });
}

/** The gateway's signed `/files/...` links (API.md § Files). */
export const fileLinksConfigSchema = {
  FILES_SIGNING_SECRETS: list(str({ minLength: 32 })).secret().describe('comma-separated HMAC secrets, newest first (the first signs, all verify)'),
  FILES_URL_TTL_SECONDS: int({ min: 10, max: 86_400 }).default(900).describe('lifetime of a signed file link'),
};

export type FileLinksConfig = ConfigOf<typeof fileLinksConfigSchema>;

export function createUrlSigner(config: FileLinksConfig, basePath = '/files'): UrlSigner {
  return new UrlSigner({ secrets: config.FILES_SIGNING_SECRETS, basePath, defaultTtlSeconds: config.FILES_URL_TTL_SECONDS });
}
