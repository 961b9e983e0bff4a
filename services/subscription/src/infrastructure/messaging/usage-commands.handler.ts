import { Inject, Injectable } from '@nestjs/common';
import { MalformedMessageError, type CloudEvent, type EventHandler } from '@storytelling/platform';
import type { EntityManager } from 'typeorm';
import {
  CommitUsageCommand,
  CommitUsageHandler,
  ReleaseUsageCommand,
  ReleaseUsageHandler,
  ReserveUsageCommand,
  ReserveUsageHandler,
} from '../../application/index.js';
import { RepositoryBinder } from './repository-binder.js';

export const SUBSCRIPTION_COMMANDS_TOPIC = 'subscription.commands';
export const UsageCommandTypes = {
  reserve: 'storytelling.subscription.usage.reserve.v1',
  commit: 'storytelling.subscription.usage.commit.v1',
  release: 'storytelling.subscription.usage.release.v1',
} as const;

/**
 * subscription.commands: ReserveUsage / CommitUsage / ReleaseUsage from other contexts' sagas.
 * Replies carry the command id as causationid and the sender's saga id (the command's subject)
 * as correlationid: the platform consumer's context sets both for `.commands` topics. Each runs
 * in the consumer's transaction (executeIn), so the reply commits with the inbox row.
 */
@Injectable()
export class UsageCommandsHandler implements EventHandler {
  constructor(
    @Inject(ReserveUsageHandler) private readonly reserve: ReserveUsageHandler,
    @Inject(CommitUsageHandler) private readonly commit: CommitUsageHandler,
    @Inject(ReleaseUsageHandler) private readonly release: ReleaseUsageHandler,
    @Inject(RepositoryBinder) private readonly repos: RepositoryBinder,
  ) {}

  async handle(event: CloudEvent, tx: EntityManager): Promise<void> {
    const kind = Object.entries(UsageCommandTypes).find(([, type]) => type === event.type)?.[0];
    if (!kind) return;
    const data = event.data;
    const sagaId = event.subject;
    if (typeof data.reservationId !== 'string') throw new MalformedMessageError(`${event.type} ${event.id} has no reservationId`);
    const repos = this.repos.bind(tx);
    if (kind === 'reserve') {
      await this.reserve.executeIn(
        repos,
        new ReserveUsageCommand({
          sagaId,
          reservationId: data.reservationId as string,
          userId: typeof data.userId === 'string' ? data.userId : '',
          resource: data.resource,
          amount: data.amount,
          ttlSeconds: data.ttlSeconds,
        }),
      );
    } else if (kind === 'commit') await this.commit.executeIn(repos, new CommitUsageCommand(data.reservationId));
    else await this.release.executeIn(repos, new ReleaseUsageCommand(data.reservationId));
  }
}
