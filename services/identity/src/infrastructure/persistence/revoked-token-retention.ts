import type { RetentionRule } from '@storytelling/platform';

/**
 * Denylist entries go once the tokens they cover have expired (docs/adr/0030): the platform's
 * sweeper (docs/adr/0017-retention.md) deletes them, so the table stays as small as the set of
 * live revoked tokens.
 */
export const revokedAccessTokenRetention: RetentionRule = {
  table: 'revoked_access_tokens',
  key: 'token_id',
  expired: 'expires_at < $1',
  maxAgeMs: 0,
};
