import { uuidv7 } from '@storytelling/kernel';
import type { ServiceHandle } from '@storytelling/platform';
import { EventProbe, waitUntil } from '@storytelling/testing';
import type { DataSource } from 'typeorm';
import { ProviderRejectedError, type ChargeRequest, type ChargeResult, type PaymentProvider, type RefundRequest, type RefundResult } from '../../src/application/index.js';
import { SandboxPaymentProvider, SqlSandboxLedger } from '../../src/infrastructure/providers/index.js';
import { CommandSender, chargeData, paymentsDataSource, startPayments } from '../support/harness.js';
import { createPaymentsSandbox, type PaymentsSandbox } from '../support/sandbox.js';

const PROCESSED = 'storytelling.payments.payment.processed.v1';

/**
 * The sandbox keeps its ledger in payments' schema, so it dedupes across process restarts like a
 * real provider. A "restart" is a new SandboxPaymentProvider over the same database: nothing is
 * shared in memory.
 */
describe('the sandbox provider persists its ledger', () => {
  let sandbox: PaymentsSandbox;
  let ds: DataSource;

  beforeAll(async () => {
    sandbox = await createPaymentsSandbox('ledger');
    ds = await paymentsDataSource(sandbox);
  });

  afterAll(async () => {
    await ds?.destroy();
  });

  const restarted = () => new SandboxPaymentProvider(new SqlSandboxLedger(ds));
  const charge = (paymentId: string, paymentMethod = 'tok_visa', amountMinor = 500): ChargeRequest => ({
    paymentId,
    amountMinor,
    currency: 'USD',
    paymentMethod,
    description: '',
    metadata: {},
  });
  const ledgerRows = async (key: string): Promise<number> =>
    Number(((await ds.query(`SELECT count(*)::int AS n FROM sandbox_charges WHERE idempotency_key = $1`, [key])) as Array<{ n: number }>)[0]!.n);

  it('restart → the same outcome for a key, one ledger row, no second charge', async () => {
    const key = uuidv7();
    const before = restarted();
    const first = await before.charge(charge(key));
    expect(first).toEqual({ outcome: 'succeeded', providerPaymentId: expect.stringMatching(/^sbx_pi_/) });

    const after = restarted();
    expect(await after.charge(charge(key))).toEqual(first);
    expect(before.chargeCount + after.chargeCount).toBe(1);
    expect(await ledgerRows(key)).toBe(1);
    await expect(after.charge(charge(key, 'tok_chargeDeclined'))).rejects.toBeInstanceOf(ProviderRejectedError);
  });

  it('a decline is remembered too, and concurrent replicas with one key charge once', async () => {
    const declined = uuidv7();
    const answer = await restarted().charge(charge(declined, 'tok_insufficientFunds'));
    expect(answer).toMatchObject({ outcome: 'declined', reason: 'insufficient_funds' });
    expect(await restarted().charge(charge(declined, 'tok_insufficientFunds'))).toEqual(answer);

    const key = uuidv7();
    const replicas = [restarted(), restarted(), restarted()];
    const results: ChargeResult[] = await Promise.all(replicas.map((r) => r.charge(charge(key))));
    expect(new Set(results.map((r) => JSON.stringify(r))).size).toBe(1);
    expect(replicas.reduce((n, r) => n + r.chargeCount, 0)).toBe(1);
    expect(await ledgerRows(key)).toBe(1);
  });

  it('refunds: replayed after a restart with the first answer; never beyond the charge, whoever asks', async () => {
    const key = uuidv7();
    const paid = await restarted().charge(charge(key, 'tok_visa', 500));
    if (paid.outcome !== 'succeeded') throw new Error('no charge');
    const refund = (idempotencyKey: string, amountMinor: number): RefundRequest => ({ idempotencyKey, paymentId: key, providerPaymentId: paid.providerPaymentId, amountMinor, reason: '' });

    const first = await restarted().refund(refund('r-' + key, 400));
    expect(await restarted().refund(refund('r-' + key, 400))).toEqual(first);
    await expect(restarted().refund(refund('r-' + key, 300))).rejects.toBeInstanceOf(ProviderRejectedError);
    await expect(restarted().refund(refund('r2-' + key, 101))).rejects.toBeInstanceOf(ProviderRejectedError);
    expect(await restarted().refund(refund('r3-' + key, 100))).toEqual({ providerRefundId: expect.stringMatching(/^sbx_re_/) });
    expect(await ds.query(`SELECT refunded_minor FROM sandbox_charges WHERE idempotency_key = $1`, [key])).toEqual([{ refunded_minor: '500' }]);
    expect(await ds.query(`SELECT count(*)::int AS n FROM sandbox_refunds WHERE provider_payment_id = $1`, [paid.providerPaymentId])).toEqual([{ n: 2 }]);
  });
});

