/** Settings of the sender loop and the follower fan-out (from NotificationConfig). */
export interface SenderSettings {
  batchSize: number;
  leaseMs: number;
  pollMs: number;
  maxAttempts: number;
  retryBaseMs: number;
  retryMaxMs: number;
  followersPageSize: number;
}
export const SENDER_SETTINGS = Symbol('notification.SenderSettings');
