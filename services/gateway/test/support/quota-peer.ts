import { PROTO_SERVICES } from '@storytelling/contracts';
import { GrpcStatus } from '@storytelling/platform';
import { startGrpcTestServer } from '@storytelling/testing';

/**
 * subscription's CheckQuota as a real gRPC peer for e2e tests that run story in process (story
 * checks storiesPerMonth before creating). Unlimited unless a test sets `limit`; `unavailable`
 * makes it answer UNAVAILABLE. The fleet e2e uses the real subscription service instead.
 */
export interface QuotaPeer {
  url: string;
  limit: number | undefined;
  used: number;
  unavailable: boolean;
  stop(): Promise<void>;
}

export async function startQuotaPeer(): Promise<QuotaPeer> {
  const state = { limit: undefined as number | undefined, used: 0, unavailable: false };
  const periodStart = new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), 1));
  const server = await startGrpcTestServer(PROTO_SERVICES.subscription, {
    CheckQuota: () => {
      if (state.unavailable) throw { code: GrpcStatus.UNAVAILABLE, details: 'subscription is down (test peer)' };
      return {
        allowed: state.limit === undefined || state.used + 1 <= state.limit,
        used: state.used,
        reserved: 0,
        ...(state.limit === undefined ? {} : { limit: state.limit }),
        tier: state.limit === undefined ? 'platinum' : 'free',
        periodStart: periodStart.toISOString(),
        periodEnd: new Date(Date.UTC(periodStart.getUTCFullYear(), periodStart.getUTCMonth() + 1, 1)).toISOString(),
      };
    },
  });
  return Object.assign(state, { url: server.url, stop: () => server.stop() });
}
