/**
 * The subscription routes' HTTP layer against a fake SubscriptionPort: shapes (tiers public,
 * prices as strings, null = unlimited), 202 + Location for a change, validation before the
 * service is called, the caller's token and Idempotency-Key forwarded, the service's codes
 * passed through, 503 when subscription is down. The real rules run in the e2e test.
 */
import request from 'supertest';
import { fakeGatewayWithMember, type FakeGateway } from '../support/app.js';
import { grpcError } from '../support/fake-identity.js';
import { FAKE_TIERS } from '../support/fake-subscription.js';
import { expectProblem } from '../support/http.js';

describe('subscription routes (fake subscription service)', () => {
  let gw: FakeGateway;
  let token: string;

  beforeAll(async () => {
    ({ gw, token } = await fakeGatewayWithMember());
  });
  afterAll(() => gw.app.close());
  beforeEach(() => gw.subscription.reset());

  const as = (r: request.Test, t = token) => r.set('authorization', `Bearer ${t}`);
  const body = { tierId: 'gold', billingCycle: 'monthly', paymentMethod: { token: 'tok_visa' } };

  it('GET /subscription/tiers is public: {items} with decimal prices and null for unlimited', async () => {
    const res = await request(gw.server).get('/api/v1/subscription/tiers');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ items: FAKE_TIERS });
    expect(res.body.items[3].limits.storiesPerMonth).toBeNull();
    expect(gw.subscription.calls[0]!.context?.bearerToken).toBeUndefined();
    expectProblem(await request(gw.server).get('/api/v1/subscription/tiers?x=1'), 400, 'VALIDATION_FAILED');
  });

  it("GET /subscription answers the caller's subscription with usage per resource; anonymous is 401", async () => {
    const res = await as(request(gw.server).get('/api/v1/subscription'));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ tier: 'free', status: 'active', billingCycle: 'monthly', cancelAtPeriodEnd: false, pendingChange: null, graceEndsAt: null });
    expect(res.body.usage).toEqual({ stories: { used: 1, limit: 3 }, narrations: { used: 0, limit: 3 }, videos: { used: 0, limit: 0 } });
    expect(gw.subscription.calls[0]!.context?.bearerToken).toBe(token);
    expectProblem(await request(gw.server).get('/api/v1/subscription'), 401, 'UNAUTHENTICATED');
  });

  it('POST /subscription: 202 with the pending change and a Location; the Idempotency-Key travels to the service', async () => {
    const t = await gw.identity.tokenFor('member');
    const res = await as(request(gw.server).post('/api/v1/subscription'), t).set('idempotency-key', 'key-123').send(body);
    expect(res.status).toBe(202);
    expect(res.headers.location).toBe('/api/v1/subscription');
    expect(res.body.pendingChange).toEqual({ tier: 'gold', billingCycle: 'monthly', status: 'payment_pending', effectiveAt: null, failureReason: null });
    const call = gw.subscription.calls.find((c) => c.method === 'changeSubscription')!;
    expect(call.args[0]).toEqual({ tierId: 'gold', billingCycle: 'monthly', paymentToken: 'tok_visa' });
    expect(call.context).toMatchObject({ bearerToken: t, idempotencyKey: 'key-123' });
    expectProblem(await as(request(gw.server).post('/api/v1/subscription'), t).send(body), 409, 'SUBSCRIPTION_CHANGE_PENDING');
  });

  it.each([
    [{ ...body, billingCycle: 'weekly' }, 'billingCycle'],
    [{ ...body, tierId: 'Gold Plan' }, 'tierId'],
    [{ tierId: 'gold', billingCycle: 'monthly' }, 'paymentMethod'],
    [{ ...body, paymentMethod: { token: '' } }, 'paymentMethod.token'],
    [{ ...body, extra: true }, 'extra'],
  ])('POST /subscription rejects %j (field %s) before calling the service', async (bad, field) => {
    const res = await as(request(gw.server).post('/api/v1/subscription')).send(bad);
    expectProblem(res, 400, 'VALIDATION_FAILED');
    expect((res.body.errors as Array<{ field: string }>).map((e) => e.field)).toContain(field);
    expect(gw.subscription.calls).toEqual([]);
  });

  it("passes the service's codes through: TIER_NOT_FOUND 404, TIER_NOT_PURCHASABLE 422, IDEMPOTENCY_KEY_REUSED 409", async () => {
    const t = await gw.identity.tokenFor('member');
    expectProblem(await as(request(gw.server).post('/api/v1/subscription'), t).send({ ...body, tierId: 'diamond' }), 404, 'TIER_NOT_FOUND');
    gw.subscription.failWith = grpcError(9, 'free is not bought', 'TIER_NOT_PURCHASABLE');
    expectProblem(await as(request(gw.server).post('/api/v1/subscription'), t).send({ ...body, tierId: 'free' }), 422, 'TIER_NOT_PURCHASABLE');
    gw.subscription.failWith = grpcError(6, 'reused', 'IDEMPOTENCY_KEY_REUSED');
    expectProblem(await as(request(gw.server).post('/api/v1/subscription'), t).set('idempotency-key', 'k').send(body), 409, 'IDEMPOTENCY_KEY_REUSED');
    expectProblem(await as(request(gw.server).post('/api/v1/subscription'), t).set('idempotency-key', ' ').send(body), 400, 'INVALID_IDEMPOTENCY_KEY');
  });

  it('POST /subscription/cancel: 200 with cancelAtPeriodEnd for a paid subscription, 422 for free; 503 when subscription is down', async () => {
    const t = await gw.identity.tokenFor('member');
    expectProblem(await as(request(gw.server).post('/api/v1/subscription/cancel'), t), 422, 'SUBSCRIPTION_NOT_CANCELLABLE');
    for (const s of gw.subscription.subscriptions.values()) s.tier = 'gold';
    const res = await as(request(gw.server).post('/api/v1/subscription/cancel'), t);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ tier: 'gold', cancelAtPeriodEnd: true });
    gw.subscription.failWith = grpcError(14, 'connection refused');
    expectProblem(await as(request(gw.server).get('/api/v1/subscription')), 503, 'SERVICE_UNAVAILABLE');
  });

  it('the OpenAPI document describes the four routes', async () => {
    const doc = (await request(gw.server).get('/openapi.json')).body as { paths: Record<string, Record<string, { responses: Record<string, unknown> }>> };
    expect(Object.keys(doc.paths['/api/v1/subscription/tiers']!)).toEqual(['get']);
    expect(Object.keys(doc.paths['/api/v1/subscription']!).sort()).toEqual(['get', 'post']);
    expect(doc.paths['/api/v1/subscription']!.post!.responses['202']).toBeDefined();
    expect(doc.paths['/api/v1/subscription/cancel']!.post!.responses['200']).toBeDefined();
  });
});
