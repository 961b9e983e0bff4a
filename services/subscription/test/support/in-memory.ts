import type { MessageType } from '@storytelling/contracts';
import { paymentsEvents, type paymentsCommands } from '@storytelling/contracts';
import { FixedClock, VersionConflictError, uuidv7, type Clock, type DomainEvent } from '@storytelling/kernel';
import {
  IDEMPOTENCY_TTL_MS,
  IdempotencyKeyReusedError,
  SagaEngine,
  SagaKeyTakenError,
  currentContext,
  requestFingerprint,
  type Caller,
  type SagaDefinition,
  type SagaInstance,
  type SagaStarter,
  type StartInput,
} from '@storytelling/platform';
import { InMemorySagaPort, InMemoryUnitOfWork, appendToOutbox } from '@storytelling/testing';
import {
  UsageService,
  paidSubscriptionSaga,
  type CounterValues,
  type PaidSubscriptionDeps,
  type PaidSubscriptionState,
  type Reservation,
  type SubscriptionRepositories,
  type SubscriptionSettings,
  type UsageLedger,
} from '../../src/application/index.js';
import {
  DEFAULT_DUNNING_POLICY,
  SUBSCRIPTION_AGGREGATE_TYPE,
  Subscription,
  USAGE_AGGREGATE_TYPE,
  USAGE_RESOURCES,
  dunningDueAt,
  periodEnd,
  type DuePosition,
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
  /** The outbox: every event appended, in order; (aggregate id, version) is unique, as in domain_events. */
  events: Array<{ aggregateType: string; event: DomainEvent }>;
  /** idempotency_keys by (principal, scope, key): the request's fingerprint, the stored answer, the expiry. */
  idempotency: Map<string, { fingerprint: string; answer: unknown; expiresAt: Date }>;
}

export function emptyTables(): Tables {
  return { subscriptions: new Map(), reservations: new Map(), counters: new Map(), events: [], idempotency: new Map() };
}

/**
 * A deep copy of a row whose Dates are Dates of this realm: structuredClone would hand back the
 * host realm's Dates under jest's VM modules, which `instanceof Date` in the code under test
 * (reviveDates, requestFingerprint) does not recognise, unlike the Dates pg returns.
 */
export function copy<T>(value: T): T {
  if (Object.prototype.toString.call(value) === '[object Date]') return new Date((value as unknown as Date).getTime()) as T;
  if (Array.isArray(value)) return value.map(copy) as T;
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, copy(v)])) as T;
  return value;
}

function clone(t: Tables): Tables {
  return {
    subscriptions: new Map([...t.subscriptions].map(([k, v]) => [k, { state: copy(v.state), version: v.version }])),
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
    return row ? Subscription.rehydrate(copy(row.state), row.version, this.clock) : undefined;
  }

  async findByUser(userId: string): Promise<Subscription | undefined> {
    const row = [...this.t.subscriptions.values()].find((r) => r.state.userId === userId);
    return row ? Subscription.rehydrate(copy(row.state), row.version, this.clock) : undefined;
  }

  /** ON CONFLICT (user_id) DO NOTHING; a taken id is a primary-key violation, as in SQL. */
  async addIfAbsent(sub: Subscription): Promise<boolean> {
    if ([...this.t.subscriptions.values()].some((r) => r.state.userId === sub.state.userId)) return false;
    if (this.t.subscriptions.has(sub.id)) throw new Error(`duplicate key: subscription ${sub.id} exists`);
    this.t.subscriptions.set(sub.id, { state: copy(sub.state), version: sub.version });
    this.append(sub);
    return true;
  }

  async save(sub: Subscription): Promise<void> {
    const row = this.t.subscriptions.get(sub.id);
    if (!row || row.version !== sub.loadedVersion) throw new VersionConflictError(sub.id, sub.loadedVersion);
    this.t.subscriptions.set(sub.id, { state: copy(sub.state), version: sub.version });
    this.append(sub);
  }

  async claimDue(now: Date, limit: number, after?: DuePosition): Promise<DuePosition[]> {
    const afterPosition = ({ state: s }: { state: SubscriptionState }): boolean =>
      !after || s.currentPeriodEnd > after.periodEnd || (s.currentPeriodEnd.getTime() === after.periodEnd.getTime() && s.id > after.id);
    return [...this.t.subscriptions.values()]
      .filter(afterPosition)
      .filter(({ state: s }) => ['active', 'payment_failed'].includes(s.status) && s.currentPeriodEnd <= now && s.pendingChange?.status !== 'payment_pending' && (!s.dunning || s.cancelAtPeriodEnd || dunningDueAt(s.dunning) <= now))
      .sort((a, b) => a.state.currentPeriodEnd.getTime() - b.state.currentPeriodEnd.getTime() || (a.state.id < b.state.id ? -1 : 1))
      .slice(0, limit)
      .map((r) => ({ id: r.state.id, periodEnd: r.state.currentPeriodEnd }));
  }

  private append(sub: Subscription): void {
    appendToOutbox(this.t.events, SUBSCRIPTION_AGGREGATE_TYPE, sub.pendingEvents);
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

  /** An UPDATE of the counter row: no row, nothing changes (the reservation's status still does). */
  async settle(r: Reservation, outcome: 'committed' | 'released' | 'expired'): Promise<CounterValues> {
    const c = this.t.counters.get(key(r.subscriptionId, r.resource, r.periodStart));
    if (c) {
      c.reserved = Math.max(c.reserved - r.amount, 0);
      if (outcome === 'committed') c.used += r.amount;
    }
    await this.setReservationStatus(r.id, outcome);
    return c ? { ...c } : { used: 0, reserved: 0 };
  }

  async findReservation(id: string): Promise<Reservation | undefined> {
    const r = this.t.reservations.get(id);
    return r ? { ...r } : undefined;
  }

  async insertReservation(r: Reservation): Promise<void> {
    if (this.t.reservations.has(r.id)) throw new Error(`duplicate key: reservation ${r.id} exists`);
    this.t.reservations.set(r.id, { ...r });
  }

  async setReservationStatus(id: string, status: Reservation['status']): Promise<void> {
    const r = this.t.reservations.get(id);
    if (r) this.t.reservations.set(id, { ...r, status });
  }

  async claimExpired(now: Date, limit: number): Promise<Reservation[]> {
    return [...this.t.reservations.values()]
      .filter((r) => r.status === 'reserved' && r.expiresAt <= now)
      .sort((a, b) => a.expiresAt.getTime() - b.expiresAt.getTime())
      .slice(0, limit)
      .map((r) => ({ ...r }));
  }

  async emit(subscriptionId: string, type: string, data: Record<string, unknown>): Promise<void> {
    const row = this.t.subscriptions.get(subscriptionId);
    if (!row) throw new Error(`subscription ${subscriptionId} vanished`);
    row.version += 1;
    appendToOutbox(this.t.events, USAGE_AGGREGATE_TYPE, [{ id: uuidv7(), type, aggregateId: subscriptionId, aggregateVersion: row.version, occurredAt: this.clock.now(), data }]);
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
    idempotent: (request, work) => idempotent(t, clock, request, work),
  }));
}

