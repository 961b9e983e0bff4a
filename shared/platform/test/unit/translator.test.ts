import { identityEvents, paymentsCommands } from '@storytelling/contracts';
import { BusinessRuleError, ValidationError, VersionConflictError } from '@storytelling/kernel';
import { MalformedMessageError, NonRetryableError, on, routeTopics, type CloudEvent, type MessageTranslator } from '../../src/messaging/index.js';

const USER = '0190d4a0-0000-7000-8000-000000000001';

function envelope(type: string, data: Record<string, unknown>, subject = USER): CloudEvent {
  return {
    specversion: '1.0',
    id: '0190d4a0-0000-7000-8000-00000000e001',
    source: '/storytelling/identity',
    type,
    subject,
    time: '2026-01-01T00:00:00.000Z',
    datacontenttype: 'application/json',
    data,
    aggregateversion: 3,
    correlationid: '0190d4a0-0000-7000-8000-00000000c001',
  };
}

describe('generated message types', () => {
  it('carry type, topic and subject field from the proto option', () => {
    expect(identityEvents.UserRegistered).toMatchObject({ name: 'UserRegistered', kind: 'event', type: 'storytelling.identity.user.registered.v1', topic: 'identity.user.events', subjectField: 'userId' });
    expect(paymentsCommands.ChargePayment).toMatchObject({ kind: 'command', topic: 'payments.commands', subjectField: 'sagaId' });
    expect(paymentsCommands.participant.refundPayment({ sagaId: 's', paymentId: 'p', amountMinor: '0', reason: 'r' }).message).toBe(paymentsCommands.RefundPayment);
  });
});

describe('on(message, handler)', () => {
  it('hands the handler the decoded payload and the envelope', async () => {
    const seen: Array<[identityEvents.UserRegistered, number]> = [];
    const route = on(identityEvents.UserRegistered, async (user, env) => {
      seen.push([user, env.aggregateversion]);
    });
    await route.handle(envelope(identityEvents.UserRegistered.type, { userId: USER, email: 'a@example.com', displayName: 'Ada', registeredAt: '2026-01-01T00:00:00Z' }));
    expect(seen).toHaveLength(1);
    expect(seen[0]![0]).toMatchObject({ userId: USER, displayName: 'Ada', email: 'a@example.com' });
    expect(seen[0]![1]).toBe(3);
  });

  it('dead-letters a payload whose subject field is missing or names another aggregate', async () => {
    const route = on(identityEvents.UserRegistered, async () => undefined);
    await expect(route.handle(envelope(identityEvents.UserRegistered.type, { displayName: 'Ada' }))).rejects.toThrow(new MalformedMessageError(`storytelling.identity.user.registered.v1 0190d4a0-0000-7000-8000-00000000e001: UserRegistered.userId is missing`));
    await expect(route.handle(envelope(identityEvents.UserRegistered.type, { userId: '0190d4a0-0000-7000-8000-000000000002' }))).rejects.toBeInstanceOf(MalformedMessageError);
  });

  it('dead-letters a payload the codec cannot decode, with the reason', async () => {
    const route = on(identityEvents.UserRegistered, async () => undefined);
    const err = await route.handle(envelope(identityEvents.UserRegistered.type, { userId: USER, registeredAt: 'not a time' })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MalformedMessageError);
    expect(String((err as Error).message)).toContain('does not decode as UserRegistered');
    const mistyped = await route.handle(envelope(identityEvents.UserRegistered.type, { userId: USER, displayName: 42 })).catch((e: unknown) => e);
    expect(String((mistyped as Error).message)).toContain('field displayName has the wrong type');
  });

  it("maps a use case's refusal to a dead letter, but lets a version conflict be retried", async () => {
    const failing = (error: Error) => on(identityEvents.UserRegistered, async () => Promise.reject(error));
    const event = envelope(identityEvents.UserRegistered.type, { userId: USER });
    await expect(failing(new ValidationError('bad')).handle(event)).rejects.toBeInstanceOf(MalformedMessageError);
    await expect(failing(new BusinessRuleError('NO', 'no')).handle(event)).rejects.toBeInstanceOf(NonRetryableError);
    await expect(failing(new VersionConflictError(USER, 1)).handle(event)).rejects.toBeInstanceOf(VersionConflictError);
    await expect(failing(new Error('database down')).handle(event)).rejects.toThrow('database down');
  });
});

describe('routeTopics', () => {
  it('dispatches by type within a topic and ignores types no route names', async () => {
    const calls: string[] = [];
    const translator: MessageTranslator = {
      routes: [
        on(identityEvents.UserRegistered, async (u) => void calls.push(`registered ${u.userId}`)),
        on(identityEvents.UserDeactivated, async (u) => void calls.push(`deactivated ${u.userId}`)),
      ],
    };
    const [topic, ...rest] = routeTopics([translator]);
    expect(rest).toHaveLength(0);
    expect(topic!.topic).toBe('identity.user.events');
    const tx = undefined as never;
    await topic!.handler.handle(envelope(identityEvents.UserDeactivated.type, { userId: USER }), tx);
    await topic!.handler.handle(envelope('storytelling.identity.user.authenticated.v1', { userId: USER }), tx);
    expect(calls).toEqual([`deactivated ${USER}`]);
  });

  it('refuses two routes for one type', () => {
    const twice: MessageTranslator = { routes: [on(identityEvents.UserRegistered, async () => undefined), on(identityEvents.UserRegistered, async () => undefined)] };
    expect(() => routeTopics([twice])).toThrow('two routes for storytelling.identity.user.registered.v1');
  });
});
