import { CLOCK, ValidationError, type Clock } from '@storytelling/kernel';
import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { Sagas, type Caller, type SagaStarter } from '@storytelling/platform';
import { TierNotFoundError, isBillingCycle } from '../../domain/index.js';
import { currentUsage, requireTier } from '../current-usage.js';
import { ownSubscription } from '../own-subscription.js';
import { SUBSCRIPTION_UNIT_OF_WORK, type SubscriptionUnitOfWork } from '../ports/index.js';
import { startPaidSubscription } from '../sagas/paid-subscription.saga.js';
import { reviveDates, toSubscriptionView, type SubscriptionView } from '../views.js';

export class ChangeSubscriptionCommand extends Command<SubscriptionView> {
  constructor(
    readonly caller: Caller,
    readonly input: { tierId: unknown; billingCycle: unknown; paymentToken: unknown },
  ) {
    super();
  }
}

/**
 * POST /subscription: a charge runs the paid-subscription saga (answer: payment_pending); a
 * downgrade or cycle change is scheduled for the period end. Honours the Idempotency-Key (same
 * key and body → the first answer; other body → 409). The subscription row is locked (FOR
 * UPDATE), so the saga, the scheduler and the consumers never race on it.
 */
@CommandHandler(ChangeSubscriptionCommand)
export class ChangeSubscriptionHandler implements ICommandHandler<ChangeSubscriptionCommand> {
  constructor(
    @Inject(SUBSCRIPTION_UNIT_OF_WORK) private readonly uow: SubscriptionUnitOfWork,
    @Inject(Sagas) private readonly sagas: SagaStarter,
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
          const sub = await ownSubscription(repos, caller.userId, this.clock, { lock: true });
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
            const { amountMinor, currency, periodStart, periodEnd } = plan;
            await startPaidSubscription(this.sagas, repos, sub, { kind: 'change', tier: target, cycle, amountMinor, currency, periodStart, periodEnd, paymentMethod: token });
          }
          return toSubscriptionView(sub, await currentUsage(repos, sub, this.clock));
        }),
      )
      .then(reviveDates);
  }
}
