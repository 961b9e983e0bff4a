import type { MessageType } from '@storytelling/contracts';
import { FixedClock } from '@storytelling/kernel';
import { SagaEngine, type SagaDefinition, type SagaInstance, type SagaStatus, type StartInput } from '@storytelling/platform';
import { InMemorySagaPort, type SentCommand } from './in-memory-saga-port.js';

/**
 * The saga unit-test DSL: given a start state → expect a command → given a reply → expect the
 * next command, completion or compensation. Runs the real engine against InMemorySagaPort; no
 * PostgreSQL, no Kafka.
 *
 *   const t = sagaTest(paidSubscriptionSaga, deps);
 *   await t.start({ state });
 *   const charge = t.expectCommand(paymentsCommands.ChargePayment);
 *   await t.reply(paymentsEvents.PaymentProcessed, { ...charge, status: ... });
 *   t.expectStatus('completed');
 */
export class SagaTest<S extends object, D> {
  readonly port: InMemorySagaPort;
  readonly engine: SagaEngine<S, D>;
  private id: string | undefined;
  private seen = 0;

  constructor(
    definition: SagaDefinition<S, D>,
    private readonly deps: D,
    readonly clock: FixedClock = new FixedClock(new Date('2026-01-01T00:00:00Z')),
  ) {
    this.port = new InMemorySagaPort(clock);
    this.engine = new SagaEngine(definition, this.port, clock);
  }

  async start(input: StartInput<S>): Promise<SagaInstance<S>> {
    const saga = await this.engine.start(this.deps, input);
    this.id = saga.id;
    return saga;
  }

  /** The saga as stored now. */
  get saga(): SagaInstance<S> {
    const saga = this.id ? this.port.sagas.get(this.id) : undefined;
    if (!saga) throw new Error('the saga was not started');
    return structuredClone(saga) as SagaInstance<S>;
  }

  /** The participant answers (correlated to this saga). */
  async reply<R>(message: MessageType<R>, payload: R): Promise<void> {
    await this.engine.onReply(this.saga, message as MessageType<unknown>, message.fromJSON(message.toJSON(payload)), this.deps);
  }

  /** Moves the clock past the current deadline and lets the engine time the step out. */
  async timeout(): Promise<void> {
    const saga = this.saga;
    if (!saga.deadlineAt) throw new Error(`step ${saga.step} (${saga.status}) has no deadline`);
    this.clock.set(new Date(saga.deadlineAt.getTime() + 1));
    await this.engine.onDeadline(saga, this.deps);
  }

  /** The next command sent since the last expectation must be `message`; returns its payload. */
  expectCommand<T>(message: MessageType<T>): T {
    const next: SentCommand | undefined = this.port.sent[this.seen];
    if (!next) throw new Error(`expected ${message.name}, but no further command was sent`);
    if (next.type !== message.type || next.topic !== message.topic) throw new Error(`expected ${message.name} (${message.type}), got ${next.type}`);
    if (next.subject !== this.id) throw new Error(`${message.name} was sent for saga ${next.subject}, not ${this.id}`);
    this.seen += 1;
    return message.fromJSON(next.data);
  }

  /** No command was sent since the last expectation. */
  expectNoCommand(): void {
    const extra = this.port.sent.slice(this.seen);
    if (extra.length > 0) throw new Error(`expected no command, got ${extra.map((c) => c.type).join(', ')}`);
  }

  expectStatus(status: SagaStatus, step?: string): void {
    const saga = this.saga;
    if (saga.status !== status || (step !== undefined && saga.step !== step)) {
      throw new Error(`expected ${status}${step ? ` at ${step}` : ''}, got ${saga.status} at ${saga.step}`);
    }
  }

  /** The step log as `name:status` lines. */
  get log(): string[] {
    return this.id ? this.port.logOf(this.id) : [];
  }
}

export function sagaTest<S extends object, D>(definition: SagaDefinition<S, D>, deps: D, clock?: FixedClock): SagaTest<S, D> {
  return new SagaTest(definition, deps, clock);
}
