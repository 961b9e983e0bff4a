import type { MessageType } from '@storytelling/contracts';
import { systemClock, type Clock } from '@storytelling/kernel';
import { getLogger } from '../logging/logger.js';
import type { SagaInstance } from './saga.js';
import type { CompensationDef, SagaDefinition, StepDef } from './saga-definition.js';
import type { SagaPort } from './saga-port.js';

/**
 * What the engine remembers besides the saga's own state (kept under `state._saga`):
 * - `sent`: the step whose compensation was sent and awaits confirmation;
 * - `awaiting`: the step that timed out, whose late outcome decides whether it is undone;
 * - `queue`: the steps still to undo after that one, in order;
 * - `reason`: why the saga compensates (handed to each compensation command).
 */
interface EngineMemo {
  sent?: string;
  awaiting?: string;
  queue: string[];
  reason: string;
}

type Stored<S extends object> = S & { _saga?: EngineMemo };
type Saga<S extends object> = SagaInstance<Stored<S>>;

/** What application code needs to start a saga (the Sagas provider; an in-memory one in unit tests). */
export interface SagaStarter {
  start<S extends object, D>(definition: SagaDefinition<S, D>, input: StartInput<S>): Promise<SagaInstance<S>>;
}

export interface StartInput<S extends object> {
  state: S;
  key?: string;
  id?: string;
}

/**
 * Runs a SagaDefinition: every method runs inside the caller's transaction (through the port),
 * so the saga's row, its step log, the commands it sends and the local steps' writes commit
 * together. Replies arrive by correlation id (SagaReplies), deadlines from the poller.
 */
export class SagaEngine<S extends object, D> {
  private readonly log = getLogger('saga');

  constructor(
    readonly definition: SagaDefinition<S, D>,
    private readonly port: SagaPort,
    private readonly clock: Clock = systemClock,
  ) {}

  get type(): string {
    return this.definition.type;
  }

  /** Starts the saga at its first step (a participant step sends its command now). */
  async start(deps: D, input: StartInput<S>): Promise<SagaInstance<S>> {
    const first = this.definition.steps[0]!;
    const saga = await this.port.start<Stored<S>>({
      type: this.type,
      step: first.name,
      state: input.state,
      deadlineAt: this.deadlineOf(first.deadlineMs, deps),
      ...(input.key ? { key: input.key } : {}),
      ...(input.id ? { id: input.id } : {}),
    });
    return (await this.enter(saga, 0, deps)) as SagaInstance<S>;
  }

  /** A reply for this saga (found by correlation id, locked). Replies the saga does not expect now are ignored. */
  async onReply(instance: SagaInstance<S>, message: MessageType<unknown>, reply: unknown, deps: D): Promise<void> {
    const saga = instance as Saga<S>;
    if (saga.status === 'running') return this.onRunningReply(saga, message, reply, deps);
    if (saga.status === 'compensating') return this.onCompensatingReply(saga, message, reply, deps);
    this.ignore(saga, message, 'saga finished');
  }

  /** The current step passed its deadline. */
  async onDeadline(instance: SagaInstance<S>, deps: D): Promise<void> {
    const saga = instance as Saga<S>;
    if (saga.status === 'compensating') {
      const memo = memoOf(saga);
      const error = memo.sent ? 'compensation not confirmed before the deadline' : 'the timed-out step never reported an outcome';
      await this.port.update(saga, { status: 'failed', log: { name: saga.step, status: 'timed_out', error } });
      return;
    }
    if (saga.status !== 'running') return;
    const index = this.indexOf(saga.step);
    const step = this.definition.steps[index]!;
    await step.onTimeout?.(saga as SagaInstance<S>, deps);
    if (step.compensation) {
      // The participant may have acted or not: wait for its late outcome before undoing anything.
      await this.port.update(saga, {
        status: 'compensating',
        step: step.compensation.name,
        state: withMemo(saga.state, { awaiting: step.name, queue: this.undoable(index), reason: 'timed_out' }),
        deadlineAt: this.deadlineOf(step.compensation.deadlineMs, deps),
        log: { name: step.name, status: 'timed_out', error: 'no answer before the deadline; a late success will be compensated' },
      });
      return;
    }
    await this.compensateFrom(saga, index, 'timed_out', `${step.name} timed out`, deps, 'timed_out');
  }

