import { ConfigError } from '@storytelling/platform';
import { loadGatewayConfig, parseByteSize } from '../../src/config/gateway-config.js';

const SECRET = 'a-files-signing-secret-of-32-chars-or-more';

describe('gateway configuration', () => {
  it('has the documented defaults', () => {
    const c = loadGatewayConfig({ FILES_SIGNING_SECRETS: SECRET });
    expect(c).toMatchObject({
      host: '127.0.0.1',
      httpPort: 8080,
      identityGrpcUrl: '127.0.0.1:7201',
      storyGrpcUrl: '127.0.0.1:7204',
      grpcDeadlineMs: 5000,
      rateLimitAuthPerMinute: 10,
      rateLimitPerMinute: 300,
      bodyLimitBytes: 100 * 1024,
      storyBodyLimitBytes: 1024 * 1024,
      verifiedTokenCacheTtlMs: 60_000,
      verifiedTokenCacheSize: 10_000,
      corsOrigins: [],
      publicBaseUrl: 'http://127.0.0.1:8080',
      trustProxy: false,
      narrationGrpcUrl: '127.0.0.1:7209',
      addSampleDeadlineMs: 60_000,
      sampleUploadLimitBytes: 10 * 1024 * 1024,
      objectStorage: { OBJECT_STORAGE: 'fs', OBJECT_STORAGE_DIR: '.data/objects', S3_BUCKET: 'storytelling-media' },
      fileLinks: { secrets: [SECRET], ttlSeconds: 900 },
    });
  });

  it('reads the media settings: narration, the object store, the signing secrets (rotation list) and the upload limit', () => {
    const c = loadGatewayConfig({
      NARRATION_GRPC_URL: 'narration:7209',
      NARRATION_ADD_SAMPLE_DEADLINE_MS: '30000',
      SAMPLE_UPLOAD_LIMIT: '5mb',
      OBJECT_STORAGE: 's3',
      S3_ENDPOINT: 'http://minio:9000',
      S3_BUCKET: 'media',
      S3_ACCESS_KEY_ID: 'key',
      S3_SECRET_ACCESS_KEY: 'secret',
      FILES_SIGNING_SECRETS: `${SECRET}-new,${SECRET}`,
      FILES_URL_TTL_SECONDS: '60',
    });
    expect(c).toMatchObject({
      narrationGrpcUrl: 'narration:7209',
      addSampleDeadlineMs: 30_000,
      sampleUploadLimitBytes: 5 * 1024 * 1024,
      objectStorage: { OBJECT_STORAGE: 's3', S3_ENDPOINT: 'http://minio:9000', S3_BUCKET: 'media', S3_ACCESS_KEY_ID: 'key', S3_SECRET_ACCESS_KEY: 'secret' },
      fileLinks: { secrets: [`${SECRET}-new`, SECRET], ttlSeconds: 60 },
    });
  });

  it('needs a signing secret of at least 32 characters, and never shows it', () => {
    for (const env of [{}, { FILES_SIGNING_SECRETS: 'too-short-secret' }]) {
      let error: unknown;
      try {
        loadGatewayConfig(env);
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).problems.map((p) => p.variable)).toEqual(['FILES_SIGNING_SECRETS']);
      expect((error as ConfigError).message).not.toContain('too-short-secret');
    }
  });

  it('reads every variable', () => {
    const c = loadGatewayConfig({
      FILES_SIGNING_SECRETS: SECRET,
      HOST: '0.0.0.0',
      HTTP_PORT: '9000',
      IDENTITY_GRPC_URL: 'identity:7201',
      STORY_GRPC_URL: 'story:7204',
      STORY_BODY_LIMIT: '2mb',
      VERIFIED_TOKEN_CACHE_TTL_MS: '0',
      GRPC_DEADLINE_MS: '1500',
      RATE_LIMIT_AUTH_PER_MINUTE: '5',
      RATE_LIMIT_PER_MINUTE: '50',
      BODY_LIMIT: '1mb',
      PUBLIC_BASE_URL: 'https://api.example.com/',
      CORS_ORIGINS: 'https://app.example.com, http://localhost:3000',
      JWT_ISSUER: 'iss',
      JWT_AUDIENCE: 'aud',
      TRUST_PROXY: '1',
    });
    expect(c).toMatchObject({
      host: '0.0.0.0',
      httpPort: 9000,
      identityGrpcUrl: 'identity:7201',
      storyGrpcUrl: 'story:7204',
      storyBodyLimitBytes: 2 * 1024 * 1024,
      verifiedTokenCacheTtlMs: 0,
      grpcDeadlineMs: 1500,
      rateLimitAuthPerMinute: 5,
      rateLimitPerMinute: 50,
      bodyLimitBytes: 1024 * 1024,
      publicBaseUrl: 'https://api.example.com',
      corsOrigins: ['https://app.example.com', 'http://localhost:3000'],
      jwtIssuer: 'iss',
      jwtAudience: 'aud',
      trustProxy: 1,
    });
  });

  it('fails fast listing every bad variable', () => {
    let error: unknown;
    try {
      loadGatewayConfig({
        HTTP_PORT: 'eighty',
        RATE_LIMIT_AUTH_PER_MINUTE: '0',
        BODY_LIMIT: 'huge',
        CORS_ORIGINS: 'https://ok.example.com,not an origin',
        PUBLIC_BASE_URL: 'ftp://x',
        IDENTITY_GRPC_URL: 'identity',
      });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const variables = (error as ConfigError).problems.map((p) => p.variable).sort();
    expect(variables).toEqual(['BODY_LIMIT', 'CORS_ORIGINS', 'FILES_SIGNING_SECRETS', 'HTTP_PORT', 'IDENTITY_GRPC_URL', 'PUBLIC_BASE_URL', 'RATE_LIMIT_AUTH_PER_MINUTE']);
  });

  it('parses byte sizes', () => {
    expect(parseByteSize('100kb')).toBe(102400);
    expect(parseByteSize('2MB')).toBe(2 * 1024 * 1024);
    expect(parseByteSize('512')).toBe(512);
    expect(parseByteSize('1gb')).toBeUndefined();
    expect(parseByteSize('-1')).toBeUndefined();
  });
});
