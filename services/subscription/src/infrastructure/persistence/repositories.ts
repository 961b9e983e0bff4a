import { VersionConflictError, type Clock, type DomainEvent, uuidv7 } from '@storytelling/kernel';
import { EventStore, returnedRows, withIdempotency } from '@storytelling/platform';
import type { EntityManager } from 'typeorm';
import type { CounterValues, Reservation, SubscriptionRepositories, UsageLedger } from '../../application/ports/index.js';
import {
  SUBSCRIPTION_AGGREGATE_TYPE,
  USAGE_AGGREGATE_TYPE,
  Subscription,
  USAGE_RESOURCES,
  dunningDueAt,
  type Dunning,
  type DuePosition,
  type PendingChange,
  type SubscriptionRepository,
  type SubscriptionState,
  type Tier,
  type TierCatalog,
  type UsageResource,
  type Window,
} from '../../domain/index.js';

interface SubscriptionRow {
  id: string;
  user_id: string;
  tier: string;
  status: SubscriptionState['status'];
  billing_cycle: SubscriptionState['billingCycle'];
  current_period_start: Date;
  current_period_end: Date;
  cancel_at_period_end: boolean;
  pending_change: (Omit<PendingChange, 'effectiveAt'> & { effectiveAt: string | null }) | null;
  payment_method: string | null;
  dunning: DunningRow | null;
  version: number;
  created_at: Date;
  updated_at: Date;
}

type DunningRow = Omit<Dunning, 'periodStart' | 'nextRetryAt' | 'graceEndsAt'> & { periodStart: string; nextRetryAt: string | null; graceEndsAt: string; dueAt: string };

const SUB_COLUMNS = `id, user_id, tier, status, billing_cycle, current_period_start, current_period_end, cancel_at_period_end, pending_change, payment_method, dunning, version, created_at, updated_at`;

function pendingJson(p: PendingChange | null): string | null {
  return p ? JSON.stringify({ ...p, effectiveAt: p.effectiveAt ? p.effectiveAt.toISOString() : null }) : null;
}

/** `dueAt` (the next retry or the grace end) is stored for the scheduler's claim query. */
function dunningJson(d: Dunning | null): string | null {
  if (!d) return null;
  const row: DunningRow = { ...d, periodStart: d.periodStart.toISOString(), nextRetryAt: d.nextRetryAt?.toISOString() ?? null, graceEndsAt: d.graceEndsAt.toISOString(), dueAt: dunningDueAt(d).toISOString() };
  return JSON.stringify(row);
}

function dunningOf(r: DunningRow | null): Dunning | null {
  if (!r) return null;
  return { periodStart: new Date(r.periodStart), tier: r.tier, billingCycle: r.billingCycle, failedAttempts: r.failedAttempts, nextRetryAt: r.nextRetryAt ? new Date(r.nextRetryAt) : null, graceEndsAt: new Date(r.graceEndsAt) };
}

export class SqlSubscriptionRepository implements SubscriptionRepository {
  constructor(
    private readonly tx: EntityManager,
    private readonly events: EventStore,
    private readonly clock: Clock,
  ) {}

  async findById(id: string, options: { lock?: boolean } = {}): Promise<Subscription | undefined> {
    const rows: SubscriptionRow[] = await this.tx.query(`SELECT ${SUB_COLUMNS} FROM subscriptions WHERE id = $1${options.lock ? ' FOR UPDATE' : ''}`, [id]);
    return rows[0] ? this.toAggregate(rows[0]) : undefined;
  }

  async findByUser(userId: string, options: { lock?: boolean } = {}): Promise<Subscription | undefined> {
    const rows: SubscriptionRow[] = await this.tx.query(`SELECT ${SUB_COLUMNS} FROM subscriptions WHERE user_id = $1${options.lock ? ' FOR UPDATE' : ''}`, [userId]);
    return rows[0] ? this.toAggregate(rows[0]) : undefined;
  }

