import { uuidv7 } from '@storytelling/kernel';
import type { ServiceHandle } from '@storytelling/platform';
import { EventProbe, waitUntil } from '@storytelling/testing';
import type { DataSource } from 'typeorm';
import { ControllableProvider } from '../support/controllable-provider.js';
import { CommandSender, chargeData, paymentsDataSource, startPayments } from '../support/harness.js';
import { createPaymentsSandbox } from '../support/sandbox.js';

const PROCESSED = 'storytelling.payments.payment.processed.v1';

/**
 * The crash window of ADR 0011: the provider has charged, the process dies before the outcome
 * commits. Simulated at the database level: the charge's transaction never commits (it fails
 * while the service is stopping, so the consumer leaves the message unresolved and its offset
 * uncommitted), then a new instance on the same schema and consumer group gets the command again.
 */
describe('ChargePayment survives a crash between the provider call and the commit', () => {
  it('restart → same outcome, one charge at the provider, one payment row, one answer', async () => {
    const sandbox = await createPaymentsSandbox('crash');
    const provider = new ControllableProvider(); // one provider shared by both instances, like Stripe
    const sender = await CommandSender.start(sandbox);
    const probe = await EventProbe.start('payments.payment.events', { topicPrefix: sandbox.topicPrefix });
    let ds: DataSource | undefined;
    let second: ServiceHandle | undefined;
    try {
      const first = await startPayments(sandbox, '127.0.0.1:9', { provider });
      ds = await paymentsDataSource(sandbox);
      let release!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      let charged = false;
      provider.afterCharge = async () => {
        charged = true;
        await released;
        throw new Error('process killed before commit');
      };
      const sagaId = uuidv7();
      const data = chargeData({ sagaId });
      await sender.send('charge', sagaId, data);
      await waitUntil(() => charged, 20_000);
      const closing = first.close();
      release();
      await closing;

      const rows = (await ds.query(`SELECT status, version FROM payments WHERE id = $1`, [data.paymentId])) as Array<{ status: string; version: number }>;
      expect(rows).toEqual([{ status: 'pending', version: 0 }]);
      expect(provider.sandbox.chargeCount).toBe(1);
      expect(probe.received.filter((e) => e.envelope.subject === data.paymentId)).toHaveLength(0);

      second = await startPayments(sandbox, '127.0.0.1:9', { provider });
      const event = await probe.waitFor((e) => e.envelope.type === PROCESSED && e.envelope.subject === data.paymentId, 30_000);
      expect(event.envelope.correlationid).toBe(sagaId);
      expect(provider.sandbox.chargeCount).toBe(1); // the provider deduped the second call by payment id
      expect(provider.sandbox.chargeCalls).toBe(2);
      expect(await ds.query(`SELECT status, version FROM payments WHERE id = $1`, [data.paymentId])).toEqual([{ status: 'succeeded', version: 1 }]);
      await new Promise((r) => setTimeout(r, 300));
      expect(probe.received.filter((e) => e.envelope.subject === data.paymentId)).toHaveLength(1);
    } finally {
      await second?.close();
      await ds?.destroy();
      await probe.close();
      await sender.close();
    }
  });
});
