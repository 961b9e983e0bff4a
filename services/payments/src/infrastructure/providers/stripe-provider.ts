import Stripe from 'stripe';
import type { ProviderEvent } from '../../domain/index.js';
import { webhookSignatureInvalid } from '../../domain/index.js';
import {
  ProviderRejectedError,
  ProviderUnavailableError,
  type ChargeRequest,
  type ChargeResult,
  type PaymentProvider,
  type RefundRequest,
  type RefundResult,
  type WebhookDelivery,
  type WebhookVerifier,
} from '../../application/ports/index.js';
import { WEBHOOK_TOLERANCE_SECONDS } from './signed-webhook.js';
import { failureReasonOf, parseJson, translateStripeShapedEvent } from './stripe-shaped-event.js';

export interface StripeSettings {
  secretKey: string;
  /** Another API host (a local server speaking Stripe's API, for tests), e.g. http://127.0.0.1:12111. */
  apiBaseUrl?: string | undefined;
  timeoutMs?: number;
  /** The SDK's own retries (same idempotency key); the consumer retries on top. Default 0. */
  maxNetworkRetries?: number;
}

/** Stripe SDK config for the API base URL (the SDK takes host/port/protocol separately). */
export function stripeClientConfig(settings: StripeSettings): ConstructorParameters<typeof Stripe>[1] {
  const config: NonNullable<ConstructorParameters<typeof Stripe>[1]> = {
    maxNetworkRetries: settings.maxNetworkRetries ?? 0,
    timeout: settings.timeoutMs ?? 20_000,
    telemetry: false,
  };
  if (settings.apiBaseUrl) {
    const url = new URL(settings.apiBaseUrl);
    const protocol = url.protocol === 'http:' ? 'http' : 'https';
    config.host = url.hostname;
    config.port = url.port === '' ? (protocol === 'http' ? 80 : 443) : Number(url.port);
    config.protocol = protocol;
  }
  return config;
}

interface StripeLikeError {
  type?: string;
  code?: string;
  decline_code?: string;
  message?: string;
  statusCode?: number;
  raw?: { payment_intent?: { id?: string } };
}

/**
 * Stripe through the official SDK: a charge is one PaymentIntent created and confirmed at once
 * (`payment_method` = the client's token, no redirects) with our payment id as the Idempotency-Key;
 * a refund is a Refund on that PaymentIntent with the refund's id as key. Errors:
 * card errors → declines (card_declined / insufficient_funds by decline_code); a missing payment
 * method → invalid_token; 5xx, network, rate limits → ProviderUnavailableError (retried);
 * authentication, permission, idempotency-key misuse and other 4xx → ProviderRejectedError.
 */
export class StripePaymentProvider implements PaymentProvider {
  readonly name = 'stripe';
  private readonly stripe: Stripe;

  constructor(settings: StripeSettings) {
    this.stripe = new Stripe(settings.secretKey, stripeClientConfig(settings));
  }

  async charge(request: ChargeRequest): Promise<ChargeResult> {
    let intent: Stripe.PaymentIntent;
    try {
      intent = await this.stripe.paymentIntents.create(
        {
          amount: request.amountMinor,
          currency: request.currency.toLowerCase(),
          payment_method: request.paymentMethod,
          confirm: true,
          automatic_payment_methods: { enabled: true, allow_redirects: 'never' },
          description: request.description || undefined,
          metadata: { ...request.metadata },
        },
        { idempotencyKey: request.paymentId },
      );
    } catch (err) {
      const e = err as StripeLikeError;
      if (e.type === 'StripeCardError') {
        const providerPaymentId = e.raw?.payment_intent?.id;
        return {
          outcome: 'declined',
          reason: failureReasonOf(e.code, e.decline_code),
          message: (e.message ?? 'Your card was declined.').slice(0, 500),
          ...(providerPaymentId ? { providerPaymentId } : {}),
        };
      }
      if (e.type === 'StripeInvalidRequestError' && (e.code === 'resource_missing' || e.code === 'payment_method_invalid') ) {
        return { outcome: 'declined', reason: 'invalid_token', message: (e.message ?? 'No such payment method.').slice(0, 500) };
      }
      throw classify(err, 'charge');
    }
    switch (intent.status) {
      case 'succeeded':
        return { outcome: 'succeeded', providerPaymentId: intent.id };
      case 'processing':
        return { outcome: 'pending', providerPaymentId: intent.id };
      default: {
        // requires_payment_method (declined after confirm), requires_action (3-D Secure: not offered), canceled.
        const error = intent.last_payment_error;
        return {
          outcome: 'declined',
          reason: error ? failureReasonOf(error.code, error.decline_code) : 'card_declined',
          message: (error?.message ?? `payment ${intent.status}`).slice(0, 500),
          providerPaymentId: intent.id,
        };
      }
    }
  }

  async refund(request: RefundRequest): Promise<RefundResult> {
    try {
      const refund = await this.stripe.refunds.create(
        { payment_intent: request.providerPaymentId, amount: request.amountMinor, metadata: { payment_id: request.paymentId, reason: request.reason.slice(0, 500) } },
        { idempotencyKey: request.idempotencyKey },
      );
      return { providerRefundId: refund.id };
    } catch (err) {
      throw classify(err, 'refund');
    }
  }
}

function classify(err: unknown, what: string): Error {
  const e = err as StripeLikeError;
  const detail = `stripe ${what}: ${e.type ?? 'error'}${e.statusCode ? ` ${e.statusCode}` : ''}: ${e.message ?? String(err)}`;
  const retryable =
    e.type === 'StripeAPIError' ||
    e.type === 'StripeConnectionError' ||
    e.type === 'StripeRateLimitError' ||
    (e.statusCode !== undefined && e.statusCode >= 500) ||
    e.statusCode === 409 || // Stripe's "a request with this key is in progress": retry later.
    e.type === undefined;
  return retryable ? new ProviderUnavailableError(detail, { cause: err }) : new ProviderRejectedError(detail, { cause: err });
}

/**
 * Stripe's webhooks, verified by the SDK (`stripe-signature`, HMAC-SHA256, 300 s tolerance). Only
 * the signature is the SDK's (`verifyHeader`; `constructEvent` would also parse the body): the
 * body is parsed by parseJson, as the sandbox's is, after its depth is bounded.
 */
export class StripeWebhookVerifier implements WebhookVerifier {
  readonly provider = 'stripe';

  constructor(
    private readonly secret: string,
    private readonly toleranceSeconds = WEBHOOK_TOLERANCE_SECONDS,
  ) {}

  verify(delivery: WebhookDelivery): ProviderEvent {
    const header = delivery.headers['stripe-signature'];
    if (!header) throw webhookSignatureInvalid('no stripe-signature header');
    const signature = Stripe.webhooks.signature;
    if (!signature) throw new Error('the Stripe SDK has no webhook signature helper');
    try {
      signature.verifyHeader(delivery.payload, header, this.secret, this.toleranceSeconds, undefined, delivery.receivedAt.getTime());
    } catch (err) {
      throw webhookSignatureInvalid((err as Error).message);
    }
    return translateStripeShapedEvent(parseJson(delivery.payload));
  }
}
