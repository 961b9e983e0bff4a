/**
 * The stable error codes the gateway itself produces or passes through from the services. The
 * catalogue is documented in docs/api-errors.md (a unit test keeps the two in step). Codes are
 * part of the public contract: never rename one, only add.
 */
export interface ErrorCodeInfo {
  status: number;
  title: string;
}

export const ERROR_CODES = {
  // produced by the gateway
  VALIDATION_FAILED: { status: 400, title: 'Validation failed' },
  MALFORMED_JSON: { status: 400, title: 'Malformed JSON' },
  JSON_TOO_DEEP: { status: 400, title: 'JSON nested too deeply' },
  MALFORMED_REQUEST: { status: 400, title: 'Malformed request' },
  UNAUTHENTICATED: { status: 401, title: 'Authentication required' },
  TOKEN_EXPIRED: { status: 401, title: 'Access token expired' },
  INVALID_TOKEN: { status: 401, title: 'Invalid access token' },
  TOKEN_REVOKED: { status: 401, title: 'Access token revoked' },
  FORBIDDEN: { status: 403, title: 'Forbidden' },
  NOT_FOUND: { status: 404, title: 'Not found' },
  METHOD_NOT_ALLOWED: { status: 405, title: 'Method not allowed' },
  NOT_ACCEPTABLE: { status: 406, title: 'Not acceptable' },
  REQUEST_TIMEOUT: { status: 408, title: 'Request timeout' },
  PAYLOAD_TOO_LARGE: { status: 413, title: 'Payload too large' },
  PRECONDITION_REQUIRED: { status: 428, title: 'Precondition required' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'Unsupported media type' },
  RATE_LIMITED: { status: 429, title: 'Too many requests' },
  HEADERS_TOO_LARGE: { status: 431, title: 'Request header fields too large' },
  INTERNAL: { status: 500, title: 'Internal error' },
  NOT_IMPLEMENTED: { status: 501, title: 'Not implemented' },
  SERVICE_UNAVAILABLE: { status: 503, title: 'Service unavailable' },
  INVALID_IDEMPOTENCY_KEY: { status: 400, title: 'Invalid Idempotency-Key' },
  // signed media links, /files/... (API.md § Files)
  FILE_SIGNATURE_MISSING: { status: 403, title: 'File link not signed' },
  FILE_SIGNATURE_INVALID: { status: 403, title: 'File link signature invalid' },
  FILE_LINK_EXPIRED: { status: 403, title: 'File link expired' },
  FILE_NOT_FOUND: { status: 404, title: 'File not found' },
  RANGE_NOT_SATISFIABLE: { status: 416, title: 'Range not satisfiable' },
  NARRATION_AUDIO_NOT_READY: { status: 409, title: 'Narration audio not ready' },
  // decided by the service that owns the effect (docs/adr/0015-idempotency-keys.md)
  IDEMPOTENCY_KEY_REUSED: { status: 409, title: 'Idempotency-Key reused' },
  // passed through from identity (identity decides; the gateway maps the gRPC status)
  INVALID_EMAIL: { status: 400, title: 'Invalid email' },
  INVALID_PASSWORD: { status: 400, title: 'Invalid password' },
  INVALID_ROLE: { status: 400, title: 'Invalid role' },
  INVALID_ID: { status: 400, title: 'Invalid id' },
  INVALID_PERMISSION: { status: 400, title: 'Invalid permission' },
  INVALID_CREDENTIALS: { status: 401, title: 'Invalid credentials' },
  INVALID_REFRESH_TOKEN: { status: 401, title: 'Invalid refresh token' },
  TOKEN_REUSED: { status: 401, title: 'Refresh token reused' },
  USER_INACTIVE: { status: 401, title: 'Account deactivated' },
  CANNOT_CHANGE_OWN_ROLE: { status: 403, title: 'Cannot change own role' },
  ROLE_ASSIGNMENT_FORBIDDEN: { status: 403, title: 'Role assignment forbidden' },
  REAUTHENTICATION_REQUIRED: { status: 403, title: 'Reauthentication required' },
  USER_NOT_FOUND: { status: 404, title: 'User not found' },
  EMAIL_TAKEN: { status: 409, title: 'Email already registered' },
  IDENTITY_ALREADY_LINKED: { status: 409, title: 'Identity already linked' },
  OIDC_STATE_INVALID: { status: 400, title: 'Sign-in state invalid' },
  OIDC_LOGIN_FAILED: { status: 401, title: 'Provider sign-in failed' },
  OIDC_EMAIL_NOT_VERIFIED: { status: 403, title: 'Email not verified by the provider' },
  OIDC_PROVIDER_NOT_FOUND: { status: 404, title: 'Sign-in provider not found' },
  CONFLICT: { status: 409, title: 'Conflict' },
  VERSION_CONFLICT: { status: 412, title: 'Version conflict' },
  LAST_SUPER_ADMIN: { status: 422, title: 'Last super-admin' },
  BUSINESS_RULE_VIOLATION: { status: 422, title: 'Business rule violated' },
  // passed through from story (story decides)
  INVALID_CURSOR: { status: 400, title: 'Invalid cursor' },
  NOT_STORY_AUTHOR: { status: 403, title: 'Not the author' },
  FOLLOWERS_PRIVATE: { status: 403, title: 'Followers are private' },
  STORY_NOT_FOUND: { status: 404, title: 'Story not found' },
  AUTHOR_NOT_FOUND: { status: 404, title: 'Author not found' },
  STORY_ARCHIVED: { status: 409, title: 'Story archived' },
  STORY_PUBLISHED: { status: 409, title: 'Story published' },
  STORY_CONTENT_EMPTY: { status: 422, title: 'Story content empty' },
  CANNOT_FOLLOW_SELF: { status: 422, title: 'Cannot follow yourself' },
  QUOTA_EXCEEDED: { status: 422, title: 'Quota exceeded' },
  // passed through from notification (notification decides)
  NOTIFICATION_NOT_FOUND: { status: 404, title: 'Notification not found' },
  RECIPIENT_NOT_FOUND: { status: 404, title: 'Recipient not found' },
  // passed through from subscription (subscription decides)
  SUBSCRIPTION_NOT_FOUND: { status: 404, title: 'Subscription not found' },
  TIER_NOT_FOUND: { status: 404, title: 'Tier not found' },
  SUBSCRIPTION_CHANGE_PENDING: { status: 409, title: 'Subscription change pending' },
  ALREADY_SUBSCRIBED: { status: 422, title: 'Already subscribed' },
  TIER_NOT_PURCHASABLE: { status: 422, title: 'Tier not purchasable' },
  SUBSCRIPTION_NOT_CANCELLABLE: { status: 422, title: 'Subscription not cancellable' },
  SUBSCRIPTION_INACTIVE: { status: 422, title: 'Subscription inactive' },
  // passed through from payments (payments decides; a bad webhook signature is 400, docs/adr/0012-payment-webhooks.md)
  PAYMENT_NOT_FOUND: { status: 404, title: 'Payment not found' },
  PAYMENT_PROVIDER_NOT_FOUND: { status: 404, title: 'Payment provider not found' },
  WEBHOOK_SIGNATURE_INVALID: { status: 400, title: 'Webhook signature invalid' },
  WEBHOOK_PAYLOAD_INVALID: { status: 400, title: 'Webhook payload invalid' },
  // passed through from narration (narration decides; UNKNOWN_EMOTION is also the gateway's answer to a sample upload)
  UNKNOWN_EMOTION: { status: 400, title: 'Unknown emotion' },
  AUDIO_NOT_AUDIO: { status: 400, title: 'Not audio' },
  AUDIO_TOO_SHORT: { status: 400, title: 'Audio too short' },
  AUDIO_TOO_LONG: { status: 400, title: 'Audio too long' },
  AUDIO_SILENT: { status: 400, title: 'Audio silent' },
  VOICE_NOT_FOUND: { status: 404, title: 'Voice not found' },
  SAMPLE_NOT_FOUND: { status: 404, title: 'Sample not found' },
  NARRATION_NOT_FOUND: { status: 404, title: 'Narration not found' },
  SAMPLE_LOCKED: { status: 409, title: 'Sample locked' },
  VOICE_TRAINING: { status: 409, title: 'Voice in training' },
  VOICE_CLONING_NOT_IN_TIER: { status: 422, title: 'Voice cloning not in tier' },
  NOT_ENOUGH_EMOTIONS: { status: 422, title: 'Not enough emotions' },
  VOICE_NOT_READY: { status: 422, title: 'Voice not ready' },
  STORY_NOT_ANALYSED: { status: 422, title: 'Story not analysed' },
} as const satisfies Record<string, ErrorCodeInfo>;

export type GatewayErrorCode = keyof typeof ERROR_CODES;

export function isKnownCode(code: string): code is GatewayErrorCode {
  return Object.prototype.hasOwnProperty.call(ERROR_CODES, code);
}
