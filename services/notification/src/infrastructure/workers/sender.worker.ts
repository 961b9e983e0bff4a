import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { getLogger } from '@storytelling/platform';
import { SENDER_SETTINGS, SendDueDeliveriesCommand, type SenderSettings } from '../../application/index.js';

export const SENDER_ENABLED = Symbol('notification.SenderEnabled');

/** Runs sender rounds (SendDueDeliveriesCommand): at once while a round was full, otherwise every pollMs. */
@Injectable()
export class SenderWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = getLogger('sender');
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(
    @Inject(CommandBus) private readonly commands: CommandBus,
    @Inject(SENDER_SETTINGS) private readonly settings: SenderSettings,
    @Inject(SENDER_ENABLED) private readonly enabled: boolean,
  ) {}

  onApplicationBootstrap(): void {
    if (this.enabled) this.schedule(0);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.round().finally(() => (this.running = undefined));
    }, delayMs);
    this.timer.unref();
  }

  private async round(): Promise<void> {
    let full = false;
    try {
      const result = await this.commands.execute(new SendDueDeliveriesCommand());
      const total = result.sent + result.retried + result.failed + result.skipped;
      full = total >= this.settings.batchSize;
      if (total > 0) this.log.debug(result, 'sender round');
    } catch (err) {
      this.log.warn({ err }, 'sender round failed; next round retries');
    }
    this.schedule(full ? 0 : this.settings.pollMs);
  }
}
