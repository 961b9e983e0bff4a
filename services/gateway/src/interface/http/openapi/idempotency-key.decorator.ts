import { ApiHeader } from '@nestjs/swagger';

/**
 * Documents the `Idempotency-Key` header of a POST that creates or charges (API.md). The
 * request-context middleware validates it and forwards it; the service that owns the effect
 * honours it (docs/adr/0015-idempotency-keys.md).
 */
export function ApiIdempotencyKey(): MethodDecorator & ClassDecorator {
  return ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description:
      '1..255 visible ASCII characters (a UUID is a good choice). The same key and body within 24 h returns the first result; ' +
      'the same key with another body is 409 IDEMPOTENCY_KEY_REUSED; a malformed key is 400 INVALID_IDEMPOTENCY_KEY.',
  });
}
