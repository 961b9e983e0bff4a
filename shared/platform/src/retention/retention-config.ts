import { ConfigError, int, type ConfigOf } from '../config/schema.js';

const DAY_MS = 86_400_000;

/**
 * Retention variables every backend service reads (part of serviceConfigSchema; docs/messaging.md,
 * "Retention"). Durations in ms, like Kafka's retention.ms.
 */
export const retentionConfigSchema = {
  OUTBOX_RETENTION_MS: int({ min: 60_000 }).default(7 * DAY_MS).describe('how long a published domain_events row is kept'),
  INBOX_RETENTION_MS: int({ min: 60_000 }).default(14 * DAY_MS).describe('how long an inbox_messages row is kept; longer than any topic retention and OUTBOX_RETENTION_MS'),
  SAGA_RETENTION_MS: int({ min: 60_000 }).default(30 * DAY_MS).describe('how long a finished saga (and its steps) is kept'),
  RETENTION_SWEEP_INTERVAL_MS: int({ min: 0, max: 86_400_000 }).default(15 * 60_000).describe('cadence of the retention sweep (0: off)'),
  RETENTION_BATCH_SIZE: int({ min: 1, max: 100_000 }).default(1000).describe('rows deleted per statement'),
};

export type RetentionConfig = ConfigOf<typeof retentionConfigSchema>;

export interface RetentionSettings {
  outboxMs: number;
  inboxMs: number;
  sagaMs: number;
  intervalMs: number;
  batchSize: number;
}

/**
 * The settings of a loaded config; a ConfigError at startup if the inbox would forget an event
 * the outbox may still hold: a consumer must remember every event id for at least as long as it
 * can be delivered again (docs/adr/0017-retention.md).
 */
export function retentionSettings(config: RetentionConfig, service?: string): RetentionSettings {
  if (config.INBOX_RETENTION_MS < config.OUTBOX_RETENTION_MS) {
    throw new ConfigError(
      [{ variable: 'INBOX_RETENTION_MS', problem: `must be at least OUTBOX_RETENTION_MS (${config.OUTBOX_RETENTION_MS}), got ${config.INBOX_RETENTION_MS}` }],
      service,
    );
  }
  return {
    outboxMs: config.OUTBOX_RETENTION_MS,
    inboxMs: config.INBOX_RETENTION_MS,
    sagaMs: config.SAGA_RETENTION_MS,
    intervalMs: config.RETENTION_SWEEP_INTERVAL_MS,
    batchSize: config.RETENTION_BATCH_SIZE,
  };
}
