import { createHmac, timingSafeEqual } from 'node:crypto';
import type { ProviderEvent } from '../../domain/index.js';
import { webhookSignatureInvalid } from '../../domain/index.js';
import type { WebhookDelivery, WebhookVerifier } from '../../application/ports/index.js';
import { parseJson, translateStripeShapedEvent } from './stripe-shaped-event.js';

/** Stripe's default, and ours: a signed event older (or further in the future) than 5 minutes is refused. */
export const WEBHOOK_TOLERANCE_SECONDS = 300;

export const SANDBOX_SIGNATURE_HEADER = 'sandbox-signature';

/** `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<payload>")>`: Stripe's scheme. */
export function signatureHeader(payload: Buffer | string, secret: string, timestampSeconds: number): string {
  const mac = createHmac('sha256', secret).update(`${timestampSeconds}.`).update(payload).digest('hex');
  return `t=${timestampSeconds},v1=${mac}`;
}

/**
 * The sandbox's webhooks: Stripe's signature scheme in the `sandbox-signature` header, keyed by
 * SANDBOX_WEBHOOK_SECRET, events in Stripe's shape. Written here (not the SDK) so the sandbox
 * needs nothing of Stripe's; the Stripe verifier uses the SDK.
 */
export class SandboxWebhookVerifier implements WebhookVerifier {
  readonly provider = 'sandbox';

  constructor(
    private readonly secret: string,
    private readonly toleranceSeconds = WEBHOOK_TOLERANCE_SECONDS,
  ) {}

  verify(delivery: WebhookDelivery): ProviderEvent {
    const header = delivery.headers[SANDBOX_SIGNATURE_HEADER];
    if (!header) throw webhookSignatureInvalid(`no ${SANDBOX_SIGNATURE_HEADER} header`);
    const parts = header.split(',').map((p) => p.trim().split('='));
    const t = Number(parts.find(([k]) => k === 't')?.[1]);
    const signatures = parts.filter(([k, v]) => k === 'v1' && v).map(([, v]) => v!);
    if (!Number.isInteger(t) || signatures.length === 0) throw webhookSignatureInvalid('malformed signature header');
    const expected = Buffer.from(signatureHeader(delivery.payload, this.secret, t).split('v1=')[1]!, 'hex');
    const matches = signatures.some((s) => {
      const given = Buffer.from(s, 'hex');
      return given.length === expected.length && timingSafeEqual(given, expected);
    });
    if (!matches) throw webhookSignatureInvalid('no signature matches');
    const age = Math.floor(delivery.receivedAt.getTime() / 1000) - t;
    if (Math.abs(age) > this.toleranceSeconds) throw webhookSignatureInvalid('timestamp outside the tolerance');
    return translateStripeShapedEvent(parseJson(delivery.payload));
  }
}
