// The identity events translator alone: which command each identity event becomes (with
// identity's aggregate version), what is ignored, and how a refusal becomes a dead letter.
import type { CommandBus } from '@nestjs/cqrs';
import { identityEvents } from '@storytelling/contracts';
import { MalformedMessageError, routeTopics, type CloudEvent } from '@storytelling/platform';
import { ValidationError } from '@storytelling/kernel';
import { DeactivateAuthorCommand, RecordAuthorProfileCommand } from '../../../src/application/index.js';
import { IdentityEventsTranslator } from '../../../src/infrastructure/messaging/identity-events.translator.js';

const USER = '0190a0d0-0000-7000-8000-0000000000a1';

function event(type: string, data: Record<string, unknown>, aggregateversion = 5): CloudEvent {
  return {
    specversion: '1.0',
    id: '0190a0d0-0000-7000-8000-00000000e001',
    source: '/storytelling/identity',
    type,
    subject: USER,
    time: '2030-01-01T00:00:00.000Z',
    datacontenttype: 'application/json',
    data,
    aggregateversion,
    correlationid: '0190a0d0-0000-7000-8000-00000000c001',
  };
}

describe('IdentityEventsTranslator', () => {
  const sent: unknown[] = [];
  let refuse: Error | undefined;
  const bus = {
    execute: async (command: unknown) => {
      sent.push(command);
      if (refuse) throw refuse;
    },
  } as unknown as CommandBus;
  const [topic] = routeTopics([new IdentityEventsTranslator(bus)]);
  const deliver = (e: CloudEvent) => topic!.handler.handle(e, undefined as never);

  beforeEach(() => {
    sent.length = 0;
    refuse = undefined;
  });

  it('subscribes to identity.user.events only', () => {
    expect(routeTopics([new IdentityEventsTranslator(bus)]).map((t) => t.topic)).toEqual([identityEvents.UserRegistered.topic]);
  });

  it('UserRegistered and UserProfileUpdated become RecordAuthorProfile, UserDeactivated DeactivateAuthor, with the aggregate version', async () => {
    await deliver(event(identityEvents.UserRegistered.type, { userId: USER, email: 'ann@example.com', displayName: 'Ann' }, 1));
    await deliver(event(identityEvents.UserProfileUpdated.type, { userId: USER, displayName: 'Ann Two', changedFields: ['displayName'] }, 2));
    await deliver(event(identityEvents.UserDeactivated.type, { userId: USER }, 3));
    expect(sent).toEqual([new RecordAuthorProfileCommand(USER, 'Ann', 1), new RecordAuthorProfileCommand(USER, 'Ann Two', 2), new DeactivateAuthorCommand(USER, 3)]);
    expect(sent[0]).toBeInstanceOf(RecordAuthorProfileCommand);
    expect(sent[2]).toBeInstanceOf(DeactivateAuthorCommand);
  });

  it('ignores identity events story does not need', async () => {
    await deliver(event(identityEvents.UserAuthenticated.type, { userId: USER }));
    await deliver(event(identityEvents.RoleAssigned.type, { userId: USER, role: 'admin' }));
    expect(sent).toEqual([]);
  });

  it('a payload about another user, or a refusal of the use case, is dead-lettered as malformed with the reason', async () => {
    const other = { ...event(identityEvents.UserRegistered.type, { userId: '0190a0d0-0000-7000-8000-0000000000b2', displayName: 'Bob' }) };
    await expect(deliver(other)).rejects.toThrow(/subject/);
    expect(sent).toEqual([]);
    refuse = new ValidationError('the user has no displayName');
    const err = await deliver(event(identityEvents.UserRegistered.type, { userId: USER })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MalformedMessageError);
    expect((err as Error).message).toMatch(/displayName/);
  });
});
