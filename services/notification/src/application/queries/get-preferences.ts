import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { Caller } from '@storytelling/platform';
import type { Preferences } from '../../domain/index.js';
import { RecipientNotFoundError } from '../errors.js';
import { NOTIFICATION_UNIT_OF_WORK, type NotificationUnitOfWork } from '../ports/index.js';

export class GetPreferencesQuery extends Query<Preferences> {
  constructor(readonly caller: Caller) {
    super();
  }
}

/** The caller's preferences; a user identity has not told us about yet (or an erased one) is RECIPIENT_NOT_FOUND. */
@QueryHandler(GetPreferencesQuery)
export class GetPreferencesHandler implements IQueryHandler<GetPreferencesQuery> {
  constructor(@Inject(NOTIFICATION_UNIT_OF_WORK) private readonly uow: NotificationUnitOfWork) {}

  async execute(query: GetPreferencesQuery): Promise<Preferences> {
    const recipient = await this.uow.reader.recipients.find(query.caller.userId);
    if (!recipient || !recipient.active) throw new RecipientNotFoundError();
    return recipient.preferences;
  }
}
