// The retention variables: defaults, and the inbox must remember at least as long as the outbox keeps.
import { ConfigError, loadConfig } from '../../src/config/index.js';
import { retentionConfigSchema, retentionSettings } from '../../src/retention/index.js';

const DAY = 86_400_000;
const load = (env: NodeJS.ProcessEnv) => retentionSettings(loadConfig(retentionConfigSchema, { env }), 'demo');

describe('retention config', () => {
  it('defaults: outbox 7 days, inbox 14, sagas 30, every 15 min, 1000 rows per statement', () => {
    expect(load({})).toEqual({ outboxMs: 7 * DAY, inboxMs: 14 * DAY, sagaMs: 30 * DAY, intervalMs: 15 * 60_000, batchSize: 1000 });
  });

  it('accepts an inbox retention equal to the outbox retention', () => {
    expect(load({ OUTBOX_RETENTION_MS: String(3 * DAY), INBOX_RETENTION_MS: String(3 * DAY) }).inboxMs).toBe(3 * DAY);
  });

  it('refuses an inbox retention shorter than the outbox retention', () => {
    expect(() => load({ INBOX_RETENTION_MS: String(7 * DAY - 1) })).toThrow(ConfigError);
    expect(() => load({ OUTBOX_RETENTION_MS: String(20 * DAY) })).toThrow(/INBOX_RETENTION_MS: must be at least OUTBOX_RETENTION_MS/);
  });

  it('refuses a batch size of 0 (the sweep would never end)', () => {
    expect(() => load({ RETENTION_BATCH_SIZE: '0' })).toThrow(/RETENTION_BATCH_SIZE/);
  });
});
