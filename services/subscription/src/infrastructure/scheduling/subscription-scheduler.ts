import type { Clock } from '@storytelling/kernel';
import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { SagaDeadlinePoller, SagaStore, UnitOfWork, getLogger } from '@storytelling/platform';
import {
  CLOCK,
  PAID_SUBSCRIPTION_SAGA,
  PaidSubscriptionSaga,
  RenewalService,
  SUBSCRIPTION_SETTINGS,
  SUBSCRIPTION_UNIT_OF_WORK,
  UsageService,
  type PaidSubscriptionState,
  type SubscriptionSettings,
  type SubscriptionUnitOfWork,
} from '../../application/index.js';
import { RepositoryBinder } from '../messaging/repository-binder.js';
import type { SagaInstance } from '@storytelling/platform';

/**
 * The time-driven work of every replica, each pass safe to run concurrently with other
 * replicas (SKIP LOCKED claims): period ends (renewals), reservation expiry, saga deadlines.
 * Time is the injected Clock, so tests move a FixedClock and call `tick()`.
 */
@Injectable()
export class SubscriptionScheduler implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly log = getLogger('scheduler');
  private readonly deadlines: SagaDeadlinePoller;
  private timer: NodeJS.Timeout | undefined;
  private current: Promise<unknown> | undefined;
  private stopped = false;

  constructor(
    @Inject(SUBSCRIPTION_SETTINGS) private readonly settings: SubscriptionSettings,
    @Inject(SUBSCRIPTION_UNIT_OF_WORK) private readonly uow: SubscriptionUnitOfWork,
    @Inject(UnitOfWork) platformUow: UnitOfWork,
    @Inject(SagaStore) store: SagaStore,
    @Inject(RenewalService) private readonly renewals: RenewalService,
    @Inject(UsageService) private readonly usage: UsageService,
    @Inject(PaidSubscriptionSaga) saga: PaidSubscriptionSaga,
    @Inject(RepositoryBinder) binder: RepositoryBinder,
    @Inject(CLOCK) clock: Clock,
  ) {
    this.deadlines = new SagaDeadlinePoller({
      service: 'subscription',
      store,
      clock,
      types: [PAID_SUBSCRIPTION_SAGA],
      transaction: (work) => platformUow.run(work),
      onDeadline: (tx, instance) => saga.onDeadline(binder.bind(tx), instance as unknown as SagaInstance<PaidSubscriptionState>),
    });
  }

  onApplicationBootstrap(): void {
    if (this.settings.schedulerIntervalMs > 0) this.schedule();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.current?.catch(() => undefined);
  }

  /** One pass of everything. @returns what each part handled. */
  async tick(): Promise<{ renewals: number; expired: number; deadlines: number }> {
    const renewals = await this.renewals.runOnce();
    const expired = await this.uow.run((repos) => this.usage.sweepExpired(repos));
    const deadlines = await this.deadlines.pollOnce();
    return { renewals, expired, deadlines };
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.current = this.tick()
        .catch((err: unknown) => this.log.error({ err }, 'scheduler pass failed'))
        .finally(() => {
          this.current = undefined;
          this.schedule();
        });
    }, this.settings.schedulerIntervalMs);
    this.timer.unref();
  }
}
