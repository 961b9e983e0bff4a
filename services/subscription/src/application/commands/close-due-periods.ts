import { CLOCK, type Clock } from '@storytelling/kernel';
import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { SagaKeyTakenError, Sagas, getLogger, type SagaStarter } from '@storytelling/platform';
import { periodEnd, priceFor, type DuePosition, type Tier } from '../../domain/index.js';
import { SUBSCRIPTION_UNIT_OF_WORK, type SubscriptionRepositories, type SubscriptionUnitOfWork } from '../ports/index.js';
import { startPaidSubscription } from '../sagas/paid-subscription.saga.js';

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

  /**
   * One transaction per subscription: a period end that fails (logged, retried on the next pass)
   * rolls back only itself. The pass walks the due ones in (period end, id) order and claims
   * after the last it looked at, so a failed one holds up no other and none is looked at twice
   * (a period closed into another past one comes later in the order: a stopped fleet catches up).
   * @returns how many period ends were handled.
   */
  async execute(): Promise<number> {
    let handled = 0;
    let position: DuePosition | undefined;
    for (;;) {
      let claimed: DuePosition | undefined;
      try {
        const closed = await this.uow.run(async (repos) => {
          [claimed] = await repos.subscriptions.claimDue(this.clock.now(), 1, position);
          return claimed ? this.closePeriod(repos, claimed.id) : false;
        });
        if (!claimed) return handled;
        if (closed) handled++;
      } catch (err) {
        // Before a claim nothing is known to pass over: the failure is the pass's own.
        if (!claimed) throw err;
        this.log.error({ err, subscriptionId: claimed.id }, 'period end failed; retried on the next pass');
      }
      position = claimed;
    }
  }

  /** @returns false when the subscription was not due after all (nothing done). */
  private async closePeriod(repos: SubscriptionRepositories, id: string): Promise<boolean> {
    const sub = await repos.subscriptions.findById(id, { lock: true });
    if (!sub || !sub.dueAt(this.clock.now())) return false;
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
      return true;
    }
    const method = sub.state.paymentMethod;
    if (!method) {
      // Nothing to charge: the paid tier lapses to free.
      sub.lapseToFree();
      await repos.subscriptions.save(sub);
      return true;
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
        return true;
      }
      throw err;
    }
    return true;
  }
}

/** The business key of a renewal charge attempt: attempt 1 keeps the key renewals always had. */
export function renewalKey(subscriptionId: string, periodEnd: Date, attempt: number): string {
  const key = `renewal:${subscriptionId}:${periodEnd.toISOString()}`;
  return attempt === 1 ? key : `${key}:attempt:${attempt}`;
}
