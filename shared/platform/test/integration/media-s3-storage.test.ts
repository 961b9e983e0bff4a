import { spawn, type ChildProcess } from 'node:child_process';
import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { freePort, waitUntil } from '@storytelling/testing';
import { createS3Client, locateMediaTools, S3ObjectStorage } from '../../src/media/index.js';
import { describeObjectStorageContract } from './media-storage-contract.js';
import { toolsRoot } from '../../../../scripts/lib/paths.mjs';

// A real server that speaks S3: moto's, from the project's venv (scripts/lib/media-tools.mjs).
let moto: ChildProcess | null = null;
let motoOutput = '';
let client: S3Client;
let storage: S3ObjectStorage;
const BUCKET = 'media-contract';

beforeAll(async () => {
  const motoServer = locateMediaTools({ toolsDir: toolsRoot() }).motoServer;
  if (!motoServer) throw new Error('moto_server is not installed in .tools/venv; run `npm run bootstrap` (scripts/lib/media-tools.mjs installs it)');
  const port = await freePort();
  moto = spawn(motoServer, ['-H', '127.0.0.1', '-p', String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
  const keep = (chunk: Buffer): void => {
    motoOutput = (motoOutput + chunk.toString('utf8')).slice(-4000);
  };
  moto.stdout?.on('data', keep);
  moto.stderr?.on('data', keep);
  const endpoint = `http://127.0.0.1:${port}`;
  await waitUntil(
    async () => {
      if (moto?.exitCode !== null) throw new Error(`moto_server exited (${moto?.exitCode}): ${motoOutput}`);
      return (await fetch(`${endpoint}/moto-api/`).catch(() => null))?.ok ?? false;
    },
    30_000,
    200,
  );
  client = createS3Client({ region: 'us-east-1', endpoint, forcePathStyle: true, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  // Small pages, so deleteByPrefix's pagination is exercised by a handful of objects.
  storage = new S3ObjectStorage({ client, bucket: BUCKET, partSizeBytes: 5 * 1024 * 1024, listPageSize: 3 });
  await storage.ensureBucket();
}, 60_000);

afterAll(async () => {
  client?.destroy();
  if (moto && moto.exitCode === null) {
    const exited = new Promise((resolve) => moto?.once('exit', resolve));
    moto.kill('SIGTERM');
    const stubborn = setTimeout(() => moto?.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(stubborn);
  }
});

// 12 MiB with 5 MiB parts: a three-part multipart upload.
describeObjectStorageContract('S3 (moto server)', () => storage, { bigObjectBytes: 12 * 1024 * 1024 });

describe('S3ObjectStorage specifics', () => {
  it('ensureBucket is idempotent', async () => {
    await storage.ensureBucket();
    await storage.ensureBucket();
  });

  it('deleteByPrefix leaves no key under the prefix, over several list pages', async () => {
    for (let i = 0; i < 10; i++) await storage.put(`pages/u9/${i}.ogg`, Buffer.from([i]), { contentType: 'audio/ogg' });
    await storage.put('pages/u90.ogg', Buffer.from('other user'), { contentType: 'audio/ogg' });
    expect(await storage.deleteByPrefix('pages/u9/')).toBe(10);
    const left = await client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'pages/' }));
    expect((left.Contents ?? []).map((o) => o.Key)).toEqual(['pages/u90.ogg']);
  });

  it('uses the bucket named, nothing else', async () => {
    const other = new S3ObjectStorage({ client, bucket: 'media-other' });
    await other.ensureBucket();
    await other.put('x.wav', Buffer.from('x'), { contentType: 'audio/wav' });
    await expect(storage.head('x.wav')).rejects.toMatchObject({ code: 'OBJECT_NOT_FOUND' });
    expect(await other.deleteByPrefix('x')).toBe(1);
  });
});
