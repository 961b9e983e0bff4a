/**
 * The payments routes' HTTP layer against a fake PaymentsPort: the history's paging and
 * validation, the caller's token forwarded, and the webhook route receiving the raw bytes (not
 * re-encoded JSON) with only the signature headers, public, 204 / 400 / 404 / 413. The real rules
 * run in gateway-payments.e2e.test.ts.
 */
import request from 'supertest';
import { encodeCursor, uuidv7 } from '@storytelling/kernel';
import { fakeGatewayWithMember, type FakeGateway } from '../support/app.js';
import { grpcError } from '../support/fake-identity.js';
import { sandboxSignature } from '../support/fake-payments.js';
import { expectProblem } from '../support/http.js';

describe('payments routes (fake payments service)', () => {
  let gw: FakeGateway;
  let token: string;
  let userId: string;

  beforeAll(async () => {
    ({ gw, userId, token } = await fakeGatewayWithMember());
  });
  afterAll(() => gw.app.close());
  beforeEach(() => {
    gw.payments.reset();
    gw.payments.webhooks.length = 0;
  });

  const as = (r: request.Test, t = token) => r.set('authorization', `Bearer ${t}`);

  describe('GET /payments', () => {
    it("lists the caller's payments newest first with minor units, currency and decimal amount; pages with nextCursor", async () => {
      gw.payments.add(userId, 999);
      gw.payments.add(userId, 1999, 'failed');
      gw.payments.add(uuidv7(), 5);
      const res = await as(request(gw.server).get('/api/v1/payments?limit=1'));
      expect(res.status).toBe(200);
      expect(res.body.items).toEqual([expect.objectContaining({ amountMinor: 1999, currency: 'USD', amount: '19.99', status: 'failed', failureReason: 'card_declined' })]);
      expect(gw.payments.calls[0]!.context?.bearerToken).toBe(token);
      const next = await as(request(gw.server).get(`/api/v1/payments?limit=1&cursor=${res.body.nextCursor}`));
      expect(next.body).toEqual({ items: [expect.objectContaining({ amountMinor: 999, amount: '9.99' })], nextCursor: null });
      expect((await as(request(gw.server).get('/api/v1/payments'))).body.items).toHaveLength(2);
      expect(gw.payments.calls.map((c) => c.args[0])).toEqual([{ limit: 1 }, { limit: 1, cursor: expect.any(String) }, { limit: 20 }]);
    });

    it('rejects bad queries and anonymous callers without calling the service', async () => {
      const res = await as(request(gw.server).get('/api/v1/payments?limit=0&userId=x'));
      expectProblem(res, 400, 'VALIDATION_FAILED');
      expectProblem(await request(gw.server).get('/api/v1/payments'), 401, 'UNAUTHENTICATED');
      expect(gw.payments.calls).toEqual([]);
    });

    it("passes the service's INVALID_CURSOR through and answers 503 when payments is down", async () => {
      gw.payments.failWith = grpcError(3, 'invalid cursor', 'INVALID_CURSOR');
      // A cursor the gateway can decode: the service is the one that refuses it here.
      const cursor = encodeCursor({ at: new Date(), id: uuidv7() });
      expectProblem(await as(request(gw.server).get(`/api/v1/payments?cursor=${cursor}`)), 400, 'INVALID_CURSOR');
      gw.payments.failWith = grpcError(14, 'connection refused');
      expectProblem(await as(request(gw.server).get('/api/v1/payments')), 503, 'SERVICE_UNAVAILABLE');
    });
  });

  describe('POST /payments/webhooks/:provider', () => {
    // Whitespace and key order a JSON parser would not keep: the signature covers these exact bytes.
    const body = '{"type":"payment_intent.succeeded",  "id":"evt_1","data":{"object":{"id":"pi_1"}}}\n';

    it('is public and forwards the raw bytes and the signature header only: 204', async () => {
      const res = await request(gw.server)
        .post('/api/v1/payments/webhooks/sandbox')
        .set('content-type', 'application/json')
        .set('sandbox-signature', sandboxSignature(body))
        .set('cookie', 'session=secret')
        .set('authorization', 'Bearer whatever')
        .send(body);
      expect(res.status).toBe(204);
      expect(gw.payments.webhooks).toHaveLength(1);
      expect(gw.payments.webhooks[0]!.payload.toString('utf8')).toBe(body);
      expect(Object.keys(gw.payments.webhooks[0]!.headers).sort()).toEqual(['content-type', 'sandbox-signature']);
    });

    it('takes any content type (no 415) and a body without a known type', async () => {
      const res = await request(gw.server).post('/api/v1/payments/webhooks/sandbox').set('content-type', 'text/plain').set('sandbox-signature', sandboxSignature(body)).send(body);
      expect(res.status).toBe(204);
    });

    it('a bad signature is 400 WEBHOOK_SIGNATURE_INVALID (no Bearer challenge); an unknown provider 404', async () => {
      const res = await request(gw.server).post('/api/v1/payments/webhooks/sandbox').set('content-type', 'application/json').set('sandbox-signature', sandboxSignature(body, 'other')).send(body);
      expectProblem(res, 400, 'WEBHOOK_SIGNATURE_INVALID');
      expect(res.headers['www-authenticate']).toBeUndefined();
      expectProblem(await request(gw.server).post('/api/v1/payments/webhooks/paypal').set('content-type', 'application/json').send(body), 404, 'PAYMENT_PROVIDER_NOT_FOUND');
      expectProblem(await request(gw.server).post('/api/v1/payments/webhooks/Bad!Name').send(body), 400, 'VALIDATION_FAILED');
    });

    it('refuses bodies over the webhook limit with 413 before calling the service', async () => {
      const big = `{"pad":"${'x'.repeat(600 * 1024)}"}`;
      expectProblem(await request(gw.server).post('/api/v1/payments/webhooks/sandbox').set('content-type', 'application/json').send(big), 413, 'PAYLOAD_TOO_LARGE');
      expect(gw.payments.calls).toEqual([]);
    });

    it('leaves JSON parsing of other routes alone (still 415 for non-JSON)', async () => {
      expectProblem(await as(request(gw.server).post('/api/v1/stories').set('content-type', 'text/plain').send('hi')), 415, 'UNSUPPORTED_MEDIA_TYPE');
    });
  });

  it('documents the routes in OpenAPI', async () => {
    const res = await request(gw.server).get('/openapi.json');
    const paths = res.body.paths as Record<string, Record<string, { security?: unknown[]; responses?: Record<string, unknown> }>>;
    expect(Object.keys(paths['/api/v1/payments'] ?? {})).toEqual(['get']);
    expect(Object.keys(paths['/api/v1/payments/webhooks/{provider}'] ?? {})).toEqual(['post']);
    expect(Object.keys(paths['/api/v1/payments/webhooks/{provider}']!.post!.responses ?? {})).toEqual(expect.arrayContaining(['204', '400', '404', '413']));
    expect(res.body.components.schemas.PaymentDto.properties).toHaveProperty('amountMinor');
  });
});
