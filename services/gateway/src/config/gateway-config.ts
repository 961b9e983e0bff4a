/**
 * The gateway's configuration, read from the environment and validated once at start. Every
 * problem is reported together so a misconfigured deployment fails fast with one clear message.
 *
 * Built on the platform's `loadConfig` + `baseConfigSchema`.
 */
import {
  baseConfigSchema,
  ConfigVar,
  fileLinksConfigSchema,
  hostPort,
  int,
  list,
  loadConfig,
  objectStorageConfigSchema,
  port,
  str,
  url,
  verifiedTokenCacheConfigSchema,
  type ObjectStorageConfig,
} from '@storytelling/platform';
import { SAMPLE_AUDIO_MAX_BYTES } from '../domain/narrations.js';

/** identity's defaults for the access-token claims (its JWT_ISSUER / JWT_AUDIENCE). */
export const DEFAULT_JWT_ISSUER = 'storytelling-identity';
export const DEFAULT_JWT_AUDIENCE = 'storytelling-api';

export interface GatewayConfig {
  host: string;
  httpPort: number;
  publicBaseUrl: string;
  identityGrpcUrl: string;
  storyGrpcUrl: string;
  notificationGrpcUrl: string;
  paymentsGrpcUrl: string;
  subscriptionGrpcUrl: string;
  narrationGrpcUrl: string;
  grpcDeadlineMs: number;
  /** Deadline of narration's AddSample (it decodes and normalises the audio before answering). */
  addSampleDeadlineMs: number;
  /** The media store shared with narration (OBJECT_STORAGE, OBJECT_STORAGE_DIR, S3_*). */
  objectStorage: ObjectStorageConfig;
  /** Signed `/files/...` links: FILES_SIGNING_SECRETS (newest first) and FILES_URL_TTL_SECONDS. */
  fileLinks: { secrets: string[]; ttlSeconds: number };
  /** Largest audio part of a sample upload (SAMPLE_UPLOAD_LIMIT, 10 MB), enforced while streaming. */
  sampleUploadLimitBytes: number;
  rateLimitAuthPerMinute: number;
  rateLimitPerMinute: number;
  /** JSON body limit in bytes (BODY_LIMIT, e.g. `100kb`). */
  bodyLimitBytes: number;
  /** JSON body limit of the routes that carry a story's content (STORY_BODY_LIMIT, `1mb`). */
  storyBodyLimitBytes: number;
  /** Exact origins allowed by CORS; `['*']` allows any origin; empty disables CORS. */
  corsOrigins: string[];
  /** Expected `iss` of access tokens (identity's JWT_ISSUER). */
  jwtIssuer: string;
  /** Expected `aud` of access tokens. */
  jwtAudience: string;
  /** A JWKS older than this is refetched on next use. */
  jwksCacheTtlMs: number;
  /** Minimum interval between two JWKS fetches caused by unknown `kid`s. */
  jwksMinRefetchIntervalMs: number;
  /** How long a verified access token is trusted without verifying it again (0: always verify). */
  verifiedTokenCacheTtlMs: number;
  /** How often identity's access-token denylist is polled (docs/adr/0030); 0 = never. */
  denylistPollIntervalMs: number;
  /** Bound on the verified-token cache. */
  verifiedTokenCacheSize: number;
  /** express `trust proxy` setting: false, true, a hop count, or a list of addresses/subnets. */
  trustProxy: boolean | number | string[];
  /** The HTTP server's edges (docs/adr/0025-gateway-input-edges.md): 408 and 431 instead of a hung or reset connection. */
  http: HttpServerLimits;
  logLevel: string;
}

export interface HttpServerLimits {
  /** The whole request (headers and body) must arrive within this (408 REQUEST_TIMEOUT). */
  requestTimeoutMs: number;
  /** The headers must arrive within this (408 REQUEST_TIMEOUT); ≤ requestTimeoutMs. */
  headersTimeoutMs: number;
  /** Larger request headers are 431 HEADERS_TOO_LARGE. */
  maxHeaderSizeBytes: number;
}

export type Env = Readonly<Record<string, string | undefined>>;

/** `100kb`, `1mb`, `2048`: the JSON body limit. */
function byteSize(): ConfigVar<number> {
  return new ConfigVar((raw) => {
    const n = parseByteSize(raw);
    if (n === undefined || n < 1 || n > 50 * 1024 * 1024) throw new Error('must be a size like 100kb, 1mb or 2048 (1 byte..50mb)');
    return n;
  }, 'size like 100kb');
}

