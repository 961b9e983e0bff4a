// The environment a service process gets (docs/conventions.md), built in one place for the local
// launcher (scripts/fleet.mjs) and the test harness (@storytelling/testing serviceEnv).
import { readFleet } from './fleet-manifest.mjs';
import { ensureIdentityKey } from './identity-keys.mjs';
import { databaseUrlFor } from './provisioning.mjs';
import { createHash } from 'node:crypto';
import { ensureSecret, generatePassword } from './secrets.mjs';
import { join } from 'node:path';
import { dataPaths, toolsRoot } from './paths.mjs';

export const SUPERADMIN_EMAIL = 'admin@storytelling.local';
const HOST = '127.0.0.1';

/** The local super-admin's password (generated once); created tells whether it is new. */
export function superadminCredentials() {
  const { value, created } = ensureSecret('superadmin:password');
  return { email: SUPERADMIN_EMAIL, password: value, created };
}

/**
 * Services that call other services with service tokens (docs/adr/0016-service-tokens.md). Adding
 * a caller is one line here (plus its SERVICE_TOKEN_SECRET in compose and helm secretEnv).
 */
export const SERVICE_TOKEN_CALLERS = ['notification', 'subscription', 'payments', 'narration'];

/**
 * Processes that read or write media objects (docs/adr/0019, 0021): they must share one store, so
 * the local filesystem store is one absolute folder for all of them (each runs in its own cwd).
 */
export const MEDIA_SERVICES = ['gateway', 'narration'];

/**
 * The local OpenID provider (scripts/lib/local-oidc-provider.mjs), started by the launcher next
 * to the fleet and registered in identity as the provider `local` (docs/identity.md).
 */
export const LOCAL_OIDC = {
  port: 7100,
  issuer: `http://${HOST}:7100`,
  clientId: 'storytelling-local',
  redirectUri: `http://${HOST}:8080/api/v1/auth/oidc/local/callback`,
};

/** identity's client secret at the local provider (generated once). */
export function localOidcClientSecret() {
  return ensureSecret('oidc:local-client-secret', () => generatePassword(32)).value;
}

/** A caller's local SERVICE_TOKEN_SECRET (generated once). @param {string} service */
export function serviceTokenSecret(service) {
  return ensureSecret(`service-token:${service}`, () => generatePassword(32)).value;
}

/** identity's SERVICE_CREDENTIALS for the given callers: `name:sha256(secret)` entries. @param {string[]} [callers] */
export function serviceCredentials(callers = SERVICE_TOKEN_CALLERS) {
  return callers.map((name) => `${name}:${createHash('sha256').update(serviceTokenSecret(name)).digest('hex')}`).join(',');
}

/** `IDENTITY_GRPC_URL` for `identity`. @param {string} service */
export function grpcUrlVariable(service) {
  return `${service.toUpperCase().replaceAll('-', '_')}_GRPC_URL`;
}

/**
 * @param {string} serviceName
 * @param {{ databaseName?: string, brokers: string[], topicPrefix?: string, overrides?: Record<string, string> }} options
 * @returns {Record<string, string>}
 */
export function buildServiceEnv(serviceName, options) {
  const fleet = readFleet();
  const service = fleet.services.find((s) => s.name === serviceName);
  if (!service) throw new Error(`no service "${serviceName}" in fleet.json`);
  const databaseName = options.databaseName ?? fleet.database;
  /** @type {Record<string, string>} */
  const env = {
    SERVICE_NAME: service.name,
    HOST,
    HTTP_PORT: String(service.httpPort),
    KAFKA_BROKERS: options.brokers.join(','),
    KAFKA_TOPIC_PREFIX: options.topicPrefix ?? '',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
    GRPC_DEADLINE_MS: process.env.GRPC_DEADLINE_MS ?? '5000',
  };
  // Node >= 22.1 keeps compiled code here between starts (~25 % less start CPU; Node 20 ignores it).
  env.NODE_COMPILE_CACHE = process.env.NODE_COMPILE_CACHE ?? join(dataPaths().root, 'cache', 'node');
  if (service.grpcPort !== null) env.GRPC_PORT = String(service.grpcPort);
  if (service.schema) {
    env.DATABASE_URL = databaseUrlFor(service.name, databaseName);
    env.DATABASE_SCHEMA = service.schema;
  }
  for (const peer of fleet.services) {
    if (peer.name !== service.name && peer.grpcPort !== null) env[grpcUrlVariable(peer.name)] = `${HOST}:${peer.grpcPort}`;
  }
  if (service.name === 'identity') {
    const key = ensureIdentityKey();
    const admin = superadminCredentials();
    env.JWT_PRIVATE_KEY_FILE = key.file;
    env.JWT_KEY_ID = key.keyId;
    env.SUPERADMIN_EMAIL = admin.email;
    env.SUPERADMIN_PASSWORD = admin.password;
    env.SERVICE_CREDENTIALS = serviceCredentials();
    env.OIDC_PROVIDERS = 'local';
    env.OIDC_LOCAL_ISSUER = LOCAL_OIDC.issuer;
    env.OIDC_LOCAL_CLIENT_ID = LOCAL_OIDC.clientId;
    env.OIDC_LOCAL_CLIENT_SECRET = localOidcClientSecret();
    env.OIDC_LOCAL_REDIRECT_URI = LOCAL_OIDC.redirectUri;
  }
  if (SERVICE_TOKEN_CALLERS.includes(service.name)) env.SERVICE_TOKEN_SECRET = serviceTokenSecret(service.name);
  if (MEDIA_SERVICES.includes(service.name)) env.OBJECT_STORAGE_DIR = join(dataPaths().root, 'objects');
  // narration's speech engine finds Piper (the .tools venv's manifest, ADR 0019) here; without it, espeak-ng speaks.
  if (service.name === 'narration') env.MEDIA_TOOLS_DIR = toolsRoot();
  if (service.name === 'gateway') {
    env.PUBLIC_BASE_URL = `http://${HOST}:${service.httpPort}`;
    // The HMAC secret of signed /files links (API.md § Files); generated once, kept in .data/secrets.json.
    env.FILES_SIGNING_SECRETS = ensureSecret('gateway:files-signing-secret', () => generatePassword(32)).value;
  }
  // Local sandbox webhooks are signed with this (docs/payments.md); generated once, kept in .data/secrets.json.
  if (service.name === 'payments') env.SANDBOX_WEBHOOK_SECRET = ensureSecret('payments:sandbox-webhook-secret').value;
  // notification's file sinks (no SMTP_URL, SMS_PROVIDER=file): .data/mail/*.eml and .data/sms/*.json of the repository.
  if (service.name === 'notification') {
    env.MAIL_DIR = join(dataPaths().root, 'mail');
    env.SMS_DIR = join(dataPaths().root, 'sms');
  }
  return { ...env, ...(options.overrides ?? {}) };
}
