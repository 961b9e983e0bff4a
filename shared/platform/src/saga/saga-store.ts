import { VersionConflictError, systemClock, uuidv7, type Clock } from '@storytelling/kernel';
import type { EntityManager } from 'typeorm';
import { currentContext, runWithContext } from '../context/request-context.js';
import type { AppendedCommand, EventStore, OutgoingCommand } from '../messaging/event-store.js';
import { returnedRows } from '../persistence/sql-rows.js';
import { workTraceparent } from '../telemetry/traceparent.js';
import { assertTransition, isTerminal, type SagaInstance, type SagaStatus, type SagaStepRecord } from './saga.js';
import { sagaMetrics } from './saga-metrics.js';

export interface StartSaga<S extends object> {
  /** Default: a new UUIDv7. The id is the correlation id of every command the saga sends. */
  id?: string;
  type: string;
  /** Unique business key; a second start with the same key throws SagaKeyTakenError. */
  key?: string;
  step: string;
  state: S;
  deadlineAt?: Date | null;
}

export interface SagaChange<S extends object> {
  status?: SagaStatus;
  step?: string;
  state?: S;
  /** null clears the deadline; undefined keeps it. */
  deadlineAt?: Date | null;
  /** Step log line written with the change (name defaults to the new step). */
  log?: { name?: string; status: string; error?: string };
}

/** A saga with this business key already exists (its id is attached). */
export class SagaKeyTakenError extends Error {
  constructor(
    readonly key: string,
    readonly existingId: string | undefined,
  ) {
    super(`a saga with key ${key} already exists`);
    this.name = 'SagaKeyTakenError';
  }
}

interface SagaRow {
  id: string;
  type: string;
  saga_key: string | null;
  status: SagaStatus;
  step: string;
  state: Record<string, unknown>;
  deadline_at: Date | null;
  version: number;
  created_at: Date;
  updated_at: Date;
  traceparent: string | null;
}

const COLUMNS = `id, type, saga_key, status, step, state, deadline_at, version, created_at, updated_at, traceparent`;
const UNIQUE_VIOLATION = '23505';

/**
 * Persists saga instances (`saga_instances`, `saga_steps`: sagaMigrations) through the caller's
 * transaction, so a saga's state change, the commands it sends (outbox) and the service's own
 * state changes commit together. Every write is optimistic (`version`): two replicas handling
 * replies of one saga cannot both win. Times come from the injected clock.
 */
export class SagaStore {
  private readonly clock: Clock;

  constructor(private readonly options: { service: string; events: EventStore; clock?: Clock }) {
    this.clock = options.clock ?? systemClock;
  }

  async start<S extends object>(tx: EntityManager, input: StartSaga<S>): Promise<SagaInstance<S>> {
    const id = input.id ?? uuidv7();
    const now = this.clock.now();
    try {
      // A savepoint keeps the caller's transaction usable when the key is taken.
      await tx.query('SAVEPOINT saga_start');
      await tx.query(
        `INSERT INTO saga_instances (id, type, saga_key, status, step, state, deadline_at, version, created_at, updated_at, traceparent)
         VALUES ($1, $2, $3, 'running', $4, $5::jsonb, $6, 1, $7, $7, $8)`,
        [id, input.type, input.key ?? null, input.step, JSON.stringify(input.state), input.deadlineAt ?? null, now, workTraceparent()],
      );
      await tx.query('RELEASE SAVEPOINT saga_start');
    } catch (err) {
      if (input.key !== undefined && isUniqueViolation(err)) {
        await tx.query('ROLLBACK TO SAVEPOINT saga_start');
        const existing = await this.findByKey(tx, input.key);
        throw new SagaKeyTakenError(input.key, existing?.id);
      }
      throw err;
    }
    await this.log(tx, id, { name: input.step, status: 'started' }, now);
    sagaMetrics.started.inc({ service: this.options.service, type: input.type });
    return { id, type: input.type, key: input.key ?? null, status: 'running', step: input.step, state: input.state, deadlineAt: input.deadlineAt ?? null, version: 1, createdAt: now, updatedAt: now };
  }

  async get<S extends object>(tx: EntityManager, id: string, options: { lock?: boolean } = {}): Promise<SagaInstance<S> | undefined> {
    const rows: SagaRow[] = await tx.query(`SELECT ${COLUMNS} FROM saga_instances WHERE id = $1${options.lock ? ' FOR UPDATE' : ''}`, [id]);
    return rows[0] ? toInstance<S>(rows[0]) : undefined;
  }

  async findByKey<S extends object>(tx: EntityManager, key: string): Promise<SagaInstance<S> | undefined> {
    const rows: SagaRow[] = await tx.query(`SELECT ${COLUMNS} FROM saga_instances WHERE saga_key = $1`, [key]);
    return rows[0] ? toInstance<S>(rows[0]) : undefined;
  }

