import { Inject, Injectable } from '@nestjs/common';
import { MalformedMessageError, currentContext, runWithContext, type CloudEvent, type EventHandler } from '@storytelling/platform';
import type { EntityManager } from 'typeorm';
import { UsageService } from '../../application/usage.js';
import { RepositoryBinder } from './repository-binder.js';

export const SUBSCRIPTION_COMMANDS_TOPIC = 'subscription.commands';
export const UsageCommandTypes = {
  reserve: 'storytelling.subscription.usage.reserve.v1',
  commit: 'storytelling.subscription.usage.commit.v1',
  release: 'storytelling.subscription.usage.release.v1',
} as const;

/**
 * subscription.commands: ReserveUsage / CommitUsage / ReleaseUsage from other contexts' sagas.
 * Replies carry the command id as causationid (the consumer's context) and the sender's saga
 * id as correlationid (taken from the command: its subject, or saga_id in the payload).
 */
@Injectable()
export class UsageCommandsHandler implements EventHandler {
  constructor(
    @Inject(UsageService) private readonly usage: UsageService,
    @Inject(RepositoryBinder) private readonly repos: RepositoryBinder,
  ) {}

  async handle(event: CloudEvent, tx: EntityManager): Promise<void> {
    const kind = Object.entries(UsageCommandTypes).find(([, type]) => type === event.type)?.[0];
    if (!kind) return;
    const data = event.data;
    const sagaId = typeof data.sagaId === 'string' && data.sagaId !== '' ? data.sagaId : event.subject;
    if (typeof data.reservationId !== 'string') throw new MalformedMessageError(`${event.type} ${event.id} has no reservationId`);
    const parent = currentContext() ?? { correlationId: sagaId };
    await runWithContext({ ...parent, correlationId: sagaId, causationId: event.id }, async () => {
      const repos = this.repos.bind(tx);
      if (kind === 'reserve') {
        await this.usage.reserve(repos, {
          sagaId,
          reservationId: data.reservationId as string,
          userId: typeof data.userId === 'string' ? data.userId : '',
          resource: data.resource,
          amount: data.amount,
          ttlSeconds: data.ttlSeconds,
        });
      } else if (kind === 'commit') await this.usage.commit(repos, data.reservationId);
      else await this.usage.release(repos, data.reservationId);
    });
  }
}
