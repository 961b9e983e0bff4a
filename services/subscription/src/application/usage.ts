import { CLOCK, isUuid, type Clock } from '@storytelling/kernel';
import { Inject, Injectable } from '@nestjs/common';
import { MalformedMessageError, NonRetryableError, getLogger } from '@storytelling/platform';
import { SubscriptionEventTypes as T, isUsageResource, limitOf, usageWindow, type Subscription } from '../domain/index.js';
import { SUBSCRIPTION_SETTINGS, type Reservation, type SubscriptionRepositories, type SubscriptionSettings } from './ports/index.js';

export interface ReserveUsageInput {
  sagaId: string;
  reservationId: string;
  userId: string;
  resource: unknown;
  amount: unknown;
  ttlSeconds: unknown;
}

/** Thrown when the user's subscription does not exist yet (registration still in flight): retried, then dead-lettered. */
export class SubscriptionNotYetKnownError extends Error {
  constructor(userId: string) {
    super(`no subscription for user ${userId} (yet)`);
    this.name = 'SubscriptionNotYetKnownError';
  }
}

/**
 * Usage and quotas: reservations (ReserveUsage / CommitUsage / ReleaseUsage on
 * subscription.commands, idempotent by reservation id: a resent command is answered again
 * with the stored outcome), counted use (StoryCreated) and the expiry sweep. All in the
 * consumer's transaction; every counter change is one guarded UPDATE under the row lock.
 */
@Injectable()
export class UsageService {
  private readonly log = getLogger('usage');

