import { VersionConflictError, type Clock, type DomainEvent } from '@storytelling/kernel';
import { InMemoryUnitOfWork } from '@storytelling/testing';
import type { CounterValues, Reservation, SubscriptionRepositories, SubscriptionSettings, UsageLedger } from '../../src/application/index.js';
import {
  DEFAULT_DUNNING_POLICY,
  Subscription,
  USAGE_RESOURCES,
  dunningDueAt,
  type SubscriptionRepository,
  type SubscriptionState,
  type Tier,
  type TierCatalog,
  type UsageResource,
  type Window,
} from '../../src/domain/index.js';

/** The seeded catalogue (migrations/…-subscription-seed-tiers.ts), for tests without PostgreSQL. */
export const TIERS: readonly Tier[] = [
  tier('free', 'Free', 0, 0, 0, { storiesPerMonth: 3, narrationsPerMonth: 3, videosPerMonth: 0, videoMaxSeconds: 0, collaboratorsPerStory: 2 }, false),
  tier('silver', 'Silver', 1, 999, 9990, { storiesPerMonth: 10, narrationsPerMonth: 20, videosPerMonth: 0, videoMaxSeconds: 0, collaboratorsPerStory: 5 }, true),
  tier('gold', 'Gold', 2, 1999, 19990, { storiesPerMonth: 30, narrationsPerMonth: 60, videosPerMonth: 10, videoMaxSeconds: 30, collaboratorsPerStory: 10 }, true),
  tier('platinum', 'Platinum', 3, 3999, 39990, { storiesPerMonth: null, narrationsPerMonth: null, videosPerMonth: 40, videoMaxSeconds: 60, collaboratorsPerStory: null }, true),
];

function tier(id: string, name: string, rank: number, monthly: number, yearly: number, limits: Tier['limits'], voiceCloning: boolean): Tier {
  return { id, name, rank, currency: 'USD', priceMonthlyMinor: monthly, priceYearlyMinor: yearly, limits, voiceCloning };
}

export const SETTINGS: SubscriptionSettings = {
  chargeTimeoutMs: 900_000,
  refundTimeoutMs: 86_400_000,
  reservationTtlSeconds: 900,
  schedulerIntervalMs: 0,
  dunning: DEFAULT_DUNNING_POLICY,
};

export interface Tables {
  subscriptions: Map<string, { state: SubscriptionState; version: number }>;
  reservations: Map<string, Reservation>;
  counters: Map<string, CounterValues>;
  /** The outbox: every event appended, in order. */
  events: Array<{ aggregateType: string; event: DomainEvent }>;
  idempotency: Map<string, { body: string; answer: unknown }>;
}

export function emptyTables(): Tables {
  return { subscriptions: new Map(), reservations: new Map(), counters: new Map(), events: [], idempotency: new Map() };
}

function clone(t: Tables): Tables {
  return {
    subscriptions: new Map([...t.subscriptions].map(([k, v]) => [k, { state: structuredClone(v.state), version: v.version }])),
    reservations: new Map([...t.reservations].map(([k, v]) => [k, { ...v }])),
    counters: new Map([...t.counters].map(([k, v]) => [k, { ...v }])),
    events: [...t.events],
    idempotency: new Map(t.idempotency),
  };
}

class Subscriptions implements SubscriptionRepository {
  constructor(
    private readonly t: Tables,
    private readonly clock: Clock,
  ) {}

  async findById(id: string): Promise<Subscription | undefined> {
    const row = this.t.subscriptions.get(id);
    return row ? Subscription.rehydrate(structuredClone(row.state), row.version, this.clock) : undefined;
  }

  async findByUser(userId: string): Promise<Subscription | undefined> {
    const row = [...this.t.subscriptions.values()].find((r) => r.state.userId === userId);
    return row ? Subscription.rehydrate(structuredClone(row.state), row.version, this.clock) : undefined;
  }

  async addIfAbsent(sub: Subscription): Promise<boolean> {
    if ([...this.t.subscriptions.values()].some((r) => r.state.userId === sub.state.userId)) return false;
    this.t.subscriptions.set(sub.id, { state: structuredClone(sub.state), version: sub.version });
    this.append(sub);
    return true;
  }

  async save(sub: Subscription): Promise<void> {
    const row = this.t.subscriptions.get(sub.id);
    if (!row || row.version !== sub.loadedVersion) throw new VersionConflictError(sub.id, sub.loadedVersion);
    this.t.subscriptions.set(sub.id, { state: structuredClone(sub.state), version: sub.version });
    this.append(sub);
  }

  async claimDue(now: Date, limit: number): Promise<Array<{ id: string }>> {
    return [...this.t.subscriptions.values()]
      .filter(({ state: s }) => ['active', 'payment_failed'].includes(s.status) && s.currentPeriodEnd <= now && s.pendingChange?.status !== 'payment_pending' && (!s.dunning || s.cancelAtPeriodEnd || dunningDueAt(s.dunning) <= now))
      .slice(0, limit)
      .map((r) => ({ id: r.state.id }));
  }

