import { VersionConflictError, uuidv7, systemClock, type Clock } from '@storytelling/kernel';
import { SagaKeyTakenError, assertTransition, isTerminal, type SagaChange, type SagaCommand, type SagaInstance, type SagaPort, type SagaStepRecord, type StartSaga } from '@storytelling/platform';

/** A sent command as the outbox would hold it. */
export interface SentCommand extends SagaCommand {
  subject: string;
}

/**
 * The saga engine's port in memory, with the SagaStore's rules (transitions, optimistic versions,
 * unique business keys, the step log), for saga unit tests without PostgreSQL or Kafka.
 */
export class InMemorySagaPort implements SagaPort {
  readonly sagas = new Map<string, SagaInstance<object>>();
  readonly steps: SagaStepRecord[] = [];
  readonly sent: SentCommand[] = [];

  constructor(private readonly clock: Clock = systemClock) {}

  async start<S extends object>(input: StartSaga<S>): Promise<SagaInstance<S>> {
    const taken = input.key ? [...this.sagas.values()].find((s) => s.key === input.key) : undefined;
    if (input.key && taken) throw new SagaKeyTakenError(input.key, taken.id);
    const now = this.clock.now();
    const saga: SagaInstance<S> = {
      id: input.id ?? uuidv7(),
      type: input.type,
      key: input.key ?? null,
      status: 'running',
      step: input.step,
      state: structuredClone(input.state),
      deadlineAt: input.deadlineAt ?? null,
      version: 1,
      createdAt: now,
      updatedAt: now,
    };
    this.sagas.set(saga.id, saga);
    this.log(saga.id, input.step, 'started');
    return structuredClone(saga);
  }

  async get<S extends object>(id: string): Promise<SagaInstance<S> | undefined> {
    const saga = this.sagas.get(id);
    return saga ? (structuredClone(saga) as SagaInstance<S>) : undefined;
  }

  async update<S extends object>(saga: SagaInstance<S>, change: SagaChange<S>): Promise<SagaInstance<S>> {
    const stored = this.sagas.get(saga.id);
    if (!stored || stored.version !== saga.version) throw new VersionConflictError(saga.id, saga.version);
    const status = change.status ?? saga.status;
    if (status !== saga.status || !isTerminal(saga.status)) assertTransition(saga, status);
    const next: SagaInstance<S> = {
      ...saga,
      status,
      step: change.step ?? saga.step,
      state: structuredClone(change.state ?? saga.state),
      deadlineAt: isTerminal(status) ? null : change.deadlineAt === undefined ? saga.deadlineAt : change.deadlineAt,
      version: saga.version + 1,
      updatedAt: this.clock.now(),
    };
    this.sagas.set(saga.id, next);
    if (change.log) this.log(saga.id, change.log.name ?? next.step, change.log.status, change.log.error);
    return structuredClone(next);
  }

  async send(saga: Pick<SagaInstance, 'id'>, command: SagaCommand): Promise<void> {
    this.sent.push({ ...structuredClone(command), subject: saga.id });
  }

  /** The step log of one saga, as `name:status` lines (the form tests compare). */
  logOf(sagaId: string): string[] {
    return this.steps.filter((s) => s.sagaId === sagaId).map((s) => `${s.name}:${s.status}`);
  }

  private log(sagaId: string, name: string, status: string, error?: string): void {
    const seq = this.steps.filter((s) => s.sagaId === sagaId).length + 1;
    this.steps.push({ sagaId, seq, name, status, at: this.clock.now(), error: error ?? null });
  }
}
