/** The subscription adapter's translation of the gRPC Subscription into the gateway's view. */
import type { subscription } from '@storytelling/contracts';
import { toSubscriptionView } from '../../src/infrastructure/subscription/grpc-subscription.adapter.js';

const base: subscription.Subscription = {
  id: '0190a0b0-0000-7000-8000-000000000001',
  userId: '0190a0b0-0000-7000-8000-000000000002',
  tier: 'gold',
  status: 'active',
  billingCycle: 'monthly',
  currentPeriodStart: '2031-01-01T00:00:00.000Z',
  currentPeriodEnd: '2031-02-01T00:00:00.000Z',
  cancelAtPeriodEnd: false,
  usage: [{ resource: 'stories', used: 2, limit: 50, reserved: 0 }],
  version: 4,
  graceEndsAt: '',
};

describe('toSubscriptionView', () => {
  it('graceEndsAt is null outside a grace period (empty in the message)', () => {
    expect(toSubscriptionView(base).graceEndsAt).toBeNull();
  });

  it('a failed renewal in its grace period shows when the paid tier ends', () => {
    const view = toSubscriptionView({ ...base, status: 'payment_failed', graceEndsAt: '2031-02-08T00:00:00.000Z' });
    expect(view).toMatchObject({ tier: 'gold', status: 'payment_failed', graceEndsAt: '2031-02-08T00:00:00.000Z' });
  });
});