  constructor(
    @Inject(SUBSCRIPTION_SETTINGS) private readonly settings: SubscriptionSettings,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async reserve(repos: SubscriptionRepositories, input: ReserveUsageInput): Promise<void> {
    if (!isUuid(input.reservationId)) throw new MalformedMessageError('ReserveUsage without a UUID reservationId');
    if (!isUuid(input.userId)) throw new MalformedMessageError('ReserveUsage without a UUID userId');
    if (!isUsageResource(input.resource)) throw new MalformedMessageError(`ReserveUsage for unknown resource ${String(input.resource)}`);
    const amount = input.amount;
    if (typeof amount !== 'number' || !Number.isInteger(amount) || amount < 1) throw new MalformedMessageError('ReserveUsage amount must be an integer ≥ 1');
    const resource = input.resource;
    const existing = await repos.usage.findReservation(input.reservationId.toLowerCase(), { lock: true });
    if (existing) return this.answerAgain(repos, existing);

    const sub = await repos.subscriptions.findByUser(input.userId.toLowerCase());
    if (!sub) throw new SubscriptionNotYetKnownError(input.userId);
    const tier = await repos.tiers.get(sub.state.tier);
    const now = this.clock.now();
    const window = usageWindow(sub.state.currentPeriodStart, now);
    const limit = sub.isLive && tier ? limitOf(tier.limits, resource) : 0;
    const ttl = typeof input.ttlSeconds === 'number' && input.ttlSeconds > 0 ? input.ttlSeconds : this.settings.reservationTtlSeconds;
    const reservation: Reservation = {
      id: input.reservationId.toLowerCase(),
      subscriptionId: sub.id,
      userId: sub.userId,
      resource,
      amount,
      periodStart: window.start,
      status: 'reserved',
      sagaId: isUuid(input.sagaId) ? input.sagaId : null,
      expiresAt: new Date(now.getTime() + ttl * 1000),
    };
    const result = await repos.usage.tryReserve(sub.id, resource, window, amount, limit);
    if (!result.ok) reservation.status = 'refused';
    await repos.usage.insertReservation(reservation);
    if (result.ok) await this.emitReserved(repos, reservation);
    else await this.emitExceeded(repos, sub, resource, amount, result.used + result.reserved, limit ?? 0, reservation.id, window.start);
  }

  async commit(repos: SubscriptionRepositories, reservationId: unknown): Promise<void> {
    const r = await this.reservation(repos, reservationId, 'CommitUsage');
    if (r.status === 'refused') throw new NonRetryableError(`CommitUsage for refused reservation ${r.id}`);
    if (r.status === 'reserved') await repos.usage.settle(r, 'committed');
    else if (r.status === 'released' || r.status === 'expired') {
      // The work was done although the hold lapsed: it counts (may pass the limit by this amount).
      await repos.usage.addUsed(r.subscriptionId, r.resource, { start: r.periodStart, end: r.periodStart }, r.amount);
      await repos.usage.setReservationStatus(r.id, 'committed');
    }
    await repos.usage.emit(r.subscriptionId, T.UsageCommitted, {
      subscriptionId: r.subscriptionId,
      userId: r.userId,
      reservationId: r.id,
      resource: r.resource,
      amount: r.amount,
      periodStart: r.periodStart.toISOString(),
    });
  }

  async release(repos: SubscriptionRepositories, reservationId: unknown): Promise<void> {
    const r = await this.reservation(repos, reservationId, 'ReleaseUsage');
    if (r.status === 'committed') {
      // The use stays counted, but the sender's saga is waiting for an answer to its
      // compensation: it gets one that gives nothing back (amount 0, reason committed).
      this.log.warn({ reservationId: r.id }, 'ReleaseUsage after CommitUsage: committed use stays');
      await this.emitReleased(repos, r, 'committed');
      return;
    }
    if (r.status === 'reserved') await repos.usage.settle(r, 'released');
    const reason = r.status === 'expired' ? 'expired' : 'released';
    await this.emitReleased(repos, r, reason);
  }

  /** Counted use (StoryCreated): +amount committed in the window containing `at`; QuotaExceeded when it passed the limit. */
  async count(repos: SubscriptionRepositories, userId: string, resource: 'stories' | 'narrations' | 'videos', at: Date, amount = 1): Promise<void> {
    const sub = await repos.subscriptions.findByUser(userId);
    if (!sub) throw new SubscriptionNotYetKnownError(userId);
    const window = usageWindow(sub.state.currentPeriodStart, at);
    const after = await repos.usage.addUsed(sub.id, resource, window, amount);
    await repos.usage.emit(sub.id, T.UsageCommitted, {
      subscriptionId: sub.id,
      userId: sub.userId,
      resource,
      amount,
      periodStart: window.start.toISOString(),
    });
    const tier = await repos.tiers.get(sub.state.tier);
    const limit = tier ? limitOf(tier.limits, resource) : null;
    if (limit !== null && after.used + after.reserved > limit) await this.emitExceeded(repos, sub, resource, amount, after.used + after.reserved - amount, limit, '', window.start);
  }

  /** Open reservations past their expiry: released (reason expired). @returns how many. */
  async sweepExpired(repos: SubscriptionRepositories, limit = 100): Promise<number> {
    const expired = await repos.usage.claimExpired(this.clock.now(), limit);
    for (const r of expired) {
      await repos.usage.settle(r, 'expired');
      await this.emitReleased(repos, r, 'expired');
    }
    return expired.length;
  }

  private async reservation(repos: SubscriptionRepositories, id: unknown, command: string): Promise<Reservation> {
    if (!isUuid(id)) throw new MalformedMessageError(`${command} without a UUID reservationId`);
    const r = await repos.usage.findReservation(id.toLowerCase(), { lock: true });
    // Commands of one saga share a key (and a partition): a commit cannot overtake its reserve.
    if (!r) throw new NonRetryableError(`${command} for unknown reservation ${id}`);
    return r;
  }

  private async answerAgain(repos: SubscriptionRepositories, r: Reservation): Promise<void> {
    switch (r.status) {
      case 'refused': {
        const sub = await repos.subscriptions.findById(r.subscriptionId);
        const tier = sub ? await repos.tiers.get(sub.state.tier) : undefined;
        const counters = await repos.usage.counters(r.subscriptionId, { start: r.periodStart, end: r.periodStart });
        const c = counters[r.resource];
        // The same limit the first answer gave: 0 while the subscription is not live.
        const limit = sub?.isLive && tier ? limitOf(tier.limits, r.resource) : 0;
        if (sub) await this.emitExceeded(repos, sub, r.resource, r.amount, c.used + c.reserved, limit ?? 0, r.id, r.periodStart);
        return;
      }
      case 'reserved':
      case 'committed':
        return this.emitReserved(repos, r);
      case 'released':
      case 'expired':
        return this.emitReleased(repos, r, r.status);
    }
  }

  private emitReserved(repos: SubscriptionRepositories, r: Reservation): Promise<void> {
    return repos.usage.emit(r.subscriptionId, T.UsageReserved, {
      subscriptionId: r.subscriptionId,
      userId: r.userId,
      reservationId: r.id,
      resource: r.resource,
      amount: r.amount,
      periodStart: r.periodStart.toISOString(),
      expiresAt: r.expiresAt.toISOString(),
    });
  }

  /** UsageReleased; `committed`: nothing was given back (the use had been committed), amount 0. */
  private emitReleased(repos: SubscriptionRepositories, r: Reservation, reason: 'released' | 'expired' | 'committed'): Promise<void> {
    return repos.usage.emit(r.subscriptionId, T.UsageReleased, {
      subscriptionId: r.subscriptionId,
      userId: r.userId,
      reservationId: r.id,
      resource: r.resource,
      amount: reason === 'committed' ? 0 : r.amount,
      reason,
    });
  }

  private emitExceeded(repos: SubscriptionRepositories, sub: Subscription, resource: string, requested: number, used: number, limit: number, reservationId: string, periodStart: Date): Promise<void> {
    return repos.usage.emit(sub.id, T.QuotaExceeded, {
      subscriptionId: sub.id,
      userId: sub.userId,
      tier: sub.state.tier,
      resource,
      requested,
      used,
      limit,
      ...(reservationId ? { reservationId } : {}),
      // The quota period: notification sends one notice per (user, resource, period) (ADR 0018).
      periodStart: periodStart.toISOString(),
    });
  }
}
