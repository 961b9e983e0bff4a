import { ValidationError, type Clock } from '@storytelling/kernel';
import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { Caller } from '@storytelling/platform';
import { SubscriptionNotFoundError, TierNotFoundError, isBillingCycle } from '../../domain/index.js';
import { currentUsage, requireTier } from '../current-usage.js';
import { CLOCK, SUBSCRIPTION_UNIT_OF_WORK, type SubscriptionUnitOfWork } from '../ports/index.js';
import { PaidSubscriptionSaga } from '../saga/paid-subscription-saga.js';
import { toSubscriptionView, type SubscriptionView } from '../views.js';

export class ChangeSubscriptionCommand extends Command<SubscriptionView> {
  constructor(
    readonly caller: Caller,
    readonly input: { tierId: unknown; billingCycle: unknown; paymentToken: unknown },
  ) {
    super();
  }
}

/**
 * POST /subscription: a charge runs the saga (answer: payment_pending); a downgrade or cycle
 * change is scheduled for the period end. Honours the Idempotency-Key (same key and body →
 * the first answer; other body → 409). The subscription row is locked (FOR UPDATE), so the saga,
 * the scheduler and the consumers never race on it.
 */
@CommandHandler(ChangeSubscriptionCommand)
export class ChangeSubscriptionHandler implements ICommandHandler<ChangeSubscriptionCommand> {
  constructor(
    @Inject(SUBSCRIPTION_UNIT_OF_WORK) private readonly uow: SubscriptionUnitOfWork,
    @Inject(PaidSubscriptionSaga) private readonly saga: PaidSubscriptionSaga,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute(command: ChangeSubscriptionCommand): Promise<SubscriptionView> {
    const { caller, input } = command;
    const problems: { field: string; message: string }[] = [];
    if (typeof input.tierId !== 'string' || input.tierId.trim() === '') problems.push({ field: 'tierId', message: 'required' });
    if (!isBillingCycle(input.billingCycle)) problems.push({ field: 'billingCycle', message: 'must be monthly or yearly' });
    const token = typeof input.paymentToken === 'string' ? input.paymentToken.trim() : '';
    if (token === '' || token.length > 255) problems.push({ field: 'paymentMethod.token', message: 'required, at most 255 characters' });
    if (problems.length > 0) throw new ValidationError('invalid subscription change', problems);
    const tierId = (input.tierId as string).trim().toLowerCase();
    const cycle = input.billingCycle as 'monthly' | 'yearly';
    return this.uow
      .run((repos) =>
        repos.idempotent({ scope: 'subscription.ChangeSubscription', principal: caller.userId, body: { tierId, cycle, token } }, async () => {
          const target = await repos.tiers.get(tierId);
          if (!target) throw new TierNotFoundError();
          const sub = await repos.subscriptions.findByUser(caller.userId, { lock: true });
          if (!sub) throw new SubscriptionNotFoundError();
          const current = await requireTier(repos, sub.state.tier);
          const plan = sub.planChange(current, target, cycle);
          if (plan.kind === 'scheduled') {
            sub.schedule(target.id, cycle);
            await repos.subscriptions.save(sub);
          } else if (plan.amountMinor === 0) {
            // Nothing to charge (an upgrade in the period's last moments, or a credit covering the
            // new cycle): the change applies at once, without a payment.
            sub.activate(
              { tier: target.id, billingCycle: cycle, periodStart: plan.periodStart, periodEnd: plan.periodEnd, paymentId: '', amountMinor: 0, currency: plan.currency, renewal: false },
              current,
              target,
            );
            await repos.subscriptions.save(sub);
          } else {
            await this.saga.begin(repos, sub, {
              kind: 'change',
              tier: target,
              cycle,
              amountMinor: plan.amountMinor,
              currency: plan.currency,
              periodStart: plan.periodStart,
              periodEnd: plan.periodEnd,
              paymentMethod: token,
            });
          }
          return toSubscriptionView(sub, await currentUsage(repos, sub, this.clock));
        }),
      )
      .then(reviveDates);
  }
}

export class CancelSubscriptionCommand extends Command<SubscriptionView> {
  constructor(readonly caller: Caller) {
    super();
  }
}

/** POST /subscription/cancel: the paid tier ends at the period end. */
@CommandHandler(CancelSubscriptionCommand)
export class CancelSubscriptionHandler implements ICommandHandler<CancelSubscriptionCommand> {
  constructor(
    @Inject(SUBSCRIPTION_UNIT_OF_WORK) private readonly uow: SubscriptionUnitOfWork,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  execute(command: CancelSubscriptionCommand): Promise<SubscriptionView> {
    return this.uow.run(async (repos) => {
      const sub = await repos.subscriptions.findByUser(command.caller.userId, { lock: true });
      if (!sub) throw new SubscriptionNotFoundError();
      sub.cancelAtPeriodEnd();
      await repos.subscriptions.save(sub);
      return toSubscriptionView(sub, await currentUsage(repos, sub, this.clock));
    });
  }
}

/** A replayed idempotent answer comes back from JSON: dates are strings again. */
function reviveDates(view: SubscriptionView): SubscriptionView {
  const date = (d: Date | string) => (d instanceof Date ? d : new Date(d));
  return {
    ...view,
    currentPeriodStart: date(view.currentPeriodStart),
    currentPeriodEnd: date(view.currentPeriodEnd),
    pendingChange: view.pendingChange ? { ...view.pendingChange, effectiveAt: view.pendingChange.effectiveAt ? date(view.pendingChange.effectiveAt) : null } : null,
  };
}
