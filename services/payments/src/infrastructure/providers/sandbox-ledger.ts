import type { DataSource, EntityManager } from 'typeorm';
import type { ChargeResult, RefundResult } from '../../application/ports/index.js';

/** A charge the sandbox made (or declined), under the caller's idempotency key. */
export interface SandboxChargeEntry {
  key: string;
  /** amount|currency|payment method: a key reused with other parameters is refused. */
  fingerprint: string;
  result: ChargeResult;
  amountMinor: number;
}

/** A refund the sandbox made, under the caller's idempotency key. */
export interface SandboxRefundEntry {
  key: string;
  /** provider payment id|amount. */
  fingerprint: string;
  providerPaymentId: string;
  amountMinor: number;
  result: RefundResult;
}

export type Recorded<T> = { entry: T; created: boolean };

/**
 * The sandbox provider's books: what a real provider keeps on its side, so that a key replayed
 * after our process restarts gets the first answer instead of a second charge.
 */
export interface SandboxLedger {
  /** Stores the charge unless its key is known. @returns the entry under the key (this one, or the first). */
  recordCharge(entry: SandboxChargeEntry): Promise<Recorded<SandboxChargeEntry>>;
  /**
   * Stores the refund unless its key is known, adding it to the succeeded charge it refunds.
   * @returns the entry under the key, or 'exceeds' when it would refund more than is left.
   */
  recordRefund(entry: SandboxRefundEntry): Promise<Recorded<SandboxRefundEntry> | 'exceeds'>;
}

/** In this process only (unit tests, and a sandbox built without a database). */
export class InMemorySandboxLedger implements SandboxLedger {
  private readonly charges = new Map<string, SandboxChargeEntry & { refundedMinor: number }>();
  private readonly refunds = new Map<string, SandboxRefundEntry>();

  async recordCharge(entry: SandboxChargeEntry): Promise<Recorded<SandboxChargeEntry>> {
    const known = this.charges.get(entry.key);
    if (known) return { entry: known, created: false };
    this.charges.set(entry.key, { ...entry, refundedMinor: 0 });
    return { entry, created: true };
  }

  async recordRefund(entry: SandboxRefundEntry): Promise<Recorded<SandboxRefundEntry> | 'exceeds'> {
    const known = this.refunds.get(entry.key);
    if (known) return { entry: known, created: false };
    const charge = [...this.charges.values()].find((c) => c.result.outcome === 'succeeded' && c.result.providerPaymentId === entry.providerPaymentId);
    if (charge && charge.refundedMinor + entry.amountMinor > charge.amountMinor) return 'exceeds';
    if (charge) charge.refundedMinor += entry.amountMinor;
    this.refunds.set(entry.key, entry);
    return { entry, created: true };
  }
}

interface ChargeRow {
  fingerprint: string;
  outcome: ChargeResult;
  amount_minor: string;
}

interface RefundRow {
  fingerprint: string;
  provider_payment_id: string;
  provider_refund_id: string;
  amount_minor: string;
}

/**
 * The ledger in payments' schema (`sandbox_charges`, `sandbox_refunds`, keyed by idempotency key),
 * written in short transactions of its own, apart from the caller's: like a real provider, what
 * the sandbox did stays done whether or not our transaction commits.
 */
export class SqlSandboxLedger implements SandboxLedger {
  constructor(private readonly dataSource: DataSource) {}

  async recordCharge(entry: SandboxChargeEntry): Promise<Recorded<SandboxChargeEntry>> {
    const providerPaymentId = 'providerPaymentId' in entry.result ? (entry.result.providerPaymentId ?? null) : null;
    const inserted: unknown[] = await this.dataSource.query(
      `INSERT INTO sandbox_charges (idempotency_key, fingerprint, outcome, provider_payment_id, amount_minor)
       VALUES ($1, $2, $3::jsonb, $4, $5) ON CONFLICT (idempotency_key) DO NOTHING RETURNING idempotency_key`,
      [entry.key, entry.fingerprint, JSON.stringify(entry.result), providerPaymentId, entry.amountMinor],
    );
    if (inserted.length > 0) return { entry, created: true };
    const [row]: ChargeRow[] = await this.dataSource.query(`SELECT fingerprint, outcome, amount_minor FROM sandbox_charges WHERE idempotency_key = $1`, [entry.key]);
    if (!row) throw new Error(`sandbox ledger: charge ${entry.key} neither inserted nor found`);
    return { entry: { key: entry.key, fingerprint: row.fingerprint, result: row.outcome, amountMinor: Number(row.amount_minor) }, created: false };
  }

  async recordRefund(entry: SandboxRefundEntry): Promise<Recorded<SandboxRefundEntry> | 'exceeds'> {
    return this.dataSource.transaction(async (tx) => {
      // The charge first, locked: concurrent refunds of it queue here, and the key is read after the lock.
      const [charge]: Array<{ idempotency_key: string; amount_minor: string; refunded_minor: string }> = await tx.query(
        `SELECT idempotency_key, amount_minor, refunded_minor FROM sandbox_charges
          WHERE provider_payment_id = $1 AND outcome->>'outcome' = 'succeeded' FOR UPDATE`,
        [entry.providerPaymentId],
      );
      const known = await findRefund(tx, entry.key);
      if (known) return { entry: known, created: false };
      if (charge && Number(charge.refunded_minor) + entry.amountMinor > Number(charge.amount_minor)) return 'exceeds';
      const inserted: unknown[] = await tx.query(
        `INSERT INTO sandbox_refunds (idempotency_key, fingerprint, provider_payment_id, provider_refund_id, amount_minor)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (idempotency_key) DO NOTHING RETURNING idempotency_key`,
        [entry.key, entry.fingerprint, entry.providerPaymentId, entry.result.providerRefundId, entry.amountMinor],
      );
      if (inserted.length === 0) {
        // The same key, concurrently, for a charge the sandbox does not know: the first one stands.
        const first = await findRefund(tx, entry.key);
        if (!first) throw new Error(`sandbox ledger: refund ${entry.key} neither inserted nor found`);
        return { entry: first, created: false };
      }
      if (charge) await tx.query(`UPDATE sandbox_charges SET refunded_minor = refunded_minor + $2 WHERE idempotency_key = $1`, [charge.idempotency_key, entry.amountMinor]);
      return { entry, created: true };
    });
  }
}

async function findRefund(tx: EntityManager, key: string): Promise<SandboxRefundEntry | undefined> {
  const [row]: RefundRow[] = await tx.query(
    `SELECT fingerprint, provider_payment_id, provider_refund_id, amount_minor FROM sandbox_refunds WHERE idempotency_key = $1`,
    [key],
  );
  return (
    row && {
      key,
      fingerprint: row.fingerprint,
      providerPaymentId: row.provider_payment_id,
      amountMinor: Number(row.amount_minor),
      result: { providerRefundId: row.provider_refund_id },
    }
  );
}
