import { getLogger } from '../logging/logger.js';

export interface LeaseHeartbeatOptions {
  /** The lease's length: it is renewed every third of it, so two beats may miss before it lapses. */
  leaseMs: number;
  /** Renews the lease by `leaseMs`; false when this worker no longer holds it. */
  renew: () => Promise<boolean>;
  /** The turn's own stop signal (shutdown), folded into `signal`. */
  stop?: AbortSignal | undefined;
  /** For the log line of a failed renewal (`jobId`, never personal data). */
  context?: Record<string, unknown>;
}

export interface LeaseHeartbeat {
  /** Aborted when a renewal finds the lease gone (another worker has the job), or on `stop`. */
  readonly signal: AbortSignal;
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
  const lost = new AbortController();
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
          lost.abort(new Error('lease lost'));
        })
        .catch((err: unknown) => log.warn({ ...options.context, err: err instanceof Error ? err.message : String(err) }, 'lease renewal failed; trying again at the next beat'))
        .finally(() => {
          inFlight = undefined;
          if (!stopped) beat();
        });
    }, Math.max(1, Math.floor(options.leaseMs / 3)));
    timer.unref();
  };
  beat();
  return {
    signal: options.stop ? AbortSignal.any([options.stop, lost.signal]) : lost.signal,
    async stop(): Promise<void> {
      stopped = true;
      if (timer) clearTimeout(timer);
      await inFlight;
    },
  };
}

/**
 * Runs the work of a job this worker has claimed while holding its lease (holdLease), and stops
 * renewing once the work is over, however it ends. `work` gets the lease's signal: aborted on the
 * turn's stop or when the lease turns out to be lost.
 */
export async function whileLeaseHeld<T>(options: LeaseHeartbeatOptions, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const lease = holdLease(options);
  try {
    return await work(lease.signal);
  } finally {
    await lease.stop();
  }
}
