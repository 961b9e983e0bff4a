import type { MessageType } from '@storytelling/contracts';
import { sagaTest } from '@storytelling/testing';
import { compensate, defineSaga } from '../../src/saga/index.js';

// A toy trip saga over three participants: reserve a seat (undo: release), charge (undo: refund),
// then confirm locally. Messages are hand-made MessageTypes: the engine needs nothing else.
interface Payload {
  tripId: string;
  reason?: string;
}
function message(name: string, kind: 'event' | 'command', context: string): MessageType<Payload> {
  return {
    name,
    kind,
    type: `storytelling.${context}.trip.${name.toLowerCase()}.v1`,
    topic: kind === 'command' ? `${context}.commands` : `${context}.trip.events`,
    subjectField: '',
    fromJSON: (o) => ({ tripId: String((o as Payload).tripId), ...((o as Payload).reason ? { reason: String((o as Payload).reason) } : {}) }),
    toJSON: (m) => ({ ...m }),
  };
}
const Reserve = message('Reserve', 'command', 'seats');
const Release = message('Release', 'command', 'seats');
const Reserved = message('Reserved', 'event', 'seats');
const Released = message('Released', 'event', 'seats');
const Charge = message('Charge', 'command', 'billing');
const Refund = message('Refund', 'command', 'billing');
const Charged = message('Charged', 'event', 'billing');
const Declined = message('Declined', 'event', 'billing');
const Refunded = message('Refunded', 'event', 'billing');

interface Trip {
  tripId: string;
  confirmed?: boolean;
}
interface Deps {
  canConfirm: boolean;
  notes: string[];
}

const tripSaga = defineSaga<Trip, Deps>('trip', (step) => [
  step('reserve')
    .invokeParticipant((s) => ({ message: Reserve, payload: { tripId: s.state.tripId } }))
    .correlate('tripId', (s) => s.tripId)
    .onReply(Reserved)
    .withCompensation('release', (s, reason) => ({ message: Release, payload: { tripId: s.state.tripId, reason } }), Released, () => 60_000)
    .deadline(() => 1_000),
  step('charge')
    .invokeParticipant((s) => ({ message: Charge, payload: { tripId: s.state.tripId } }))
    .correlate('tripId', (s) => s.tripId)
    .onReply(Charged)
    .failsOn(Declined, async (_s, reply, deps) => {
      deps.notes.push(`declined: ${reply.reason}`);
      return reply.reason;
    })
    .withCompensation('refund', (s, reason) => ({ message: Refund, payload: { tripId: s.state.tripId, reason } }), Refunded, () => 60_000)
    .deadline(() => 5_000, async (_s, deps) => {
      deps.notes.push('charge timed out');
    }),
  step('confirm').invokeLocal(async (s, deps) => {
    if (!deps.canConfirm) return compensate('not_confirmable', 'the trip can no longer be confirmed');
    s.state.confirmed = true;
  }),
]);

const deps = (canConfirm = true): Deps => ({ canConfirm, notes: [] });
const trip = { tripId: 't-1' };

