import type { IncomingMessage } from 'node:http';
import bodyParser from 'body-parser';
import { currentContext, runWithContext } from '@storytelling/platform';
import { pathBelowApi, type RawMiddleware, type RequestWithBody } from './raw-middleware.js';

/** POST /payments/webhooks/:provider, below the API prefix (matched like express routes). */
export const PAYMENT_WEBHOOK_PATH = /^\/payments\/webhooks\/[^/]+\/?$/i;

/** Stripe's events are a few KB; the largest stay well below this. */
export const WEBHOOK_BODY_LIMIT_BYTES = 512 * 1024;

export function isPaymentWebhook(req: IncomingMessage): boolean {
  return req.method === 'POST' && PAYMENT_WEBHOOK_PATH.test(pathBelowApi(req.url) ?? '');
}

/**
 * Provider webhooks are signed over the exact bytes sent, so their route must not go through the
 * JSON parser (which would re-encode them): this reads the raw body (any content type, up to
 * `limitBytes`, 413 beyond, never inflated) into `req.body` as a Buffer. Every other request goes
 * to `otherwise` (the JSON body middleware).
 */
export function rawWebhookBodyMiddleware(otherwise: RawMiddleware, limitBytes = WEBHOOK_BODY_LIMIT_BYTES): RawMiddleware {
  const raw = bodyParser.raw({ limit: limitBytes, inflate: false, type: () => true }) as RawMiddleware;
  return (request, res, next): void => {
    const req = request as RequestWithBody;
    if (!isPaymentWebhook(req)) {
      otherwise(req, res, next);
      return;
    }
    const context = currentContext();
    raw(req, res, (err?: unknown) => {
      if (!Buffer.isBuffer(req.body)) req.body = Buffer.alloc(0);
      // raw-body resumes from stream events, outside the request's async context: re-enter it.
      const proceed = (): void => (err ? next(err) : next());
      if (context) runWithContext(context, proceed);
      else proceed();
    });
  };
}