  async addIfAbsent(sub: Subscription): Promise<boolean> {
    const s = sub.state;
    const rows = returnedRows<{ id: string }>(
      await this.tx.query(
        `INSERT INTO subscriptions (${SUB_COLUMNS})
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10, $11::jsonb, $12, $13, $14)
         ON CONFLICT (user_id) DO NOTHING RETURNING id`,
        [s.id, s.userId, s.tier, s.status, s.billingCycle, s.currentPeriodStart, s.currentPeriodEnd, s.cancelAtPeriodEnd, pendingJson(s.pendingChange), s.paymentMethod, dunningJson(s.dunning), sub.version, s.createdAt, s.updatedAt],
      ),
    );
    if (rows.length === 0) return false;
    await this.events.append(this.tx, sub, SUBSCRIPTION_AGGREGATE_TYPE);
    return true;
  }

  async save(sub: Subscription): Promise<void> {
    const s = sub.state;
    const rows = returnedRows<{ id: string }>(
      await this.tx.query(
        `UPDATE subscriptions SET tier = $3, status = $4, billing_cycle = $5, current_period_start = $6, current_period_end = $7,
                cancel_at_period_end = $8, pending_change = $9::jsonb, payment_method = $10, version = $11, updated_at = $12, dunning = $13::jsonb
          WHERE id = $1 AND version = $2 RETURNING id`,
        [s.id, sub.loadedVersion, s.tier, s.status, s.billingCycle, s.currentPeriodStart, s.currentPeriodEnd, s.cancelAtPeriodEnd, pendingJson(s.pendingChange), s.paymentMethod, sub.version, s.updatedAt, dunningJson(s.dunning)],
      ),
    );
    if (rows.length === 0) throw new VersionConflictError(s.id, sub.loadedVersion);
    await this.events.append(this.tx, sub, SUBSCRIPTION_AGGREGATE_TYPE);
  }

  async claimDue(now: Date, limit: number, after?: DuePosition): Promise<DuePosition[]> {
    const rows: Array<{ id: string; current_period_end: Date }> = await this.tx.query(
      `SELECT id, current_period_end FROM subscriptions
        WHERE status IN ('active', 'payment_failed') AND current_period_end <= $1
          AND (pending_change IS NULL OR pending_change->>'status' <> 'payment_pending')
          AND (dunning IS NULL OR cancel_at_period_end OR (dunning->>'dueAt')::timestamptz <= $1)
          AND ($3::timestamptz IS NULL OR (current_period_end, id) > ($3::timestamptz, $4::uuid))
        ORDER BY current_period_end, id LIMIT $2 FOR UPDATE SKIP LOCKED`,
      [now, limit, after?.periodEnd ?? null, after?.id ?? null],
    );
    return rows.map((r) => ({ id: r.id, periodEnd: r.current_period_end }));
  }

  private toAggregate(r: SubscriptionRow): Subscription {
    const p = r.pending_change;
    return Subscription.rehydrate(
      {
        id: r.id,
        userId: r.user_id,
        tier: r.tier,
        status: r.status,
        billingCycle: r.billing_cycle,
        currentPeriodStart: r.current_period_start,
        currentPeriodEnd: r.current_period_end,
        cancelAtPeriodEnd: r.cancel_at_period_end,
        pendingChange: p ? { ...p, effectiveAt: p.effectiveAt ? new Date(p.effectiveAt) : null } : null,
        paymentMethod: r.payment_method,
        dunning: dunningOf(r.dunning),
        createdAt: r.created_at,
        updatedAt: r.updated_at,
      },
      r.version,
      this.clock,
    );
  }
}

interface TierRow {
  id: string;
  name: string;
  rank: number;
  currency: string;
  price_monthly_minor: string;
  price_yearly_minor: string;
  stories_per_month: number | null;
  narrations_per_month: number | null;
  videos_per_month: number | null;
  video_max_seconds: number | null;
  collaborators_per_story: number | null;
  voice_cloning: boolean;
}

