import type { Invocation, MessageType } from '@storytelling/contracts';
import type { SagaInstance } from './saga.js';

/**
 * A saga written as its spec (docs/messaging.md § Sagas):
 *
 *   defineSaga<State, Deps>('paid-subscription', (step) => [
 *     step('charge')
 *       .invokeParticipant((s) => payments.chargePayment({...}))
 *       .correlate('paymentId', (s) => s.paymentId)
 *       .onReply(paymentsEvents.PaymentProcessed)
 *       .failsOn(paymentsEvents.PaymentFailed, recordRefusal)
 *       .withCompensation('refund', (s, reason) => payments.refundPayment({...}), paymentsEvents.PaymentRefunded)
 *       .deadline((d) => d.chargeTimeoutMs, recordTimeout),
 *     step('activate').invokeLocal(activate),
 *   ]);
 *
 * Framework-free: the engine (saga-engine.ts) runs it against a SagaPort, persisted
 * (saga-store.ts) in services and in memory in unit tests (`sagaTest` in @storytelling/testing).
 * `D` is what local steps work with (a service's repositories in the current transaction).
 */

/** What a local step decides: go on (nothing), undo the steps done so far, or stop. */
export type LocalOutcome = void | { compensate: string; why?: string } | { fail: string };

export const compensate = (reason: string, why?: string): LocalOutcome => ({ compensate: reason, ...(why ? { why } : {}) });

export type LocalStep<S extends object, D> = (saga: SagaInstance<S>, deps: D) => Promise<LocalOutcome>;
/** Runs on a reply (the local effect of a participant's answer); may return a state patch. */
export type ReplyEffect<S extends object, D, R> = (saga: SagaInstance<S>, reply: R, deps: D) => Promise<void | Partial<S>>;
/** Runs on a failure reply; returns the failure reason recorded in the step log. */
export type FailureEffect<S extends object, D, R> = (saga: SagaInstance<S>, reply: R, deps: D) => Promise<string | void>;

export interface ReplyRule<S extends object, D> {
  readonly message: MessageType<unknown>;
  readonly then?: ReplyEffect<S, D, unknown>;
}

export interface FailureRule<S extends object, D> {
  readonly message: MessageType<unknown>;
  readonly then?: FailureEffect<S, D, unknown>;
}

export interface CompensationDef<S extends object, D> {
  /** The step name the saga shows while this compensation runs (e.g. `refund`). */
  readonly name: string;
  readonly invoke: (saga: SagaInstance<S>, reason: string) => Invocation<unknown>;
  readonly confirmedBy: readonly MessageType<unknown>[];
  readonly deadlineMs?: (deps: D) => number;
}

export interface StepDef<S extends object, D> {
  readonly name: string;
  readonly local?: LocalStep<S, D>;
  readonly invoke?: (saga: SagaInstance<S>) => Invocation<unknown>;
  readonly correlation?: { field: string; value: (state: S) => string };
  readonly replies: readonly ReplyRule<S, D>[];
  readonly failures: readonly FailureRule<S, D>[];
  readonly compensation?: CompensationDef<S, D>;
  readonly deadlineMs?: (deps: D) => number;
  readonly onTimeout?: (saga: SagaInstance<S>, deps: D) => Promise<void>;
}

export interface SagaDefinition<S extends object, D> {
  readonly type: string;
  readonly steps: readonly StepDef<S, D>[];
  /** Every message the saga waits for (replies, failures, confirmations of compensations). */
  readonly replyMessages: readonly MessageType<unknown>[];
}

/** Builder of one step; every method returns a new builder, so a step reads top to bottom. */
export class StepBuilder<S extends object, D> {
  constructor(readonly def: StepDef<S, D>) {}

  /** A step done here, in the saga's transaction. */
  invokeLocal(run: LocalStep<S, D>): StepBuilder<S, D> {
    return this.with({ local: run });
  }

  /** A step done by another context: its command is sent through the outbox on entering the step. */
  invokeParticipant<T>(invoke: (saga: SagaInstance<S>) => Invocation<T>): StepBuilder<S, D> {
    return this.with({ invoke: invoke as (saga: SagaInstance<S>) => Invocation<unknown> });
  }

