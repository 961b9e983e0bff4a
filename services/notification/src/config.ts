import type { SenderSettings } from './application/index.js';
import { callerConfigSchema, ConfigError, hostPort, int, loadConfig, serviceConfigSchema, serviceTokenConfigSchema, str, type ConfigOf } from '@storytelling/platform';

/**
 * notification's environment: the platform's service and caller variables (identity's JWKS,
 * issuer, audience, verified token cache), where story (ListFollowers) is, the public web URL
 * used in links, the channels' adapters and the sender loop.
 * Secrets (SMTP_URL with credentials, TWILIO_AUTH_TOKEN) may be given as `<NAME>_FILE`.
 */
export const notificationConfigSchema = {
  ...serviceConfigSchema,
  DATABASE_SCHEMA: str({ pattern: /^[a-z_][a-z0-9_]{0,62}$/ }).default('notification'),
  ...callerConfigSchema,
  STORY_GRPC_URL: hostPort().default('127.0.0.1:7204').describe("story's gRPC server (ListFollowers for StoryPublished fan-out)"),
  ...serviceTokenConfigSchema,
  PUBLIC_WEB_URL: str({ pattern: /^https?:\/\/\S+$/ }).default('http://127.0.0.1:8080').describe('base URL of links in notifications'),
  SMTP_URL: str({ pattern: /^smtps?:\/\/\S+$/ }).optional().secret().describe('SMTP server (smtp://user:pass@host:port); unset: .eml files under MAIL_DIR'),
  MAIL_FROM: str({ minLength: 3 }).default('Storytelling <no-reply@storytelling.local>').describe('From header of emails'),
  MAIL_DIR: str({ minLength: 1 }).default('.data/mail').describe('where the file sink writes .eml files (no SMTP_URL)'),
  SMS_PROVIDER: str({ pattern: /^(file|twilio)$/ }).default('file').describe('file (JSON files under SMS_DIR) or twilio'),
  SMS_DIR: str({ minLength: 1 }).default('.data/sms').describe('where the file sink writes SMS'),
  TWILIO_BASE_URL: str({ pattern: /^https?:\/\/\S+$/ }).default('https://api.twilio.com').describe('Twilio-style Messages API base URL'),
  TWILIO_ACCOUNT_SID: str({ minLength: 1 }).optional().describe('Twilio account sid (SMS_PROVIDER=twilio)'),
  TWILIO_AUTH_TOKEN: str({ minLength: 1 }).optional().secret().describe('Twilio auth token (SMS_PROVIDER=twilio)'),
  TWILIO_FROM: str({ minLength: 1 }).optional().describe('sender number or messaging service (SMS_PROVIDER=twilio)'),
  NOTIFICATION_SEND_POLL_MS: int({ min: 10, max: 60_000 }).default(1_000).describe('how often the sender looks for due deliveries'),
  NOTIFICATION_SEND_BATCH: int({ min: 1, max: 500 }).default(50).describe('deliveries claimed per sender round'),
  NOTIFICATION_SEND_LEASE_MS: int({ min: 1_000, max: 3_600_000 }).default(60_000).describe('a claimed delivery is due again after this (crash mid-send)'),
  NOTIFICATION_MAX_ATTEMPTS: int({ min: 1, max: 30 }).default(6).describe('send attempts before a delivery ends failed'),
  NOTIFICATION_RETRY_BASE_MS: int({ min: 10, max: 3_600_000 }).default(30_000).describe('first retry delay; doubles per attempt'),
  NOTIFICATION_RETRY_MAX_MS: int({ min: 10, max: 86_400_000 }).default(3_600_000).describe('longest retry delay'),
  NOTIFICATION_FOLLOWERS_PAGE_SIZE: int({ min: 1, max: 100 }).default(100).describe('followers per ListFollowers call'),
};

export type NotificationConfig = ConfigOf<typeof notificationConfigSchema>;

export function loadNotificationConfig(env: NodeJS.ProcessEnv = process.env): NotificationConfig {
  const config = loadConfig(notificationConfigSchema, { env, service: 'notification' });
  if (config.SMS_PROVIDER === 'twilio') {
    const missing = (['TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN', 'TWILIO_FROM'] as const).filter((v) => !config[v]);
    if (missing.length > 0) throw new ConfigError(missing.map((variable) => ({ variable, problem: 'is required when SMS_PROVIDER=twilio' })), 'notification');
  }
  return config;
}

/** The sender loop's and the follower fan-out's settings. */
export function senderSettings(config: NotificationConfig): SenderSettings {
  return {
    batchSize: config.NOTIFICATION_SEND_BATCH,
    leaseMs: config.NOTIFICATION_SEND_LEASE_MS,
    pollMs: config.NOTIFICATION_SEND_POLL_MS,
    maxAttempts: config.NOTIFICATION_MAX_ATTEMPTS,
    retryBaseMs: config.NOTIFICATION_RETRY_BASE_MS,
    retryMaxMs: config.NOTIFICATION_RETRY_MAX_MS,
    followersPageSize: config.NOTIFICATION_FOLLOWERS_PAGE_SIZE,
  };
}