/** An origin (`https://app.example.com`) or `*`. */
function origin(): ConfigVar<string> {
  return new ConfigVar((raw) => {
    if (raw === '*') return raw;
    let u: URL;
    try {
      u = new URL(raw);
    } catch {
      throw new Error('must be an origin like https://app.example.com or *');
    }
    if (u.origin !== raw || (u.protocol !== 'http:' && u.protocol !== 'https:')) throw new Error('must be an origin like https://app.example.com or *');
    return raw;
  }, 'origin');
}

function trustProxy(): ConfigVar<boolean | number | string[]> {
  return new ConfigVar((raw) => {
    const v = raw.trim();
    if (v === 'false' || v === '0') return false;
    if (v === 'true') return true;
    if (/^\d+$/.test(v)) return Number(v);
    const items = v.split(',').map((s) => s.trim()).filter((s) => s !== '');
    if (items.some((s) => !/^[0-9a-fA-F.:/]+$|^(loopback|linklocal|uniquelocal)$/.test(s))) {
      throw new Error('must be true, false, a hop count, or comma-separated addresses/subnets');
    }
    return items;
  }, 'true|false|hops|subnets');
}

/** The gateway's variables (docs/conventions.md, "Environment", and docs/adr/0006-gateway.md). */
export const gatewayConfigSchema = {
  ...baseConfigSchema,
  HTTP_PORT: port().default(8080).describe('the public API port'),
  IDENTITY_GRPC_URL: hostPort().default('127.0.0.1:7201').describe("identity's gRPC server"),
  STORY_GRPC_URL: hostPort().default('127.0.0.1:7204').describe("story's gRPC server"),
  NOTIFICATION_GRPC_URL: hostPort().default('127.0.0.1:7208').describe("notification's gRPC server"),
  PAYMENTS_GRPC_URL: hostPort().default('127.0.0.1:7203').describe("payments' gRPC server"),
  SUBSCRIPTION_GRPC_URL: hostPort().default('127.0.0.1:7202').describe("subscription's gRPC server"),
  NARRATION_GRPC_URL: hostPort().default('127.0.0.1:7209').describe("narration's gRPC server"),
  NARRATION_ADD_SAMPLE_DEADLINE_MS: int({ min: 1000, max: 600_000 }).default(60_000).describe("deadline of narration's AddSample (audio check and normalisation)"),
  PUBLIC_BASE_URL: url(['http:', 'https:']).optional().describe('how clients reach the gateway (OpenAPI servers)'),
  RATE_LIMIT_AUTH_PER_MINUTE: int({ min: 1, max: 1_000_000 }).default(10),
  RATE_LIMIT_PER_MINUTE: int({ min: 1, max: 1_000_000 }).default(300),
  BODY_LIMIT: byteSize().default(100 * 1024),
  // 200,000 characters of content are up to 800 kB of UTF-8, plus JSON escapes and the title.
  STORY_BODY_LIMIT: byteSize().default(1024 * 1024).describe('body limit of POST /stories and PATCH /stories/:id'),
  CORS_ORIGINS: list(origin(), { minItems: 0 }).default([]),
  JWT_ISSUER: str({ minLength: 1 }).default(DEFAULT_JWT_ISSUER).describe('expected iss of access tokens'),
  JWT_AUDIENCE: str({ minLength: 1 }).default(DEFAULT_JWT_AUDIENCE).describe('expected aud of access tokens'),
  JWKS_CACHE_TTL_MS: int({ min: 1000, max: 86_400_000 }).default(600_000),
  JWKS_MIN_REFETCH_INTERVAL_MS: int({ min: 0, max: 3_600_000 }).default(30_000),
  DENYLIST_POLL_INTERVAL_MS: int({ min: 0, max: 600_000 }).default(2_000).describe("how often identity's access-token denylist is polled (0 = never)"),
  ...verifiedTokenCacheConfigSchema,
  TRUST_PROXY: trustProxy().default(false),
  // A sample upload (10 MB) over a slow link must fit in HTTP_REQUEST_TIMEOUT_MS.
  HTTP_REQUEST_TIMEOUT_MS: int({ min: 100, max: 3_600_000 }).default(120_000).describe('the whole request must arrive within this (else 408)'),
  HTTP_HEADERS_TIMEOUT_MS: int({ min: 100, max: 3_600_000 }).default(10_000).describe('request headers must arrive within this (else 408); at most HTTP_REQUEST_TIMEOUT_MS'),
  HTTP_MAX_HEADER_SIZE: byteSize().default(16 * 1024).describe('larger request headers are 431'),
  SAMPLE_UPLOAD_LIMIT: byteSize().default(SAMPLE_AUDIO_MAX_BYTES).describe('largest audio part of POST /voices/:id/samples (413 beyond, enforced while streaming)'),
  ...objectStorageConfigSchema,
  ...fileLinksConfigSchema,
};

