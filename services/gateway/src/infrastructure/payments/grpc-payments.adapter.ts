import type { payments } from '@storytelling/contracts';
import { GrpcStatus, isGrpcError, type GrpcClient, type GrpcHealthProbe } from '@storytelling/platform';
import { WebhookSignatureRejectedError, type PaymentView, type PaymentsPort } from '../../application/payments.port.js';
import type { Page, PageRequest } from '../../application/story.port.js';
import { ContractViolationError } from '../identity/grpc-identity.adapter.js';

/** The payments service's gRPC client (promise-based, built from the peer table by connectPeer). */
export type PaymentsGrpcClient = GrpcClient<payments.PaymentsServiceClient>;

const STATUSES = new Set<PaymentView['status']>(['pending', 'succeeded', 'failed', 'refunded']);
const orNull = (v: string | undefined | null): string | null => (v === undefined || v === null || v === '' ? null : v);

function toView(p: payments.Payment): PaymentView {
  const amountMinor = Number(p.amountMinor);
  const refundedMinor = Number(p.refundedMinor || '0');
  if (!p.id || !STATUSES.has(p.status as PaymentView['status']) || !Number.isSafeInteger(amountMinor) || !Number.isSafeInteger(refundedMinor)) {
    throw new ContractViolationError('payment', 'payments');
  }
  return {
    id: p.id,
    subscriptionId: orNull(p.subscriptionId),
    amountMinor,
    currency: p.currency,
    amount: p.amount,
    status: p.status as PaymentView['status'],
    provider: p.provider,
    failureReason: orNull(p.failureReason),
    refundedMinor,
    description: p.description,
    createdAt: p.createdAt,
    updatedAt: p.updatedAt,
  };
}

function errorCodeOf(err: unknown): string | undefined {
  if (!isGrpcError(err)) return undefined;
  const value = err.metadata?.get('x-error-code')[0];
  return value === undefined ? undefined : String(value);
}

/** PaymentsPort over the payments service's gRPC API (caller's token as metadata). */
export class GrpcPaymentsAdapter implements PaymentsPort {
  constructor(
    private readonly client: PaymentsGrpcClient,
    private readonly health: GrpcHealthProbe,
  ) {}

  async listPayments(page: PageRequest): Promise<Page<PaymentView>> {
    const res = await this.client.listPayments({ userId: '', page: { limit: page.limit, cursor: page.cursor ?? '' } });
    return { items: (res.payments ?? []).map(toView), nextCursor: orNull(res.page?.nextCursor) };
  }

  async handleWebhook(provider: string, payload: Buffer, headers: Readonly<Record<string, string>>): Promise<void> {
    try {
      await this.client.handleWebhook({ provider, payload, headers: Object.entries(headers).map(([name, value]) => ({ name, value })) });
    } catch (err) {
      if (isGrpcError(err) && err.code === GrpcStatus.UNAUTHENTICATED && errorCodeOf(err) === 'WEBHOOK_SIGNATURE_INVALID') {
        throw new WebhookSignatureRejectedError(err.details ?? 'signature invalid');
      }
      throw err;
    }
  }

  checkHealth(): Promise<void> {
    return this.health.check('');
  }

  close(): void {
    this.client.close();
    this.health.close();
  }
}
