import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { getLogger } from '@storytelling/platform';
import { DeliverySender } from '../../application/delivery/delivery-sender.js';
import { SENDER_SETTINGS, type SenderSettings } from '../../application/ports/index.js';

export const SENDER_ENABLED = Symbol('notification.SenderEnabled');

/** Runs DeliverySender rounds: at once while a round was full, otherwise every pollMs. */
@Injectable()
export class SenderWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = getLogger('sender');
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(
    @Inject(DeliverySender) private readonly sender: DeliverySender,
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
      const result = await this.sender.runOnce();
      const total = result.sent + result.retried + result.failed + result.skipped;
      full = total >= this.settings.batchSize;
      if (total > 0) this.log.debug(result, 'sender round');
    } catch (err) {
      this.log.warn({ err }, 'sender round failed; next round retries');
    }
    this.schedule(full ? 0 : this.settings.pollMs);
  }
}
