import { getLogger } from '../logging/logger.js';

export interface LeaseHeartbeatOptions {
  /** How often the lease is renewed: a third of the lease leaves two misses before it lapses. */
  everyMs: number;
  /** Renews the lease; false when this worker no longer holds it. */
  renew: () => Promise<boolean>;
  /** Told once when a renewal finds the lease gone (the work should stop: another worker has it). */
  onLost: () => void;
  /** For the log line of a failed renewal (`jobId`, never personal data). */
  context?: Record<string, unknown>;
}

export interface LeaseHeartbeat {
  /** Stops renewing and waits for a renewal in flight. */
  stop(): Promise<void>;
}

const log = getLogger('lease-heartbeat');

/**
 * Renews a claimed job's lease while its work runs, so a lease can be short (a worker that dies is
 * replaced within one lease) while a step of the work may take longer than it (joining hundreds of
 * segments). A renewal that fails (database briefly away) is logged and tried again at the next
 * beat: the work's own ownership checks decide if the lease lapsed meanwhile.
 */
export function holdLease(options: LeaseHeartbeatOptions): LeaseHeartbeat {
  let stopped = false;
  let inFlight: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;
  const beat = (): void => {
    timer = setTimeout(() => {
      inFlight = options
        .renew()
        .then((held) => {
          if (held || stopped) return;
          stopped = true;
          options.onLost();
        })
        .catch((err: unknown) => log.warn({ ...options.context, err: err instanceof Error ? err.message : String(err) }, 'lease renewal failed; trying again at the next beat'))
        .finally(() => {
          inFlight = undefined;
          if (!stopped) beat();
        });
    }, options.everyMs);
    timer.unref();
  };
  beat();
  return {
    async stop(): Promise<void> {
      stopped = true;
      if (timer) clearTimeout(timer);
      await inFlight;
    },
  };
}
