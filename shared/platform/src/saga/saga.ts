/**
 * The framework-free core of the saga engine: what a saga instance is and which status changes
 * are allowed. Persistence (saga-store.ts) and the deadline poller build on it.
 *
 *   running ──▶ completed
 *      │  └───▶ failed                      (a step failed; nothing to undo)
 *      └──────▶ compensating ──▶ compensated (undo steps sent and confirmed)
 *                     └────────▶ failed     (compensation itself gave up)
 */
export type SagaStatus = 'running' | 'completed' | 'failed' | 'compensating' | 'compensated';

export const SAGA_STATUSES: readonly SagaStatus[] = ['running', 'completed', 'failed', 'compensating', 'compensated'];

export interface SagaInstance<S extends object = Record<string, unknown>> {
  id: string;
  type: string;
  /** Business key (unique when set): e.g. `renewal:<subscription>:<period end>` stops a second start. */
  key: string | null;
  status: SagaStatus;
  /** Name of the step the saga waits on (or finished with). */
  step: string;
  state: S;
  /** When the current step times out (null: no deadline). */
  deadlineAt: Date | null;
  /** Optimistic concurrency: every write must name the version it read. */
  version: number;
  createdAt: Date;
  updatedAt: Date;
  /** The traceparent of the work that last started or moved it (a deadline's work continues it). */
  traceparent?: string | null;
}

/** One line of the step log (`saga_steps`). */
export interface SagaStepRecord {
  sagaId: string;
  seq: number;
  name: string;
  /** started, completed, failed, timed_out, compensating, compensated, ... (free text by convention). */
  status: string;
  at: Date;
  error: string | null;
}

const NEXT: Readonly<Record<SagaStatus, readonly SagaStatus[]>> = {
  running: ['running', 'completed', 'failed', 'compensating'],
  compensating: ['compensating', 'compensated', 'failed'],
  completed: [],
  failed: [],
  compensated: [],
};

export function isTerminal(status: SagaStatus): boolean {
  return NEXT[status].length === 0;
}

export function canTransition(from: SagaStatus, to: SagaStatus): boolean {
  return NEXT[from].includes(to);
}

export class IllegalSagaTransitionError extends Error {
  constructor(
    readonly sagaId: string,
    readonly from: SagaStatus,
    readonly to: SagaStatus,
  ) {
    super(`saga ${sagaId}: ${from} → ${to} is not allowed`);
    this.name = 'IllegalSagaTransitionError';
  }
}

export function assertTransition(saga: Pick<SagaInstance, 'id' | 'status'>, to: SagaStatus): void {
  if (!canTransition(saga.status, to)) throw new IllegalSagaTransitionError(saga.id, saga.status, to);
}
