import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { Sagas, getLogger } from '@storytelling/platform';
import { CloseDuePeriodsCommand, ExpireReservationsCommand, SUBSCRIPTION_SETTINGS, type SubscriptionSettings } from '../../application/index.js';

/**
 * The time-driven work of every replica, each pass safe to run concurrently with other replicas
 * (SKIP LOCKED claims): period ends (renewals), reservation expiry, saga deadlines (the saga
 * engine's). Time is the injected Clock, so tests move a FixedClock and call `tick()`.
 */
@Injectable()
export class SubscriptionSchedulerWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly log = getLogger('scheduler');
  private timer: NodeJS.Timeout | undefined;
  private current: Promise<unknown> | undefined;
  private stopped = false;

  constructor(
    @Inject(SUBSCRIPTION_SETTINGS) private readonly settings: SubscriptionSettings,
    @Inject(CommandBus) private readonly commands: CommandBus,
    @Inject(Sagas) private readonly sagas: Sagas,
  ) {}

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
    const renewals = await this.commands.execute(new CloseDuePeriodsCommand());
    const expired = await this.commands.execute(new ExpireReservationsCommand());
    const deadlines = await this.sagas.pollDeadlines();
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
