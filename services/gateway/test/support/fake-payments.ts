import { createHmac } from 'node:crypto';
import { decodeCursor, encodeCursor, uuidv7 } from '@storytelling/kernel';
import { WebhookSignatureRejectedError, type PaymentView, type PaymentsPort } from '../../src/application/payments.port.js';
import type { Page, PageRequest } from '../../src/application/story.port.js';
import { FakePort } from './fake-port.js';
import { grpcError } from './grpc-error.js';

export const FAKE_WEBHOOK_SECRET = 'fake-sandbox-secret';

/**
 * In-memory stand-in for the payments service behind the PaymentsPort, for tests of the HTTP
 * layer: per-caller history with a cursor, and webhooks checked like the service does (the
 * sandbox's `sandbox-signature` over the raw bytes) so a test sees exactly which bytes and headers
 * the gateway forwarded. The real rules run in gateway-payments.e2e.test.ts.
 */
export class FakePayments extends FakePort implements PaymentsPort {
  readonly payments: Array<PaymentView & { owner: string }> = [];
  readonly webhooks: Array<{ provider: string; payload: Buffer; headers: Record<string, string> }> = [];

  constructor() {
    super('payments');
  }

  add(owner: string, amountMinor: number, status: PaymentView['status'] = 'succeeded'): PaymentView {
    const now = new Date().toISOString();
    const payment = {
      owner,
      id: uuidv7(),
      subscriptionId: uuidv7(),
      amountMinor,
      currency: 'USD',
      amount: `${Math.floor(amountMinor / 100)}.${String(amountMinor % 100).padStart(2, '0')}`,
      status,
      provider: 'sandbox',
      failureReason: status === 'failed' ? 'card_declined' : null,
      refundedMinor: 0,
      description: 'gold, monthly',
      createdAt: now,
      updatedAt: now,
    };
    this.payments.unshift(payment);
    return payment;
  }

  async listPayments(page: PageRequest): Promise<Page<PaymentView>> {
    this.record('listPayments', page);
    const mine = this.payments.filter((p) => p.owner === this.callerId());
    // Real cursors (the gateway decodes them as the services do), positioned by the item's id.
    const after = decodeCursor(page.cursor);
    const start = after ? mine.findIndex((p) => p.id === after.id) + 1 : 0;
    const slice = mine.slice(start, start + page.limit);
    const last = slice[slice.length - 1];
    const more = start + page.limit < mine.length && last !== undefined;
    return { items: slice.map(({ owner: _owner, ...p }) => p), nextCursor: more ? encodeCursor({ at: new Date(last.createdAt), id: last.id }) : null };
  }

  async handleWebhook(provider: string, payload: Buffer, headers: Readonly<Record<string, string>>): Promise<void> {
    this.record('handleWebhook', provider);
    if (provider !== 'sandbox') throw grpcError(5, `payment provider "${provider}" not found`, 'PAYMENT_PROVIDER_NOT_FOUND');
    const header = headers['sandbox-signature'] ?? '';
    const t = /t=(\d+)/.exec(header)?.[1];
    const expected = t ? createHmac('sha256', FAKE_WEBHOOK_SECRET).update(`${t}.`).update(payload).digest('hex') : undefined;
    if (!expected || !header.includes(`v1=${expected}`)) throw new WebhookSignatureRejectedError('no signature matches');
    this.webhooks.push({ provider, payload: Buffer.from(payload), headers: { ...headers } });
  }

}

export function sandboxSignature(payload: Buffer | string, secret = FAKE_WEBHOOK_SECRET, t = Math.floor(Date.now() / 1000)): string {
  return `t=${t},v1=${createHmac('sha256', secret).update(`${t}.`).update(payload).digest('hex')}`;
}