/**
 * withIdempotency's rules (platform idempotency.ts) over the unit's tables: no Idempotency-Key in
 * the request context → just the work; same key and body within 24 h → the stored answer (as
 * JSON, without running the work); same key, other body → IDEMPOTENCY_KEY_REUSED. A failed work
 * is not remembered: the unit (and the key with it) rolls back.
 */
async function idempotent<T>(t: Tables, clock: Clock, request: { scope: string; principal: string; body: unknown }, work: () => Promise<T>): Promise<T> {
  const key = currentContext()?.idempotencyKey;
  if (key === undefined || key === '') return work();
  const id = JSON.stringify([request.principal, request.scope, key]);
  const fingerprint = requestFingerprint(request.body);
  const stored = t.idempotency.get(id);
  if (stored && stored.expiresAt.getTime() > clock.now().getTime()) {
    if (stored.fingerprint !== fingerprint) throw new IdempotencyKeyReusedError();
    return stored.answer as T;
  }
  const answer = await work();
  t.idempotency.set(id, { fingerprint, answer: JSON.parse(JSON.stringify(answer ?? null)) as unknown, expiresAt: new Date(clock.now().getTime() + IDEMPOTENCY_TTL_MS) });
  return answer;
}

/** The types of the events appended so far, in order. */
export function eventTypes(uow: InMemoryUnitOfWork<Tables, SubscriptionRepositories>): string[] {
  return uow.tables.events.map((e) => e.event.type);
}

export type SubscriptionUnitOfWorkInMemory = InMemoryUnitOfWork<Tables, SubscriptionRepositories>;

/** What the handlers are built with in unit tests: a FixedClock at `now`, the in-memory unit of work and sagas, UsageService. */
export interface SubscriptionWorld {
  clock: FixedClock;
  uow: SubscriptionUnitOfWorkInMemory;
  sagas: InMemorySagas;
  usage: UsageService;
}

export function subscriptionWorld(now: Date): SubscriptionWorld {
  const clock = new FixedClock(now);
  const uow = inMemorySubscriptionUnitOfWork(clock);
  return { clock, uow, sagas: new InMemorySagas(uow, clock), usage: new UsageService(SETTINGS, clock) };
}

/** The committed outbox, oldest first (of one aggregate when given). */
export function eventsOf(uow: SubscriptionUnitOfWorkInMemory, aggregateId?: string): DomainEvent[] {
  return uow.tables.events.map((e) => e.event).filter((e) => aggregateId === undefined || e.aggregateId === aggregateId);
}

export { outcomeOf } from '@storytelling/testing';

/** A caller as CallerResolver hands it over. */
export function callerOf(userId: string, role = 'member'): Caller {
  return { userId, role };
}

/**
 * A subscription row as it stands after some history (no events: the outbox starts empty).
 * Defaults: free, active, monthly, a period from `currentPeriodStart`; paid tiers get a payment method.
 */
