import { jsonNestsDeeperThan, MAX_JSON_DEPTH } from '@storytelling/platform';
import { webhookPayloadInvalid, webhookPayloadTooDeep, type FailureReason, type ProviderEvent } from '../../domain/index.js';

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** Decline codes Stripe sends (error.decline_code / last_payment_error) → PaymentFailed.reason. */
export function failureReasonOf(code: string | undefined, declineCode: string | undefined): FailureReason {
  if (declineCode === 'insufficient_funds' || code === 'insufficient_funds') return 'insufficient_funds';
  if (code === 'resource_missing' || code === 'payment_method_invalid' || code === 'token_already_used') return 'invalid_token';
  if (code === 'card_declined' || code === 'expired_card' || code === 'incorrect_cvc' || code === 'processing_error' || code === 'incorrect_number') return 'card_declined';
  return 'provider_error';
}

/**
 * Translates an event in Stripe's shape (`{id, type, data: {object}}`) into a ProviderEvent. The
 * sandbox sends the same shape, so one translation serves both. Understood types:
 * payment_intent.succeeded, payment_intent.payment_failed (data.object = PaymentIntent) and
 * charge.refunded (data.object = Charge, `amount_refunded` cumulative); the rest are `other`.
 * Our payment id travels in `metadata.payment_id`.
 */
export function translateStripeShapedEvent(parsed: unknown): ProviderEvent {
  if (!isObject(parsed)) throw webhookPayloadInvalid('not a JSON object');
  const id = str(parsed.id);
  const type = str(parsed.type);
  const object = isObject(parsed.data) ? parsed.data.object : undefined;
  if (!id || !type || !isObject(object)) throw webhookPayloadInvalid('id, type and data.object are required');
  const metadata = isObject(object.metadata) ? object.metadata : {};
  const paymentId = str(metadata.payment_id) ?? null;
  switch (type) {
    case 'payment_intent.succeeded': {
      const providerPaymentId = str(object.id);
      if (!providerPaymentId) throw webhookPayloadInvalid('payment intent without id');
      return { kind: 'payment_succeeded', id, type, paymentId, providerPaymentId };
    }
    case 'payment_intent.payment_failed': {
      const providerPaymentId = str(object.id);
      if (!providerPaymentId) throw webhookPayloadInvalid('payment intent without id');
      const error = isObject(object.last_payment_error) ? object.last_payment_error : {};
      return {
        kind: 'payment_failed',
        id,
        type,
        paymentId,
        providerPaymentId,
        reason: failureReasonOf(str(error.code), str(error.decline_code)),
        message: (str(error.message) ?? 'The payment failed.').slice(0, 500),
      };
    }
    case 'charge.refunded': {
      const providerPaymentId = str(object.payment_intent) ?? str(object.id);
      const total = object.amount_refunded;
      if (!providerPaymentId || typeof total !== 'number' || !Number.isSafeInteger(total) || total < 0) {
        throw webhookPayloadInvalid('charge without payment_intent or integer amount_refunded');
      }
      const refunds = isObject(object.refunds) && Array.isArray(object.refunds.data) ? object.refunds.data : [];
      const latest = refunds.find(isObject);
      return { kind: 'refunded', id, type, paymentId, providerPaymentId, totalRefundedMinor: total, providerRefundId: str(latest?.id) ?? '' };
    }
    default:
      return { kind: 'other', id, type };
  }
}

/**
 * A verified webhook's body as JSON. Its depth is bounded first, on the bytes, like the gateway's
 * JSON routes bound theirs: a body nested thousands deep parses, but storing it (JSON.stringify,
 * jsonb) would overflow the stack.
 */
export function parseJson(payload: Buffer): unknown {
  if (jsonNestsDeeperThan(payload, MAX_JSON_DEPTH)) throw webhookPayloadTooDeep(MAX_JSON_DEPTH);
  try {
    return JSON.parse(payload.toString('utf8')) as unknown;
  } catch {
    throw webhookPayloadInvalid('not JSON');
  }
}
