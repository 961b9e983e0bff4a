import { CLOCK, type Clock } from '@storytelling/kernel';
import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { SagaKeyTakenError, Sagas, getLogger, type SagaStarter } from '@storytelling/platform';
import { periodEnd, priceFor, type Tier } from '../../domain/index.js';
import { SUBSCRIPTION_UNIT_OF_WORK, type SubscriptionRepositories, type SubscriptionUnitOfWork } from '../ports/index.js';
import { startPaidSubscription } from '../sagas/paid-subscription.saga.js';

/** What the scheduler claims per pass, and how many passes at most (a long-stopped fleet catches up in a few). */
const BATCH = 50;

/**
 * Period ends (run by the scheduler worker): subscriptions whose period is over are claimed with
 * FOR UPDATE SKIP LOCKED (replicas split them) and, in their own transaction each:
 * free → next period; cancel-at-period-end → free (SubscriptionCancelled); scheduled change →
 * applied (TierDowngraded); paid → the paid-subscription saga charges the next period, started
 * with the business key `renewal:<subscription>:<period end>` so it can never run twice. A refused
 * renewal is retried in its grace period (ADR 0018), attempt n ≥ 2 under
 * `renewal:<subscription>:<period end>:attempt:<n>`: one charge per attempt, whoever runs it.
 */
export class CloseDuePeriodsCommand extends Command<number> {}

@CommandHandler(CloseDuePeriodsCommand)
export class CloseDuePeriodsHandler implements ICommandHandler<CloseDuePeriodsCommand> {
  private readonly log = getLogger('renewals');

  constructor(
    @Inject(SUBSCRIPTION_UNIT_OF_WORK) private readonly uow: SubscriptionUnitOfWork,
    @Inject(Sagas) private readonly sagas: SagaStarter,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** @returns how many period ends were handled. */
  async execute(): Promise<number> {
    let handled = 0;
    for (;;) {
      const n = await this.uow.run(async (repos) => {
        const ids: Array<{ id: string }> = await this.claimDue(repos);
        for (const { id } of ids) await this.closePeriod(repos, id);
        return ids.length;
      });
      handled += n;
      if (n < BATCH) return handled;
    }
  }

  private claimDue(repos: SubscriptionRepositories): Promise<Array<{ id: string }>> {
    return repos.subscriptions.claimDue(this.clock.now(), BATCH);
  }

  private async closePeriod(repos: SubscriptionRepositories, id: string): Promise<void> {
    const sub = await repos.subscriptions.findById(id, { lock: true });
    if (!sub || !sub.dueAt(this.clock.now())) return;
    const tiers = await repos.tiers.all();
    const byId = (tierId: string): Tier => {
      const t = tiers.find((x) => x.id === tierId);
      if (!t) throw new Error(`unknown tier ${tierId}`);
      return t;
    };
    const oldEnd = sub.state.currentPeriodEnd;
    const renew = sub.closePeriod(byId);
    if (!renew) {
      await repos.subscriptions.save(sub);
      return;
    }
    const method = sub.state.paymentMethod;
    if (!method) {
      // Nothing to charge: the paid tier lapses to free.
      sub.lapseToFree();
      await repos.subscriptions.save(sub);
      return;
    }
    try {
      await startPaidSubscription(this.sagas, repos, sub, {
        kind: 'renewal',
        tier: renew.tier,
        cycle: renew.cycle,
        amountMinor: priceFor(renew.tier, renew.cycle),
        currency: renew.tier.currency,
        periodStart: oldEnd,
        periodEnd: periodEnd(oldEnd, renew.cycle),
        paymentMethod: method,
        key: renewalKey(sub.id, oldEnd, renew.attempt),
      });
    } catch (err) {
      if (err instanceof SagaKeyTakenError) {
        this.log.warn({ subscriptionId: sub.id, sagaId: err.existingId }, 'renewal for this period already started');
        return;
      }
      throw err;
    }
  }
}

/** The business key of a renewal charge attempt: attempt 1 keeps the key renewals always had. */
export function renewalKey(subscriptionId: string, periodEnd: Date, attempt: number): string {
  const key = `renewal:${subscriptionId}:${periodEnd.toISOString()}`;
  return attempt === 1 ? key : `${key}:attempt:${attempt}`;
}