  private append(sub: Subscription): void {
    for (const event of sub.pendingEvents) this.t.events.push({ aggregateType: 'subscription', event });
    sub.markPersisted();
  }
}

class Ledger implements UsageLedger {
  constructor(
    private readonly t: Tables,
    private readonly clock: Clock,
  ) {}

  async counters(subscriptionId: string, window: Window): Promise<Record<UsageResource, CounterValues>> {
    return Object.fromEntries(USAGE_RESOURCES.map((r) => [r, { ...(this.t.counters.get(key(subscriptionId, r, window.start)) ?? { used: 0, reserved: 0 }) }])) as Record<UsageResource, CounterValues>;
  }

  async tryReserve(subscriptionId: string, resource: UsageResource, window: Window, amount: number, limit: number | null): Promise<{ ok: boolean } & CounterValues> {
    const c = this.counter(subscriptionId, resource, window.start);
    if (limit !== null && c.used + c.reserved + amount > limit) return { ok: false, ...c };
    c.reserved += amount;
    return { ok: true, ...c };
  }

  async addUsed(subscriptionId: string, resource: UsageResource, window: Window, amount: number): Promise<CounterValues> {
    const c = this.counter(subscriptionId, resource, window.start);
    c.used += amount;
    return { ...c };
  }

  async settle(r: Reservation, outcome: 'committed' | 'released' | 'expired'): Promise<CounterValues> {
    const c = this.counter(r.subscriptionId, r.resource, r.periodStart);
    c.reserved = Math.max(c.reserved - r.amount, 0);
    if (outcome === 'committed') c.used += r.amount;
    await this.setReservationStatus(r.id, outcome);
    return { ...c };
  }

  async findReservation(id: string): Promise<Reservation | undefined> {
    const r = this.t.reservations.get(id);
    return r ? { ...r } : undefined;
  }

  async insertReservation(r: Reservation): Promise<void> {
    this.t.reservations.set(r.id, { ...r });
  }

  async setReservationStatus(id: string, status: Reservation['status']): Promise<void> {
    const r = this.t.reservations.get(id);
    if (r) this.t.reservations.set(id, { ...r, status });
  }

  async claimExpired(now: Date, limit: number): Promise<Reservation[]> {
    return [...this.t.reservations.values()].filter((r) => r.status === 'reserved' && r.expiresAt <= now).slice(0, limit).map((r) => ({ ...r }));
  }

  async emit(subscriptionId: string, type: string, data: Record<string, unknown>): Promise<void> {
    const row = this.t.subscriptions.get(subscriptionId);
    if (!row) throw new Error(`subscription ${subscriptionId} vanished`);
    row.version += 1;
    this.t.events.push({ aggregateType: 'usage', event: { id: `${subscriptionId}:${row.version}`, type, aggregateId: subscriptionId, aggregateVersion: row.version, occurredAt: this.clock.now(), data } });
  }

  private counter(subscriptionId: string, resource: UsageResource, periodStart: Date): CounterValues {
    const k = key(subscriptionId, resource, periodStart);
    const c = this.t.counters.get(k) ?? { used: 0, reserved: 0 };
    this.t.counters.set(k, c);
    return c;
  }
}

const key = (subscriptionId: string, resource: string, periodStart: Date) => `${subscriptionId}|${resource}|${periodStart.toISOString()}`;

const catalog: TierCatalog = {
  all: async () => [...TIERS],
  get: async (id) => TIERS.find((t) => t.id === id),
};

/** subscription's repositories in memory, with the transaction semantics of the real unit of work. */
export function inMemorySubscriptionUnitOfWork(clock: Clock, tables: Tables = emptyTables()): InMemoryUnitOfWork<Tables, SubscriptionRepositories> {
  return new InMemoryUnitOfWork<Tables, SubscriptionRepositories>(tables, clone, (t) => ({
    subscriptions: new Subscriptions(t, clock),
    tiers: catalog,
    usage: new Ledger(t, clock),
    idempotent: async (request, work) => {
      const k = `${request.principal}|${request.scope}`;
      const seen = t.idempotency.get(k);
      const body = JSON.stringify(request.body);
      if (seen && seen.body === body) return seen.answer as Awaited<ReturnType<typeof work>>;
      const answer = await work();
      t.idempotency.set(k, { body, answer: JSON.parse(JSON.stringify(answer)) });
      return answer;
    },
  }));
}

/** The types of the events appended so far, in order. */
export function eventTypes(uow: InMemoryUnitOfWork<Tables, SubscriptionRepositories>): string[] {
  return uow.tables.events.map((e) => e.event.type);
}
