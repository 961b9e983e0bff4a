// The narration translators alone: which commands each message becomes, what is ignored, and
// that a malformed command is dead-lettered rather than run.
import type { CommandBus } from '@nestjs/cqrs';
import { identityEvents, narrationCommands } from '@storytelling/contracts';
import { MalformedMessageError, routeTopics, type CloudEvent } from '@storytelling/platform';
import { DiscardNarrationCommand, EraseUserNarrationsCommand, EraseUserVoicesCommand, GenerateNarrationCommand } from '../../../src/application/index.js';
import { IdentityEventsTranslator } from '../../../src/infrastructure/messaging/identity-events.translator.js';
import { NarrationCommandsTranslator } from '../../../src/infrastructure/messaging/narration-commands.translator.js';

const USER = '0190A0D0-0000-7000-8000-0000000000A1';
const SAGA = '0190a0d0-0000-7000-8000-00000000d001';
const NARRATION = '0190a0d0-0000-7000-8000-00000000d002';
const STORY = '0190a0d0-0000-7000-8000-00000000d003';

function event(type: string, subject: string, data: Record<string, unknown>): CloudEvent {
  return {
    specversion: '1.0',
    id: '0190a0d0-0000-7000-8000-00000000e001',
    source: '/storytelling/test',
    type,
    subject,
    time: '2030-01-01T00:00:00.000Z',
    datacontenttype: 'application/json',
    data,
    aggregateversion: 1,
    correlationid: SAGA,
  };
}

describe('narration translators', () => {
  const sent: unknown[] = [];
  const bus = { execute: async (command: unknown) => void sent.push(command) } as unknown as CommandBus;
  const topics = routeTopics([new IdentityEventsTranslator(bus), new NarrationCommandsTranslator(bus)]);
  const deliver = (topic: string, e: CloudEvent) => topics.find((t) => t.topic === topic)!.handler.handle(e, undefined as never);

  beforeEach(() => {
    sent.length = 0;
  });

  it('subscribes to identity.user.events and narration.commands', () => {
    expect(topics.map((t) => t.topic).sort()).toEqual([identityEvents.UserDeactivated.topic, narrationCommands.GenerateNarration.topic].sort());
  });

  it("UserDeactivated erases the user's narrations, then their voices", async () => {
    await deliver(identityEvents.UserDeactivated.topic, event(identityEvents.UserDeactivated.type, USER, { userId: USER }));
    expect(sent).toEqual([new EraseUserNarrationsCommand(USER.toLowerCase()), new EraseUserVoicesCommand(USER.toLowerCase())]);
    expect(sent[0]).toBeInstanceOf(EraseUserNarrationsCommand);
    expect(sent[1]).toBeInstanceOf(EraseUserVoicesCommand);
  });

  it('other identity events are ignored', async () => {
    await deliver(identityEvents.UserRegistered.topic, event(identityEvents.UserRegistered.type, USER, { userId: USER, email: 'a@example.com', displayName: 'A' }));
    expect(sent).toEqual([]);
  });

  it('GenerateNarration and DiscardNarration become their commands, the saga id taken from the subject', async () => {
    const generate = { sagaId: SAGA, narrationId: NARRATION, storyId: STORY, ownerId: USER, voiceId: '', characterVoices: { c1: 'v1' } };
    await deliver(narrationCommands.GenerateNarration.topic, event(narrationCommands.GenerateNarration.type, SAGA, generate));
    await deliver(narrationCommands.GenerateNarration.topic, event(narrationCommands.DiscardNarration.type, SAGA, { sagaId: SAGA, narrationId: NARRATION, reason: 'publication_failed' }));
    expect(sent).toEqual([
      new GenerateNarrationCommand({ sagaId: SAGA, narrationId: NARRATION, storyId: STORY, ownerId: USER, voiceId: '', characterVoices: { c1: 'v1' } }),
      new DiscardNarrationCommand({ sagaId: SAGA, narrationId: NARRATION, reason: 'publication_failed' }),
    ]);
  });

  it('a command whose saga id is not its subject is malformed (dead-lettered)', async () => {
    const other = '0190a0d0-0000-7000-8000-00000000d009';
    await expect(deliver(narrationCommands.GenerateNarration.topic, event(narrationCommands.DiscardNarration.type, other, { sagaId: SAGA, narrationId: NARRATION, reason: '' }))).rejects.toBeInstanceOf(MalformedMessageError);
    expect(sent).toEqual([]);
  });
});
