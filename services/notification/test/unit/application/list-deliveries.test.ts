import { ListDeliveriesQuery } from '../../../src/application/index.js';
import { failure, unitApp, userId } from '../../support/unit-app.js';

describe('ListDeliveries (support)', () => {
  it('support staff list by recipient or by source event, newest first, page by page', async () => {
    const app = unitApp();
    const ann = await app.recipient('Ann');
    app.clock.advance(1_000);
    const bob = await app.recipient('Bob');
    const support = { userId: userId(), role: 'customer-support' };
    const byAnn = await app.listDeliveries.execute(new ListDeliveriesQuery(support, { recipientId: ann.userId.toUpperCase(), sourceEventId: '' }, { limit: 1 }));
    expect(byAnn.items.map((d) => [d.recipientId, d.type])).toEqual([[ann.userId, 'welcome']]);
    const rest = await app.listDeliveries.execute(new ListDeliveriesQuery(support, { recipientId: ann.userId, sourceEventId: '' }, { limit: 5, cursor: byAnn.nextCursor! }));
    expect([...byAnn.items, ...rest.items].map((d) => d.channel).sort()).toEqual(['email', 'in_app']);
    const source = app.deliveriesOf(bob.userId)[0]!.sourceEventId;
    const bySource = await app.listDeliveries.execute(new ListDeliveriesQuery({ userId: userId(), role: 'admin' }, { recipientId: '', sourceEventId: source }, {}));
    expect(bySource.items.map((d) => d.recipientId)).toEqual([bob.userId, bob.userId]);
  });

  it('members are FORBIDDEN; a filter is required and must be UUIDs', async () => {
    const app = unitApp();
    const ann = await app.recipient('Ann');
    expect(await failure(app.listDeliveries.execute(new ListDeliveriesQuery(ann, { recipientId: ann.userId, sourceEventId: '' }, {})))).toBe('forbidden:FORBIDDEN');
    const admin = { userId: userId(), role: 'super-admin' };
    expect(await failure(app.listDeliveries.execute(new ListDeliveriesQuery(admin, { recipientId: '', sourceEventId: '' }, {})))).toBe('validation:VALIDATION_FAILED');
    expect(await failure(app.listDeliveries.execute(new ListDeliveriesQuery(admin, { recipientId: 'x', sourceEventId: 'y' }, {})))).toBe('validation:VALIDATION_FAILED');
  });
});