  /**
   * Writes a change if the saga is still at the version it was read at; otherwise
   * VersionConflictError (the caller's transaction should roll back and the message be retried).
   */
  async update<S extends object>(tx: EntityManager, saga: SagaInstance<S>, change: SagaChange<S>): Promise<SagaInstance<S>> {
    const status = change.status ?? saga.status;
    if (status !== saga.status || !isTerminal(saga.status)) assertTransition(saga, status);
    const now = this.clock.now();
    const next: SagaInstance<S> = {
      ...saga,
      status,
      step: change.step ?? saga.step,
      state: change.state ?? saga.state,
      deadlineAt: change.deadlineAt === undefined ? saga.deadlineAt : change.deadlineAt,
      version: saga.version + 1,
      updatedAt: now,
    };
    if (isTerminal(status)) next.deadlineAt = null;
    const rows = returnedRows<{ id: string }>(await tx.query(
      `UPDATE saga_instances SET status = $3, step = $4, state = $5::jsonb, deadline_at = $6, version = $7, updated_at = $8,
              traceparent = coalesce($9, traceparent)
        WHERE id = $1 AND version = $2 RETURNING id`,
      [saga.id, saga.version, next.status, next.step, JSON.stringify(next.state), next.deadlineAt, next.version, now, workTraceparent()],
    ));
    if (rows.length === 0) throw new VersionConflictError(saga.id, saga.version);
    if (change.log) await this.log(tx, saga.id, { name: change.log.name ?? next.step, status: change.log.status, error: change.log.error }, now);
    if (isTerminal(status) && !isTerminal(saga.status)) {
      sagaMetrics.outcomes.inc({ service: this.options.service, type: saga.type, outcome: status });
      sagaMetrics.duration.observe({ service: this.options.service, type: saga.type, outcome: status }, Math.max(0, now.getTime() - saga.createdAt.getTime()) / 1000);
    }
    return next;
  }

  /**
   * Sends a command through the outbox in the caller's transaction, with the saga id as the
   * envelope's correlationid (replies carry it back) and the current message as causation.
   */
  send<TData extends object>(tx: EntityManager, saga: Pick<SagaInstance, 'id'>, command: Omit<OutgoingCommand<TData>, 'subject'>): Promise<AppendedCommand> {
    const parent = currentContext();
    return runWithContext({ ...(parent ?? {}), correlationId: saga.id }, () =>
      this.options.events.appendCommand(tx, { ...command, subject: saga.id }),
    );
  }

  /**
   * Live sagas whose deadline has passed (`deadline_at <= now`), locked for the caller's
   * transaction with SKIP LOCKED: replicas polling at once split the work, never share it.
   */
  async claimOverdue<S extends object>(tx: EntityManager, options: { now?: Date; limit?: number; types?: readonly string[] } = {}): Promise<SagaInstance<S>[]> {
    const rows: SagaRow[] = await tx.query(
      `SELECT ${COLUMNS} FROM saga_instances
        WHERE status IN ('running', 'compensating') AND deadline_at IS NOT NULL AND deadline_at <= $1
          AND ($3::text[] IS NULL OR type = ANY($3::text[]))
        ORDER BY deadline_at LIMIT $2 FOR UPDATE SKIP LOCKED`,
      [options.now ?? this.clock.now(), options.limit ?? 20, options.types ? [...options.types] : null],
    );
    return rows.map((r) => toInstance<S>(r));
  }

  async steps(tx: EntityManager, sagaId: string): Promise<SagaStepRecord[]> {
    const rows: Array<{ saga_id: string; seq: number; name: string; status: string; at: Date; error: string | null }> = await tx.query(
      `SELECT saga_id, seq, name, status, at, error FROM saga_steps WHERE saga_id = $1 ORDER BY seq`,
      [sagaId],
    );
    return rows.map((r) => ({ sagaId: r.saga_id, seq: r.seq, name: r.name, status: r.status, at: r.at, error: r.error }));
  }

  private async log(tx: EntityManager, sagaId: string, line: { name: string; status: string; error?: string | undefined }, at: Date): Promise<void> {
    await tx.query(
      `INSERT INTO saga_steps (saga_id, seq, name, status, at, error)
       SELECT $1, coalesce(max(seq), 0) + 1, $2, $3, $4, $5 FROM saga_steps WHERE saga_id = $1`,
      [sagaId, line.name, line.status, at, line.error ?? null],
    );
  }
}

function toInstance<S extends object>(r: SagaRow): SagaInstance<S> {
  return {
    id: r.id,
    type: r.type,
    key: r.saga_key,
    status: r.status,
    step: r.step,
    state: r.state as S,
    deadlineAt: r.deadline_at,
    version: r.version,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    traceparent: r.traceparent,
  };
}

function isUniqueViolation(err: unknown): boolean {
  const e = ((err as { driverError?: unknown } | null)?.driverError ?? err) as { code?: unknown } | null;
  return e?.code === UNIQUE_VIOLATION;
}

