import type { SagaInstance } from './saga.js';
import type { SagaChange, StartSaga } from './saga-store.js';

/** A command as the outbox stores it (the subject is the saga id, added by the port). */
export interface SagaCommand {
  topic: string;
  type: string;
  data: object;
}

/**
 * Where the saga engine keeps instances and sends commands: the SagaStore in the current
 * transaction in services (TransactionalSagaPort), a map in unit tests (sagaTest).
 */
export interface SagaPort {
  start<S extends object>(input: StartSaga<S>): Promise<SagaInstance<S>>;
  get<S extends object>(id: string, options?: { lock?: boolean }): Promise<SagaInstance<S> | undefined>;
  update<S extends object>(saga: SagaInstance<S>, change: SagaChange<S>): Promise<SagaInstance<S>>;
  send(saga: Pick<SagaInstance, 'id'>, command: SagaCommand): Promise<void>;
}