  private async onRunningReply(saga: Saga<S>, message: MessageType<unknown>, reply: unknown, deps: D): Promise<void> {
    const index = this.indexOf(saga.step);
    const step = this.definition.steps[index]!;
    if (!this.correlated(step, saga, reply)) return this.ignore(saga, message, 'reply for another request');
    const success = step.replies.find((r) => r.message.type === message.type);
    if (success) {
      const patch = await success.then?.(saga as SagaInstance<S>, reply, deps);
      const next = patch ? { ...saga, state: { ...saga.state, ...patch } } : saga;
      await this.advance(next, index, deps);
      return;
    }
    const failure = step.failures.find((f) => f.message.type === message.type);
    if (!failure) return this.ignore(saga, message, `not a reply to ${step.name}`);
    const reason = (await failure.then?.(saga as SagaInstance<S>, reply, deps)) || `${step.name}_failed`;
    await this.compensateFrom(saga, index, reason, reason, deps, 'failed');
  }

  private async onCompensatingReply(saga: Saga<S>, message: MessageType<unknown>, reply: unknown, deps: D): Promise<void> {
    const memo = memoOf(saga);
    if (memo.awaiting) {
      const step = this.stepNamed(memo.awaiting);
      if (!this.correlated(step, saga, reply)) return this.ignore(saga, message, 'reply for another request');
      if (step.replies.some((r) => r.message.type === message.type)) {
        // The timed-out step succeeded after all: undo it.
        await this.sendCompensation(saga, step, { ...memo, awaiting: undefined }, 'late success after the deadline', deps);
        return;
      }
      if (step.failures.some((f) => f.message.type === message.type)) {
        return this.nextCompensation(saga, { ...memo, awaiting: undefined }, `${step.name} failed; nothing to undo`, deps);
      }
      return this.ignore(saga, message, `not an outcome of ${step.name}`);
    }
    if (memo.sent) {
      const step = this.stepNamed(memo.sent);
      if (!this.correlated(step, saga, reply)) return this.ignore(saga, message, 'reply for another request');
      if (!step.compensation!.confirmedBy.some((m) => m.type === message.type)) return this.ignore(saga, message, `does not confirm ${step.compensation!.name}`);
      if (memo.queue.length === 0) return this.nextCompensation(saga, { ...memo, sent: undefined }, undefined, deps);
      const confirmed = await this.port.update(saga, { log: { name: step.compensation!.name, status: 'completed' } });
      return this.nextCompensation(confirmed, { ...memo, sent: undefined }, undefined, deps);
    }
    this.ignore(saga, message, 'nothing awaited');
  }

  /** Runs (local) or sends (participant) the step at `index` of a saga already positioned on it. */
  private async enter(saga: Saga<S>, index: number, deps: D): Promise<Saga<S>> {
    const step = this.definition.steps[index]!;
    if (step.invoke) {
      const { message, payload } = step.invoke(saga as SagaInstance<S>);
      await this.port.send(saga, { topic: message.topic, type: message.type, data: message.toJSON(payload) as object });
      return saga;
    }
    const outcome = await step.local!(saga as SagaInstance<S>, deps);
    if (outcome && 'compensate' in outcome) return this.compensateFrom(saga, index, outcome.compensate, outcome.why ?? outcome.compensate, deps, 'failed');
    if (outcome && 'fail' in outcome) return this.port.update(saga, { status: 'failed', log: { name: step.name, status: 'failed', error: outcome.fail } });
    return this.advance(saga, index, deps);
  }

  private async advance(saga: Saga<S>, index: number, deps: D): Promise<Saga<S>> {
    const done = this.definition.steps[index]!.name;
    const next = this.definition.steps[index + 1];
    if (!next) return this.port.update(saga, { status: 'completed', state: saga.state, log: { name: done, status: 'completed' } });
    const moved = await this.port.update(saga, {
      step: next.name,
      state: saga.state,
      deadlineAt: this.deadlineOf(next.deadlineMs, deps),
      log: { name: done, status: 'completed' },
    });
    return this.enter(moved, index + 1, deps);
  }

