import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { Caller } from '@storytelling/platform';
import { DEFAULT_PREFERENCES, type Preferences } from '../../domain/index.js';
import { RecipientNotFoundError } from '../errors.js';
import { NOTIFICATION_UNIT_OF_WORK, type NotificationUnitOfWork } from '../ports/index.js';

export class GetPreferencesQuery extends Query<Preferences> {
  constructor(readonly caller: Caller) {
    super();
  }
}

/**
 * The caller's preferences. A signed-in user identity has not told us about yet (UserRegistered on
 * its way) has chosen nothing: the defaults. An erased one is RECIPIENT_NOT_FOUND.
 */
@QueryHandler(GetPreferencesQuery)
export class GetPreferencesHandler implements IQueryHandler<GetPreferencesQuery> {
  constructor(@Inject(NOTIFICATION_UNIT_OF_WORK) private readonly uow: NotificationUnitOfWork) {}

  async execute(query: GetPreferencesQuery): Promise<Preferences> {
    const recipient = await this.uow.reader.recipients.find(query.caller.userId);
    if (!recipient) return { ...DEFAULT_PREFERENCES, mutedTypes: [] };
    if (!recipient.active) throw new RecipientNotFoundError();
    return recipient.preferences;
  }
}