/** A sandbox whose process "dies" once it has charged: the outcome never commits. */
class DyingSandbox implements PaymentProvider {
  readonly name = 'sandbox';
  charged = false;
  private release!: () => void;
  readonly released = new Promise<void>((resolve) => (this.release = resolve));

  constructor(private readonly sandbox: SandboxPaymentProvider) {}

  async charge(request: ChargeRequest): Promise<ChargeResult> {
    await this.sandbox.charge(request);
    this.charged = true;
    await this.released;
    throw new Error('process killed before commit');
  }

  refund(request: RefundRequest): Promise<RefundResult> {
    return this.sandbox.refund(request);
  }

  die(): void {
    this.release();
  }
}

describe('a real restart of payments with the sandbox (nothing shared in memory)', () => {
  it('the redelivered charge is answered from the persisted ledger: one ledger row, one answer', async () => {
    const sandbox = await createPaymentsSandbox('ledgerrestart');
    const ds = await paymentsDataSource(sandbox);
    const sender = await CommandSender.start(sandbox);
    const probe = await EventProbe.start('payments.payment.events', { topicPrefix: sandbox.topicPrefix });
    let second: ServiceHandle | undefined;
    try {
      const before = new SandboxPaymentProvider(new SqlSandboxLedger(ds));
      const dying = new DyingSandbox(before);
      const first = await startPayments(sandbox, '127.0.0.1:9', { provider: dying });
      const sagaId = uuidv7();
      const data = chargeData({ sagaId });
      await sender.send('charge', sagaId, data);
      await waitUntil(() => dying.charged, 20_000);
      const closing = first.close();
      dying.die();
      await closing;
      expect(await ds.query(`SELECT status FROM payments WHERE id = $1`, [data.paymentId])).toEqual([{ status: 'pending' }]);
      expect(before.chargeCount).toBe(1);

      // The restarted service builds its own sandbox (PAYMENTS_PROVIDER's default), over the same schema.
      second = await startPayments(sandbox, '127.0.0.1:9');
      const event = await probe.waitFor((e) => e.envelope.type === PROCESSED && e.envelope.subject === data.paymentId, 30_000);
      expect(event.envelope.correlationid).toBe(sagaId);
      const ledger = (await ds.query(`SELECT outcome, created_at FROM sandbox_charges WHERE idempotency_key = $1`, [data.paymentId])) as Array<{ outcome: ChargeResult }>;
      expect(ledger).toHaveLength(1);
      const [payment] = (await ds.query(`SELECT status, provider_payment_id FROM payments WHERE id = $1`, [data.paymentId])) as Array<{ status: string; provider_payment_id: string }>;
      expect(payment).toEqual({ status: 'succeeded', provider_payment_id: ledger[0]!.outcome.outcome === 'succeeded' ? ledger[0]!.outcome.providerPaymentId : 'none' });

      // The default sandbox writes the ledger (not memory): a fresh charge lands in it.
      const other = chargeData({ sagaId: uuidv7() });
      await sender.send('charge', other.sagaId as string, other);
      await probe.waitFor((e) => e.envelope.type === PROCESSED && e.envelope.subject === other.paymentId, 30_000);
      expect(await ds.query(`SELECT count(*)::int AS n FROM sandbox_charges WHERE idempotency_key = $1`, [other.paymentId])).toEqual([{ n: 1 }]);
      await new Promise((r) => setTimeout(r, 300));
      expect(probe.received.filter((e) => e.envelope.subject === data.paymentId)).toHaveLength(1);
    } finally {
      await second?.close();
      await ds.destroy();
      await probe.close();
      await sender.close();
    }
  });
});