  /** Step `index` cannot go on: undo the steps before it (newest first), or fail if none can be undone. */
  private async compensateFrom(saga: Saga<S>, index: number, reason: string, why: string, deps: D, status: 'failed' | 'timed_out'): Promise<Saga<S>> {
    const queue = this.undoable(index);
    const name = this.definition.steps[index]!.name;
    if (queue.length === 0) return this.port.update(saga, { status: 'failed', log: { name, status, error: why } });
    const [first, ...rest] = queue;
    return this.sendCompensation(saga, this.stepNamed(first!), { queue: rest, reason }, why, deps);
  }

  private async sendCompensation(saga: Saga<S>, step: StepDef<S, D>, memo: EngineMemo, why: string, deps: D): Promise<Saga<S>> {
    const compensation = step.compensation as CompensationDef<S, D>;
    this.log.warn({ sagaId: saga.id, type: this.type, step: step.name, why }, 'saga compensates');
    const next = await this.port.update(saga, {
      status: 'compensating',
      step: compensation.name,
      state: withMemo(saga.state, { ...clean(memo), sent: step.name }),
      deadlineAt: this.deadlineOf(compensation.deadlineMs, deps),
      log: { name: compensation.name, status: 'started', error: why },
    });
    const { message, payload } = compensation.invoke(saga as SagaInstance<S>, memo.reason);
    await this.port.send(next, { topic: message.topic, type: message.type, data: message.toJSON(payload) as object });
    return next;
  }

  private async nextCompensation(saga: Saga<S>, memo: EngineMemo, why: string | undefined, deps: D): Promise<void> {
    const [first, ...rest] = memo.queue;
    if (first) {
      await this.sendCompensation(saga, this.stepNamed(first), { ...memo, queue: rest }, memo.reason, deps);
      return;
    }
    await this.port.update(saga, {
      status: 'compensated',
      state: withMemo(saga.state, clean(memo)),
      log: { name: saga.step, status: why ? 'compensated' : 'completed', ...(why ? { error: why } : {}) },
    });
  }

  /** Names of the steps before `index` that can be undone, newest first. */
  private undoable(index: number): string[] {
    return this.definition.steps.slice(0, index).filter((s) => s.compensation).map((s) => s.name).reverse();
  }

  private correlated(step: StepDef<S, D>, saga: Saga<S>, reply: unknown): boolean {
    if (!step.correlation) return true;
    const value = (reply as Record<string, unknown> | null)?.[step.correlation.field];
    return typeof value === 'string' && value.toLowerCase() === step.correlation.value(saga.state).toLowerCase();
  }

  private indexOf(name: string): number {
    const index = this.definition.steps.findIndex((s) => s.name === name);
    if (index < 0) throw new Error(`saga ${this.type}: unknown step ${name}`);
    return index;
  }

  private stepNamed(name: string): StepDef<S, D> {
    return this.definition.steps[this.indexOf(name)]!;
  }

  private deadlineOf(ms: ((deps: D) => number) | undefined, deps: D): Date | null {
    return ms ? new Date(this.clock.now().getTime() + ms(deps)) : null;
  }

  private ignore(saga: Saga<S>, message: MessageType<unknown>, why: string): void {
    this.log.debug({ sagaId: saga.id, type: this.type, status: saga.status, step: saga.step, message: message.name }, `reply ignored: ${why}`);
  }
}

function memoOf<S extends object>(saga: Saga<S>): EngineMemo {
  return saga.state._saga ?? { queue: [], reason: '' };
}

function withMemo<S extends object>(state: Stored<S>, memo: EngineMemo): Stored<S> {
  return { ...state, _saga: memo };
}

function clean(memo: EngineMemo): EngineMemo {
  return Object.fromEntries(Object.entries(memo).filter(([, v]) => v !== undefined)) as unknown as EngineMemo;
}