function toTier(r: TierRow): Tier {
  return {
    id: r.id,
    name: r.name,
    rank: r.rank,
    currency: r.currency,
    priceMonthlyMinor: Number(r.price_monthly_minor),
    priceYearlyMinor: Number(r.price_yearly_minor),
    limits: {
      storiesPerMonth: r.stories_per_month,
      narrationsPerMonth: r.narrations_per_month,
      videosPerMonth: r.videos_per_month,
      videoMaxSeconds: r.video_max_seconds,
      collaboratorsPerStory: r.collaborators_per_story,
    },
    voiceCloning: r.voice_cloning,
  };
}

/**
 * The seeded catalogue; it changes only by migration, so the process caches it. The first load
 * runs on the connection of whoever asks (a transaction never waits for a second pool connection).
 */
export class TierCache {
  private cached: Promise<Tier[]> | undefined;

  load(manager: EntityManager): Promise<Tier[]> {
    if (!this.cached) {
      const loading = manager.query(`SELECT * FROM tiers ORDER BY rank`).then((rows: TierRow[]) => rows.map(toTier));
      this.cached = loading;
      loading.catch(() => {
        if (this.cached === loading) this.cached = undefined;
      });
    }
    return this.cached;
  }
}

export class SqlTierCatalog implements TierCatalog {
  constructor(
    private readonly manager: EntityManager,
    private readonly cache: TierCache,
  ) {}

  all(): Promise<Tier[]> {
    return this.cache.load(this.manager);
  }

  async get(id: string): Promise<Tier | undefined> {
    return (await this.all()).find((t) => t.id === id);
  }
}

interface ReservationRow {
  id: string;
  subscription_id: string;
  user_id: string;
  resource: UsageResource;
  amount: number;
  period_start: Date;
  status: Reservation['status'];
  saga_id: string | null;
  expires_at: Date;
}

function toReservation(r: ReservationRow): Reservation {
  return {
    id: r.id,
    subscriptionId: r.subscription_id,
    userId: r.user_id,
    resource: r.resource,
    amount: r.amount,
    periodStart: r.period_start,
    status: r.status,
    sagaId: r.saga_id,
    expiresAt: r.expires_at,
  };
}

const RES_COLUMNS = `id, subscription_id, user_id, resource, amount, period_start, status, saga_id, expires_at`;

export class SqlUsageLedger implements UsageLedger {
  constructor(
    private readonly tx: EntityManager,
    private readonly events: EventStore,
    private readonly clock: Clock,
  ) {}

  async counters(subscriptionId: string, window: Window): Promise<Record<UsageResource, CounterValues>> {
    const rows: Array<{ resource: UsageResource; used: number; reserved: number }> = await this.tx.query(
      `SELECT resource, used, reserved FROM usage_counters WHERE subscription_id = $1 AND period_start = $2`,
      [subscriptionId, window.start],
    );
    const out = Object.fromEntries(USAGE_RESOURCES.map((r) => [r, { used: 0, reserved: 0 }])) as Record<UsageResource, CounterValues>;
    for (const row of rows) out[row.resource] = { used: row.used, reserved: row.reserved };
    return out;
  }

