import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  /** The form-encoded body, decoded (`metadata[payment_id]` keys kept as Stripe writes them). */
  form: Record<string, string>;
}

type Reply = { status: number; body: unknown };

/**
 * A local HTTP server answering the Stripe endpoints the adapter uses — POST /v1/payment_intents
 * and POST /v1/refunds — as Stripe does: form-encoded bodies, Bearer key, Idempotency-Key (the same
 * key replays the first answer), Stripe's error JSON `{error: {type, code, decline_code, message}}`.
 * Payment methods follow Stripe's test tokens: `pm_card_visa` succeeds,
 * `pm_card_chargeDeclined` card_declined, `pm_card_chargeDeclinedInsufficientFunds`
 * insufficient_funds, `pm_card_processing` stays processing, `pm_missing` does not exist.
 * `failNext(n)` answers the next n requests 500 (an outage).
 */
export class FakeStripe {
  readonly requests: RecordedRequest[] = [];
  readonly key = 'sk_test_fake_0123456789';
  private readonly replies = new Map<string, Reply>();
  private failures = 0;
  private seq = 0;
  private server!: Server;
  url = '';

  static async start(): Promise<FakeStripe> {
    const fake = new FakeStripe();
    fake.server = createServer((req, res) => void fake.handle(req, res));
    await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve));
    fake.url = `http://127.0.0.1:${(fake.server.address() as AddressInfo).port}`;
    return fake;
  }

  failNext(n: number): void {
    this.failures = n;
  }

  /** Charges actually created (idempotent replays not counted). */
  get created(): number {
    return [...this.replies.keys()].filter((k) => k.startsWith('/v1/payment_intents|')).length;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const form = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
    const path = (req.url ?? '').split('?')[0]!;
    this.requests.push({ method: req.method ?? '', path, headers, form });
    const send = (reply: Reply) => {
      res.writeHead(reply.status, { 'content-type': 'application/json', 'request-id': `req_${++this.seq}` });
      res.end(JSON.stringify(reply.body));
    };
    if (headers.authorization !== `Bearer ${this.key}`) {
      return send({ status: 401, body: { error: { type: 'invalid_request_error', message: 'Invalid API Key provided' } } });
    }
    if (this.failures > 0) {
      this.failures--;
      return send({ status: 500, body: { error: { type: 'api_error', message: 'An unknown error occurred' } } });
    }
    const key = headers['idempotency-key'];
    const cacheKey = key ? `${path}|${key}` : undefined;
    if (cacheKey && this.replies.has(cacheKey)) return send(this.replies.get(cacheKey)!);
    let reply: Reply;
    if (req.method === 'POST' && path === '/v1/payment_intents') reply = this.paymentIntent(form);
    else if (req.method === 'POST' && path === '/v1/refunds') reply = this.refund(form);
    else reply = { status: 404, body: { error: { type: 'invalid_request_error', message: `Unrecognized request URL (${req.method}: ${path})` } } };
    if (cacheKey && reply.status < 500) this.replies.set(cacheKey, reply);
    send(reply);
  }

  private paymentIntent(form: Record<string, string>): Reply {
    const id = `pi_fake_${++this.seq}`;
    const intent = (status: string, extra: Record<string, unknown> = {}) => ({
      id,
      object: 'payment_intent',
      amount: Number(form.amount),
      currency: form.currency,
      status,
      metadata: Object.fromEntries(Object.entries(form).filter(([k]) => k.startsWith('metadata[')).map(([k, v]) => [k.slice(9, -1), v])),
      ...extra,
    });
    const decline = (code: string, declineCode: string, message: string): Reply => ({
      status: 402,
      body: { error: { type: 'card_error', code, decline_code: declineCode, message, payment_intent: intent('requires_payment_method') } },
    });
    switch (form.payment_method) {
      case 'pm_card_visa':
        return { status: 200, body: intent('succeeded') };
      case 'pm_card_processing':
        return { status: 200, body: intent('processing') };
      case 'pm_card_chargeDeclined':
        return decline('card_declined', 'generic_decline', 'Your card was declined.');
      case 'pm_card_chargeDeclinedInsufficientFunds':
        return decline('card_declined', 'insufficient_funds', 'Your card has insufficient funds.');
      default:
        return {
          status: 400,
          body: { error: { type: 'invalid_request_error', code: 'resource_missing', param: 'payment_method', message: `No such PaymentMethod: '${form.payment_method}'` } },
        };
    }
  }

  private refund(form: Record<string, string>): Reply {
    if (!form.payment_intent?.startsWith('pi_')) {
      return { status: 400, body: { error: { type: 'invalid_request_error', code: 'resource_missing', message: 'No such payment_intent' } } };
    }
    return { status: 200, body: { id: `re_fake_${++this.seq}`, object: 'refund', amount: Number(form.amount), payment_intent: form.payment_intent, status: 'succeeded' } };
  }
}