  /** Replies count for this step only when their `field` equals the state's value (e.g. the payment id). */
  correlate(field: string, value: (state: S) => string): StepBuilder<S, D> {
    return this.with({ correlation: { field, value } });
  }

  /** The participant's success: run `then` (optional) and go on to the next step. */
  onReply<R>(message: MessageType<R>, then?: ReplyEffect<S, D, R>): StepBuilder<S, D> {
    return this.with({ replies: [...this.def.replies, { message: message as MessageType<unknown>, ...(then ? { then: then as ReplyEffect<S, D, unknown> } : {}) }] });
  }

  /** The participant's refusal: run `then`, then undo the steps before this one (or fail if none). */
  failsOn<R>(message: MessageType<R>, then?: FailureEffect<S, D, R>): StepBuilder<S, D> {
    return this.with({ failures: [...this.def.failures, { message: message as MessageType<unknown>, ...(then ? { then: then as FailureEffect<S, D, unknown> } : {}) }] });
  }

  /**
   * How this step is undone when a later step cannot go on, or when its own outcome came late:
   * `invoke` is sent, and `confirmedBy` says it is done.
   */
  withCompensation<T>(
    name: string,
    invoke: (saga: SagaInstance<S>, reason: string) => Invocation<T>,
    confirmedBy: MessageType<unknown> | readonly MessageType<unknown>[],
    deadlineMs?: (deps: D) => number,
  ): StepBuilder<S, D> {
    const compensation: CompensationDef<S, D> = {
      name,
      invoke: invoke as (saga: SagaInstance<S>, reason: string) => Invocation<unknown>,
      confirmedBy: Array.isArray(confirmedBy) ? confirmedBy : [confirmedBy as MessageType<unknown>],
      ...(deadlineMs ? { deadlineMs } : {}),
    };
    return this.with({ compensation });
  }

  /**
   * How long the participant has to answer. On expiry `onTimeout` runs, and a step with a
   * compensation waits for the late outcome: a late success is compensated, a late failure
   * needs nothing. A step without one fails the saga (after undoing earlier steps).
   */
  deadline(ms: (deps: D) => number, onTimeout?: (saga: SagaInstance<S>, deps: D) => Promise<void>): StepBuilder<S, D> {
    return this.with({ deadlineMs: ms, ...(onTimeout ? { onTimeout } : {}) });
  }

  private with(patch: Partial<StepDef<S, D>>): StepBuilder<S, D> {
    return new StepBuilder<S, D>({ ...this.def, ...patch });
  }
}

export function defineSaga<S extends object, D>(type: string, steps: (step: (name: string) => StepBuilder<S, D>) => StepBuilder<S, D>[]): SagaDefinition<S, D> {
  const defs = steps((name) => new StepBuilder<S, D>({ name, replies: [], failures: [] })).map((b) => b.def);
  if (defs.length === 0) throw new Error(`saga ${type} has no steps`);
  const names = new Set<string>();
  for (const d of defs) {
    if (Boolean(d.local) === Boolean(d.invoke)) throw new Error(`saga ${type}, step ${d.name}: exactly one of invokeLocal / invokeParticipant`);
    for (const n of [d.name, d.compensation?.name].filter((x): x is string => x !== undefined)) {
      if (names.has(n)) throw new Error(`saga ${type}: step name ${n} used twice`);
      names.add(n);
    }
    if (d.local && (d.replies.length || d.failures.length || d.deadlineMs)) throw new Error(`saga ${type}, step ${d.name}: a local step takes no replies or deadline`);
    if (d.invoke && d.replies.length === 0) throw new Error(`saga ${type}, step ${d.name}: a participant step needs onReply`);
  }
  const replyMessages = new Map<string, MessageType<unknown>>();
  for (const d of defs) {
    for (const m of [...d.replies.map((r) => r.message), ...d.failures.map((f) => f.message), ...(d.compensation?.confirmedBy ?? [])]) replyMessages.set(m.type, m);
  }
  return { type, steps: defs, replyMessages: [...replyMessages.values()] };
}
