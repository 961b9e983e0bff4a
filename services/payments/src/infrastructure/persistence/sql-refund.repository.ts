import type { Clock } from '@storytelling/kernel';
import type { EntityManager } from 'typeorm';
import type { RefundRecord, RefundRepository } from '../../domain/index.js';

interface RefundRow {
  id: string;
  payment_id: string;
  saga_id: string | null;
  amount_minor: string;
  status: string;
  provider_refund_id: string | null;
  reason: string;
}

/** Refunds over one EntityManager (a transaction's, or the DataSource's). */
export class SqlRefundRepository implements RefundRepository {
  constructor(
    private readonly tx: EntityManager,
    private readonly clock: Clock,
  ) {}

  async find(paymentId: string, sagaId: string): Promise<RefundRecord | undefined> {
    const rows: RefundRow[] = await this.tx.query(
      `SELECT id, payment_id, saga_id, amount_minor, status, provider_refund_id, reason FROM refunds WHERE payment_id = $1 AND saga_id = $2`,
      [paymentId, sagaId],
    );
    const r = rows[0];
    return (
      r && {
        id: r.id,
        paymentId: r.payment_id,
        sagaId: r.saga_id,
        amountMinor: Number(r.amount_minor),
        status: r.status === 'succeeded' ? 'succeeded' : 'pending',
        providerRefundId: r.provider_refund_id,
        reason: r.reason,
      }
    );
  }

  async insertPendingIfAbsent(refund: RefundRecord): Promise<RefundRecord> {
    const reason = refund.reason.slice(0, 500);
    const inserted: unknown[] = await this.tx.query(
      `INSERT INTO refunds (id, payment_id, saga_id, amount_minor, status, reason, created_at, updated_at)
       VALUES ($1, $2, $3, $4, 'pending', $5, $6, $6) ON CONFLICT (payment_id, saga_id) DO NOTHING RETURNING id`,
      [refund.id, refund.paymentId, refund.sagaId, refund.amountMinor, reason, this.clock.now()],
    );
    if (inserted.length === 1) return { ...refund, status: 'pending', providerRefundId: null, reason };
    const stored = refund.sagaId === null ? undefined : await this.find(refund.paymentId, refund.sagaId);
    if (!stored) throw new Error(`refund of ${refund.paymentId} for saga ${refund.sagaId} neither inserted nor found`);
    return stored;
  }

  async saveSucceeded(refund: RefundRecord, providerRefundId: string): Promise<void> {
    await this.tx.query(
      `INSERT INTO refunds (id, payment_id, saga_id, amount_minor, status, provider_refund_id, reason, created_at, updated_at)
       VALUES ($1, $2, $3, $4, 'succeeded', $5, $6, $7, $7)
       ON CONFLICT (id) DO UPDATE SET status = 'succeeded', provider_refund_id = EXCLUDED.provider_refund_id, updated_at = EXCLUDED.updated_at`,
      [refund.id, refund.paymentId, refund.sagaId, refund.amountMinor, providerRefundId, refund.reason.slice(0, 500), this.clock.now()],
    );
  }

  async succeededTotal(paymentId: string): Promise<number> {
    const rows: Array<{ total: string }> = await this.tx.query(
      `SELECT coalesce(sum(amount_minor), 0)::text AS total FROM refunds WHERE payment_id = $1 AND status = 'succeeded'`,
      [paymentId],
    );
    return Number(rows[0]?.total ?? 0);
  }

  async forgetReasons(paymentIds: readonly string[]): Promise<void> {
    if (paymentIds.length === 0) return;
    await this.tx.query(`UPDATE refunds SET reason = '', updated_at = $2 WHERE payment_id = ANY($1::uuid[])`, [paymentIds, this.clock.now()]);
  }
}
