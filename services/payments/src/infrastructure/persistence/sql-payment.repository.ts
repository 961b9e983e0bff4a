import { VersionConflictError, type Clock, type Keyset } from '@storytelling/kernel';
import { returnedRows, type EventStore } from '@storytelling/platform';
import type { EntityManager } from 'typeorm';
import { PAYMENT_AGGREGATE_TYPE, Payment, type FailureReason, type PaymentRepository, type PaymentStatus } from '../../domain/index.js';

interface PaymentRow {
  id: string;
  user_id: string;
  subscription_id: string;
  saga_id: string;
  amount_minor: string;
  currency: string;
  provider: string;
  provider_payment_id: string | null;
  status: string;
  failure_reason: string | null;
  failure_message: string | null;
  refunded_minor: string;
  description: string;
  settled_at: Date | null;
  version: number;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = `id, user_id, subscription_id, saga_id, amount_minor, currency, provider, provider_payment_id, status,
  failure_reason, failure_message, refunded_minor, description, settled_at, version, created_at, updated_at`;

/**
 * Payments over one EntityManager: a transaction's, or the DataSource's (each statement on its own).
 * Payments are locked FOR NO KEY UPDATE, not FOR UPDATE: a refund row inserted in its own
 * transaction takes FOR KEY SHARE on its payment (the foreign key) while the command's transaction
 * holds the payment; FOR UPDATE would make the two wait on each other forever.
 */
export class SqlPaymentRepository implements PaymentRepository {
  constructor(
    private readonly tx: EntityManager,
    private readonly events: EventStore,
    private readonly clock: Clock,
  ) {}

  async find(id: string, options: { lock?: boolean } = {}): Promise<Payment | undefined> {
    const rows: PaymentRow[] = await this.tx.query(`SELECT ${COLUMNS} FROM payments WHERE id = $1${options.lock ? ' FOR NO KEY UPDATE' : ''}`, [id]);
    return rows[0] && this.toPayment(rows[0]);
  }

  async findByProviderId(provider: string, providerPaymentId: string, options: { lock?: boolean } = {}): Promise<Payment | undefined> {
    const rows: PaymentRow[] = await this.tx.query(
      `SELECT ${COLUMNS} FROM payments WHERE provider = $1 AND provider_payment_id = $2${options.lock ? ' FOR NO KEY UPDATE' : ''}`,
      [provider, providerPaymentId],
    );
    return rows[0] && this.toPayment(rows[0]);
  }

  async insertPendingIfAbsent(payment: Payment): Promise<boolean> {
    const s = payment.snapshot;
    const rows: unknown[] = await this.tx.query(
      `INSERT INTO payments (id, user_id, subscription_id, saga_id, amount_minor, currency, provider, status, description, version, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', $8, 0, $9, $9)
       ON CONFLICT (id) DO NOTHING RETURNING id`,
      [s.id, s.userId, s.subscriptionId, s.sagaId, s.amount.amountMinor, s.amount.currency, s.provider, s.description, s.createdAt],
    );
    return rows.length === 1;
  }

  async save(payment: Payment): Promise<void> {
    const s = payment.snapshot;
    const result: [unknown[], number] = await this.tx.query(
      `UPDATE payments SET provider_payment_id = $3, status = $4, failure_reason = $5, failure_message = $6, refunded_minor = $7,
         settled_at = $8, version = $9, updated_at = $10
       WHERE id = $1 AND version = $2`,
      [s.id, payment.loadedVersion, s.providerPaymentId, s.status, s.failureReason, s.failureMessage, s.refundedMinor, s.settledAt, payment.version, s.updatedAt],
    );
    if (result[1] !== 1) throw new VersionConflictError(s.id, payment.loadedVersion);
    await this.events.append(this.tx, payment, PAYMENT_AGGREGATE_TYPE);
  }

  async listByUser(userId: string, limit: number, after?: Keyset): Promise<Payment[]> {
    const rows: PaymentRow[] = after
      ? await this.tx.query(
          `SELECT ${COLUMNS} FROM payments WHERE user_id = $1 AND (created_at, id) < ($2, $3) ORDER BY created_at DESC, id DESC LIMIT $4`,
          [userId, after.at, after.id, limit],
        )
      : await this.tx.query(`SELECT ${COLUMNS} FROM payments WHERE user_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2`, [userId, limit]);
    return rows.map((r) => this.toPayment(r));
  }

  private toPayment(r: PaymentRow): Payment {
    return Payment.restore(
      {
        id: r.id,
        userId: r.user_id,
        subscriptionId: r.subscription_id,
        sagaId: r.saga_id,
        amount: { amountMinor: Number(r.amount_minor), currency: r.currency.trim() },
        provider: r.provider,
        providerPaymentId: r.provider_payment_id,
        status: r.status as PaymentStatus,
        failureReason: r.failure_reason as FailureReason | null,
        failureMessage: r.failure_message,
        refundedMinor: Number(r.refunded_minor),
        description: r.description,
        createdAt: r.created_at,
        updatedAt: r.updated_at,
        settledAt: r.settled_at,
      },
      r.version,
      this.clock,
    );
  }

  async forgetUserDetails(userId: string): Promise<string[]> {
    const result: unknown = await this.tx.query(
      `UPDATE payments SET description = '', failure_message = NULL, updated_at = $2 WHERE user_id = $1 RETURNING id`,
      [userId, this.clock.now()],
    );
    return returnedRows<{ id: string }>(result).map((r) => r.id);
  }
}