  private async ensureCounter(subscriptionId: string, resource: UsageResource, window: Window): Promise<void> {
    await this.tx.query(
      `INSERT INTO usage_counters (subscription_id, resource, period_start, period_end) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
      [subscriptionId, resource, window.start, window.end],
    );
  }

  async tryReserve(subscriptionId: string, resource: UsageResource, window: Window, amount: number, limit: number | null): Promise<{ ok: boolean } & CounterValues> {
    await this.ensureCounter(subscriptionId, resource, window);
    // The check and the increment are one statement on a row lock: concurrent reservations queue
    // on the row and each sees the one before it, so the limit is never passed.
    const updated = returnedRows<CounterValues>(
      await this.tx.query(
        `UPDATE usage_counters SET reserved = reserved + $4
          WHERE subscription_id = $1 AND resource = $2 AND period_start = $3
            AND ($5::integer IS NULL OR used + reserved + $4 <= $5::integer)
          RETURNING used, reserved`,
        [subscriptionId, resource, window.start, amount, limit],
      ),
    );
    if (updated[0]) return { ok: true, ...updated[0] };
    const [current] = (await this.tx.query(
      `SELECT used, reserved FROM usage_counters WHERE subscription_id = $1 AND resource = $2 AND period_start = $3`,
      [subscriptionId, resource, window.start],
    )) as CounterValues[];
    return { ok: false, used: current?.used ?? 0, reserved: current?.reserved ?? 0 };
  }

  async addUsed(subscriptionId: string, resource: UsageResource, window: Window, amount: number): Promise<CounterValues> {
    await this.ensureCounter(subscriptionId, resource, window);
    const rows = returnedRows<CounterValues>(
      await this.tx.query(
        `UPDATE usage_counters SET used = used + $4 WHERE subscription_id = $1 AND resource = $2 AND period_start = $3 RETURNING used, reserved`,
        [subscriptionId, resource, window.start, amount],
      ),
    );
    return rows[0]!;
  }

  async settle(r: Reservation, outcome: 'committed' | 'released' | 'expired'): Promise<CounterValues> {
    const usedDelta = outcome === 'committed' ? r.amount : 0;
    const rows = returnedRows<CounterValues>(
      await this.tx.query(
        `UPDATE usage_counters SET reserved = greatest(reserved - $4, 0), used = used + $5
          WHERE subscription_id = $1 AND resource = $2 AND period_start = $3 RETURNING used, reserved`,
        [r.subscriptionId, r.resource, r.periodStart, r.amount, usedDelta],
      ),
    );
    await this.setReservationStatus(r.id, outcome);
    return rows[0] ?? { used: 0, reserved: 0 };
  }

  async findReservation(id: string, options: { lock?: boolean } = {}): Promise<Reservation | undefined> {
    const rows: ReservationRow[] = await this.tx.query(`SELECT ${RES_COLUMNS} FROM usage_reservations WHERE id = $1${options.lock ? ' FOR UPDATE' : ''}`, [id]);
    return rows[0] ? toReservation(rows[0]) : undefined;
  }

  async insertReservation(r: Reservation): Promise<void> {
    const now = this.clock.now();
    await this.tx.query(
      `INSERT INTO usage_reservations (${RES_COLUMNS}, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)`,
      [r.id, r.subscriptionId, r.userId, r.resource, r.amount, r.periodStart, r.status, r.sagaId, r.expiresAt, now],
    );
  }

  async setReservationStatus(id: string, status: Reservation['status']): Promise<void> {
    await this.tx.query(`UPDATE usage_reservations SET status = $2, updated_at = $3 WHERE id = $1`, [id, status, this.clock.now()]);
  }

  async claimExpired(now: Date, limit: number): Promise<Reservation[]> {
    const rows: ReservationRow[] = await this.tx.query(
      `SELECT ${RES_COLUMNS} FROM usage_reservations WHERE status = 'reserved' AND expires_at <= $1 ORDER BY expires_at LIMIT $2 FOR UPDATE SKIP LOCKED`,
      [now, limit],
    );
    return rows.map(toReservation);
  }

  async emit(subscriptionId: string, type: string, data: Record<string, unknown>): Promise<void> {
    // Usage events are on the subscription's stream: the row's version is the stream's.
    const rows = returnedRows<{ version: number }>(
      await this.tx.query(`UPDATE subscriptions SET version = version + 1 WHERE id = $1 RETURNING version`, [subscriptionId]),
    );
    const version = rows[0]?.version;
    if (version === undefined) throw new Error(`subscription ${subscriptionId} vanished`);
    const event: DomainEvent = { id: uuidv7(), type, aggregateId: subscriptionId, aggregateVersion: version, occurredAt: this.clock.now(), data };
    await this.events.appendRaw(this.tx, [event], USAGE_AGGREGATE_TYPE);
  }
}

export function sqlRepositories(tx: EntityManager, deps: { events: EventStore; clock: Clock; tiers: TierCache }): SubscriptionRepositories {
  return {
    subscriptions: new SqlSubscriptionRepository(tx, deps.events, deps.clock),
    tiers: new SqlTierCatalog(tx, deps.tiers),
    usage: new SqlUsageLedger(tx, deps.events, deps.clock),
    idempotent: (request, work) => withIdempotency(tx, request, work),
  };
}