export function seedSubscription(uow: SubscriptionUnitOfWorkInMemory, row: Partial<SubscriptionState> & Pick<SubscriptionState, 'userId' | 'currentPeriodStart'>, version = 1): SubscriptionState {
  const tier = row.tier ?? 'free';
  const cycle = row.billingCycle ?? 'monthly';
  const state: SubscriptionState = {
    id: uuidv7(),
    tier,
    status: 'active',
    billingCycle: cycle,
    currentPeriodEnd: periodEnd(row.currentPeriodStart, cycle),
    cancelAtPeriodEnd: false,
    pendingChange: null,
    paymentMethod: tier === 'free' ? null : 'tok_visa',
    dunning: null,
    createdAt: row.currentPeriodStart,
    updatedAt: row.currentPeriodStart,
    ...row,
  };
  uow.tables.subscriptions.set(state.id, { state: copy(state), version });
  return state;
}

/** The committed row of a subscription, as the aggregate (fails when there is none). */
export function storedSubscription(uow: SubscriptionUnitOfWorkInMemory, clock: Clock, userId: string): Subscription {
  const row = [...uow.tables.subscriptions.values()].find((r) => r.state.userId === userId);
  if (!row) throw new Error(`no subscription for ${userId}`);
  return Subscription.rehydrate(copy(row.state), row.version, clock);
}

/** The saga's deps as PaidSubscriptionSagaBinding gives them: the repositories of the unit running now. */
export function sagaDeps(uow: SubscriptionUnitOfWorkInMemory, settings: SubscriptionSettings = SETTINGS): PaidSubscriptionDeps {
  return {
    get repos() {
      return uow.reader;
    },
    settings,
  };
}

/**
 * The `Sagas` provider in memory for the paid-subscription saga: the real engine over
 * InMemorySagaPort, a taken business key refused with SagaKeyTakenError (as SagaStore does), and
 * replies run in a unit of work (as the consumer runs them in its inbox transaction).
 */
export class InMemorySagas implements SagaStarter {
  readonly port: InMemorySagaPort;
  private readonly engine: SagaEngine<PaidSubscriptionState, PaidSubscriptionDeps>;
  private readonly deps: PaidSubscriptionDeps;

  constructor(
    private readonly uow: SubscriptionUnitOfWorkInMemory,
    clock: FixedClock,
    settings: SubscriptionSettings = SETTINGS,
  ) {
    this.port = new InMemorySagaPort(clock);
    this.engine = new SagaEngine(paidSubscriptionSaga, this.port, clock);
    this.deps = sagaDeps(uow, settings);
  }

  async start<S extends object, D>(definition: SagaDefinition<S, D>, input: StartInput<S>): Promise<SagaInstance<S>> {
    if (definition.type !== paidSubscriptionSaga.type) throw new Error(`saga ${definition.type} is not bound in subscription`);
    const taken = input.key === undefined ? undefined : [...this.port.sagas.values()].find((s) => s.key === input.key);
    if (input.key !== undefined && taken) throw new SagaKeyTakenError(input.key, taken.id);
    return (await this.engine.start(this.deps, input as unknown as StartInput<PaidSubscriptionState>)) as unknown as SagaInstance<S>;
  }

  /** Every saga started, oldest first. */
  get all(): Array<SagaInstance<PaidSubscriptionState>> {
    return [...this.port.sagas.values()].map((s) => structuredClone(s) as SagaInstance<PaidSubscriptionState>);
  }

  /** The payloads of the commands of one type sent so far, with the saga that sent each. */
  sent<T>(message: MessageType<T>): Array<T & { subject: string }> {
    return this.port.sent.filter((c) => c.type === message.type && c.topic === message.topic).map((c) => ({ ...message.fromJSON(c.data), subject: c.subject }));
  }

  /** payments answers a saga (found by id, as the platform's reply route finds it by correlation id). */
  async reply<R>(sagaId: string, message: MessageType<R>, payload: R): Promise<void> {
    await this.uow.run(async () => {
      const saga = await this.port.get<PaidSubscriptionState>(sagaId);
      if (!saga) throw new Error(`no saga ${sagaId}`);
      await this.engine.onReply(saga, message as MessageType<unknown>, message.fromJSON(message.toJSON(payload)), this.deps);
    });
  }
}

/** payments' PaymentProcessed for a ChargePayment. */
export function paymentProcessed(c: paymentsCommands.ChargePayment): paymentsEvents.PaymentProcessed {
  return paymentsEvents.PaymentProcessed.fromJSON({ paymentId: c.paymentId, userId: c.userId, subscriptionId: c.subscriptionId, amountMinor: c.amountMinor, currency: c.currency, provider: 'sandbox', sagaId: c.sagaId });
}

/** payments' PaymentFailed for a ChargePayment. */
export function paymentFailed(c: paymentsCommands.ChargePayment, reason: string): paymentsEvents.PaymentFailed {
  return paymentsEvents.PaymentFailed.fromJSON({ paymentId: c.paymentId, userId: c.userId, subscriptionId: c.subscriptionId, amountMinor: c.amountMinor, currency: c.currency, provider: 'sandbox', reason, sagaId: c.sagaId });
}