describe('saga engine (in memory)', () => {
  it('runs every step in order and completes', async () => {
    const t = sagaTest(tripSaga, deps());
    await t.start({ state: trip });
    expect(t.expectCommand(Reserve)).toEqual({ tripId: 't-1' });
    t.expectStatus('running', 'reserve');
    await t.reply(Reserved, { tripId: 't-1' });
    expect(t.expectCommand(Charge)).toEqual({ tripId: 't-1' });
    t.expectStatus('running', 'charge');
    expect(t.saga.deadlineAt?.getTime()).toBe(t.clock.now().getTime() + 5_000);
    await t.reply(Charged, { tripId: 't-1' });
    t.expectStatus('completed');
    t.expectNoCommand();
    expect(t.log).toEqual(['reserve:started', 'reserve:completed', 'charge:completed', 'confirm:completed']);
  });

  it('ignores replies for another request and replies it does not wait for', async () => {
    const t = sagaTest(tripSaga, deps());
    await t.start({ state: trip });
    t.expectCommand(Reserve);
    await t.reply(Reserved, { tripId: 'someone-else' });
    await t.reply(Charged, { tripId: 't-1' });
    t.expectStatus('running', 'reserve');
    t.expectNoCommand();
  });

  it('a refusal undoes the steps before it, newest first, then ends compensated', async () => {
    const d = deps();
    const t = sagaTest(tripSaga, d);
    await t.start({ state: trip });
    t.expectCommand(Reserve);
    await t.reply(Reserved, { tripId: 't-1' });
    t.expectCommand(Charge);
    await t.reply(Declined, { tripId: 't-1', reason: 'card_declined' });
    expect(d.notes).toEqual(['declined: card_declined']);
    expect(t.expectCommand(Release)).toEqual({ tripId: 't-1', reason: 'card_declined' });
    t.expectStatus('compensating', 'release');
    await t.reply(Released, { tripId: 't-1' });
    t.expectStatus('compensated');
    expect(t.log.slice(-2)).toEqual(['release:started', 'release:completed']);
  });

  it('a local step that cannot go on compensates every earlier step in reverse order', async () => {
    const t = sagaTest(tripSaga, deps(false));
    await t.start({ state: trip });
    t.expectCommand(Reserve);
    await t.reply(Reserved, { tripId: 't-1' });
    t.expectCommand(Charge);
    await t.reply(Charged, { tripId: 't-1' });
    expect(t.expectCommand(Refund)).toEqual({ tripId: 't-1', reason: 'not_confirmable' });
    t.expectStatus('compensating', 'refund');
    await t.reply(Released, { tripId: 't-1' }); // not what the refund waits for
    t.expectNoCommand();
    await t.reply(Refunded, { tripId: 't-1' });
    expect(t.expectCommand(Release)).toEqual({ tripId: 't-1', reason: 'not_confirmable' });
    await t.reply(Released, { tripId: 't-1' });
    t.expectStatus('compensated');
  });

  it('a timed-out step waits for its late outcome: a late success is undone with the rest', async () => {
    const d = deps();
    const t = sagaTest(tripSaga, d);
    await t.start({ state: trip });
    t.expectCommand(Reserve);
    await t.reply(Reserved, { tripId: 't-1' });
    t.expectCommand(Charge);
    await t.timeout();
    expect(d.notes).toEqual(['charge timed out']);
    t.expectStatus('compensating', 'refund');
    t.expectNoCommand(); // nothing to refund until the charge is known to have happened
    await t.reply(Charged, { tripId: 't-1' });
    expect(t.expectCommand(Refund)).toEqual({ tripId: 't-1', reason: 'timed_out' });
    await t.reply(Refunded, { tripId: 't-1' });
    expect(t.expectCommand(Release)).toEqual({ tripId: 't-1', reason: 'timed_out' });
    await t.reply(Released, { tripId: 't-1' });
    t.expectStatus('compensated');
  });

  it('a late failure of a timed-out step needs no undo of that step', async () => {
    const t = sagaTest(tripSaga, deps());
    await t.start({ state: trip });
    t.expectCommand(Reserve);
    await t.reply(Reserved, { tripId: 't-1' });
    t.expectCommand(Charge);
    await t.timeout();
    await t.reply(Declined, { tripId: 't-1', reason: 'late' });
    expect(t.expectCommand(Release)).toEqual({ tripId: 't-1', reason: 'timed_out' });
    await t.reply(Released, { tripId: 't-1' });
    t.expectStatus('compensated');
  });

  it('a compensation that is never confirmed fails the saga for an operator', async () => {
    const t = sagaTest(tripSaga, deps(false));
    await t.start({ state: trip });
    t.expectCommand(Reserve);
    await t.reply(Reserved, { tripId: 't-1' });
    t.expectCommand(Charge);
    await t.reply(Charged, { tripId: 't-1' });
    t.expectCommand(Refund);
    await t.timeout();
    t.expectStatus('failed');
    expect(t.log.at(-1)).toBe('refund:timed_out');
  });

  it('a first step without an answer and nothing to undo fails', async () => {
    const noUndo = defineSaga<Trip, Deps>('short', (step) => [
      step('charge').invokeParticipant((s) => ({ message: Charge, payload: { tripId: s.state.tripId } })).onReply(Charged).deadline(() => 100),
    ]);
    const t = sagaTest(noUndo, deps());
    await t.start({ state: trip });
    t.expectCommand(Charge);
    await t.timeout();
    t.expectStatus('failed');
    expect(t.log).toEqual(['charge:started', 'charge:timed_out']);
  });

  it('refuses definitions that cannot run', () => {
    expect(() => defineSaga('x', () => [])).toThrow('has no steps');
    expect(() => defineSaga<Trip, Deps>('x', (step) => [step('a')])).toThrow('exactly one of invokeLocal / invokeParticipant');
    expect(() =>
      defineSaga<Trip, Deps>('x', (step) => [step('a').invokeParticipant((s) => ({ message: Charge, payload: { tripId: s.state.tripId } }))]),
    ).toThrow('needs onReply');
  });
});
