import { isUuid } from '@storytelling/kernel';
import { Inject, Injectable } from '@nestjs/common';
import { type CloudEvent, type EventHandler, type SagaInstance } from '@storytelling/platform';
import type { EntityManager } from 'typeorm';
import { PAID_SUBSCRIPTION_SAGA, PaidSubscriptionSaga, type PaidSubscriptionState } from '../../application/saga/paid-subscription-saga.js';
import { RepositoryBinder } from './repository-binder.js';

export const PAYMENTS_TOPIC = 'payments.payment.events';
export const PaymentEventTypes = {
  processed: 'storytelling.payments.payment.processed.v1',
  failed: 'storytelling.payments.payment.failed.v1',
  refunded: 'storytelling.payments.payment.refunded.v1',
} as const;

/**
 * payments' replies to the paid-subscription saga. The saga is found by the envelope's
 * correlationid (= saga id, as payments answers), falling back to the payload's sagaId; the
 * payment id must be the one the saga charged. Payments of other sagas are ignored.
 */
@Injectable()
export class PaymentEventsHandler implements EventHandler {
  constructor(
    @Inject(PaidSubscriptionSaga) private readonly saga: PaidSubscriptionSaga,
    @Inject(RepositoryBinder) private readonly repos: RepositoryBinder,
  ) {}

  async handle(event: CloudEvent, tx: EntityManager): Promise<void> {
    const kind = Object.entries(PaymentEventTypes).find(([, type]) => type === event.type)?.[0];
    if (!kind) return;
    const repos = this.repos.bind(tx);
    let saga: SagaInstance<PaidSubscriptionState> | undefined;
    for (const candidate of [event.correlationid, event.data.sagaId]) {
      if (!saga && isUuid(candidate)) saga = await repos.sagas.get<PaidSubscriptionState>(candidate, { lock: true });
    }
    if (!saga || saga.type !== PAID_SUBSCRIPTION_SAGA) return;
    const outcome = {
      paymentId: typeof event.data.paymentId === 'string' ? event.data.paymentId : event.subject,
      ...(typeof event.data.reason === 'string' ? { reason: event.data.reason } : {}),
    };
    if (kind === 'processed') await this.saga.onPaymentProcessed(repos, saga, outcome);
    else if (kind === 'failed') await this.saga.onPaymentFailed(repos, saga, outcome);
    else await this.saga.onPaymentRefunded(repos, saga, outcome);
  }
}