export function loadGatewayConfig(env: Env): GatewayConfig {
  const c = loadConfig(gatewayConfigSchema, { env: env as NodeJS.ProcessEnv, service: 'gateway' });
  const host = c.HOST;
  const base = c.PUBLIC_BASE_URL ?? `http://${host.includes(':') ? `[${host}]` : host}:${c.HTTP_PORT}`;
  return {
    host,
    httpPort: c.HTTP_PORT,
    publicBaseUrl: base.replace(/\/+$/, ''),
    identityGrpcUrl: c.IDENTITY_GRPC_URL,
    storyGrpcUrl: c.STORY_GRPC_URL,
    notificationGrpcUrl: c.NOTIFICATION_GRPC_URL,
    paymentsGrpcUrl: c.PAYMENTS_GRPC_URL,
    subscriptionGrpcUrl: c.SUBSCRIPTION_GRPC_URL,
    narrationGrpcUrl: c.NARRATION_GRPC_URL,
    grpcDeadlineMs: c.GRPC_DEADLINE_MS,
    addSampleDeadlineMs: c.NARRATION_ADD_SAMPLE_DEADLINE_MS,
    objectStorage: {
      OBJECT_STORAGE: c.OBJECT_STORAGE,
      OBJECT_STORAGE_DIR: c.OBJECT_STORAGE_DIR,
      S3_ENDPOINT: c.S3_ENDPOINT,
      S3_REGION: c.S3_REGION,
      S3_BUCKET: c.S3_BUCKET,
      S3_FORCE_PATH_STYLE: c.S3_FORCE_PATH_STYLE,
      S3_ACCESS_KEY_ID: c.S3_ACCESS_KEY_ID,
      S3_SECRET_ACCESS_KEY: c.S3_SECRET_ACCESS_KEY,
    },
    fileLinks: { secrets: [...c.FILES_SIGNING_SECRETS], ttlSeconds: c.FILES_URL_TTL_SECONDS },
    sampleUploadLimitBytes: c.SAMPLE_UPLOAD_LIMIT,
    rateLimitAuthPerMinute: c.RATE_LIMIT_AUTH_PER_MINUTE,
    rateLimitPerMinute: c.RATE_LIMIT_PER_MINUTE,
    bodyLimitBytes: c.BODY_LIMIT,
    storyBodyLimitBytes: c.STORY_BODY_LIMIT,
    corsOrigins: [...c.CORS_ORIGINS],
    jwtIssuer: c.JWT_ISSUER,
    jwtAudience: c.JWT_AUDIENCE,
    jwksCacheTtlMs: c.JWKS_CACHE_TTL_MS,
    jwksMinRefetchIntervalMs: c.JWKS_MIN_REFETCH_INTERVAL_MS,
    verifiedTokenCacheTtlMs: c.VERIFIED_TOKEN_CACHE_TTL_MS,
    denylistPollIntervalMs: c.DENYLIST_POLL_INTERVAL_MS,
    verifiedTokenCacheSize: c.VERIFIED_TOKEN_CACHE_SIZE,
    trustProxy: c.TRUST_PROXY,
    http: {
      requestTimeoutMs: c.HTTP_REQUEST_TIMEOUT_MS,
      // Node refuses a headers timeout longer than the request timeout; the shorter one rules anyway.
      headersTimeoutMs: Math.min(c.HTTP_HEADERS_TIMEOUT_MS, c.HTTP_REQUEST_TIMEOUT_MS),
      maxHeaderSizeBytes: c.HTTP_MAX_HEADER_SIZE,
    },
    logLevel: c.LOG_LEVEL,
  };
}

const UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 * 1024 };

export function parseByteSize(value: string): number | undefined {
  const m = /^(\d+)\s*(b|kb|mb)?$/i.exec(value.trim());
  if (!m) return undefined;
  return Number(m[1]) * UNITS[(m[2] ?? 'b').toLowerCase()]!;
}
