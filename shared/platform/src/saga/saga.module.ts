import type { MessageType } from '@storytelling/contracts';
import { CLOCK, isUuid, type Clock } from '@storytelling/kernel';
import {
  Global,
  Inject,
  Injectable,
  Module,
  type BeforeApplicationShutdown,
  type DynamicModule,
  type OnApplicationBootstrap,
  type Type,
} from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { EventStore } from '../messaging/event-store.js';
import { on, type MessageRoute, type MessageTranslator } from '../messaging/translator.js';
import { UnitOfWork, currentTransaction } from '../persistence/unit-of-work.js';
import type { SagaInstance } from './saga.js';
import type { SagaDefinition } from './saga-definition.js';
import { SagaDeadlinePoller } from './saga-deadline-poller.js';
import { SagaEngine, type SagaStarter, type StartInput } from './saga-engine.js';
import { watchSagas } from './saga-metrics.js';
import type { SagaCommand, SagaPort } from './saga-port.js';
import { SagaStore, type SagaChange, type StartSaga } from './saga-store.js';

/**
 * A saga a service runs: its definition and what its local steps work with, resolved when a
 * step runs (so repositories bind to the transaction of that moment).
 */
export interface SagaBinding<S extends object, D> {
  readonly definition: SagaDefinition<S, D>;
  deps(): D;
}

export interface SagaModuleOptions {
  service: string;
  /** SagaBinding classes (typed loosely: each binds its own state and deps types). */
  bindings: ReadonlyArray<Type<object>>;
  /** How often overdue steps are looked for (ms; 0: only when `Sagas.pollDeadlines()` is called). */
  deadlinePollMs?: number;
}

const SAGA_OPTIONS = Symbol.for('storytelling.saga.Options');

/** The SagaStore in the ambient transaction: sagas always run inside one. */
export class TransactionalSagaPort implements SagaPort {
  constructor(private readonly store: SagaStore) {}

  start<S extends object>(input: StartSaga<S>): Promise<SagaInstance<S>> {
    return this.store.start(this.tx(), input);
  }
  get<S extends object>(id: string, options?: { lock?: boolean }): Promise<SagaInstance<S> | undefined> {
    return this.store.get<S>(this.tx(), id, options);
  }
  update<S extends object>(saga: SagaInstance<S>, change: SagaChange<S>): Promise<SagaInstance<S>> {
    return this.store.update(this.tx(), saga, change);
  }
  async send(saga: Pick<SagaInstance, 'id'>, command: SagaCommand): Promise<void> {
    await this.store.send(this.tx(), saga, command);
  }

  private tx() {
    const tx = currentTransaction();
    if (!tx) throw new Error('a saga step runs outside a transaction (call it inside UnitOfWork.run)');
    return tx;
  }
}

/**
 * The service's sagas: start one (`sagas.start(definition, input)`), and the engine's part the
 * services no longer write: replies routed by correlation id (`replies`, a translator the
 * messaging module registers) and deadlines (a poller on every replica, SKIP LOCKED).
 */
@Injectable()
export class Sagas implements OnApplicationBootstrap, BeforeApplicationShutdown, MessageTranslator, SagaStarter {
  private engines: Map<string, { engine: SagaEngine<object, unknown>; binding: SagaBinding<object, unknown> }> | undefined;
  private readonly port: TransactionalSagaPort;
  private readonly poller: SagaDeadlinePoller;
  private unwatch: (() => void) | undefined;

  constructor(
    @Inject(SAGA_OPTIONS) private readonly options: SagaModuleOptions,
    @Inject(SagaStore) readonly store: SagaStore,
    @Inject(UnitOfWork) uow: UnitOfWork,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(ModuleRef) private readonly moduleRef: ModuleRef,
    @Inject(DataSource) private readonly dataSource: DataSource,
  ) {
    this.port = new TransactionalSagaPort(store);
    this.poller = new SagaDeadlinePoller({
      service: options.service,
      store,
      clock,
      transaction: (work) => uow.run(work),
      onDeadline: async (_tx, saga) => {
        const entry = this.registry().get(saga.type);
        if (entry) await entry.engine.onDeadline(saga, entry.binding.deps());
      },
      ...(options.deadlinePollMs ? { intervalMs: options.deadlinePollMs } : {}),
    });
  }

  /** One route per message any saga waits for: the saga is found by the envelope's correlation id. */
  get routes(): readonly MessageRoute[] {
    const messages = new Map<string, MessageType<unknown>>();
    for (const { engine } of this.registry().values()) for (const m of engine.definition.replyMessages) messages.set(m.type, m);
    return [...messages.values()].map((message) => on(message, (reply, envelope) => this.route(message, reply, envelope.correlationid)));
  }

  async start<S extends object, D>(definition: SagaDefinition<S, D>, input: StartInput<S>): Promise<SagaInstance<S>> {
    const entry = this.registry().get(definition.type);
    if (!entry) throw new Error(`saga ${definition.type} is not bound in this service`);
    return (entry.engine as unknown as SagaEngine<S, D>).start(entry.binding.deps() as D, input);
  }

  /** One pass over overdue steps (tests call it after moving the clock). @returns how many timed out. */
  pollDeadlines(): Promise<number> {
    return this.poller.pollOnce();
  }

  onApplicationBootstrap(): void {
    this.registry();
    if (this.options.deadlinePollMs) this.poller.start();
    this.unwatch = watchSagas(this.options.service, this.dataSource);
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.unwatch?.();
    await this.poller.stop();
  }

  private async route(message: MessageType<unknown>, reply: unknown, correlationId: string): Promise<void> {
    const candidates = [correlationId, (reply as { sagaId?: unknown }).sagaId].filter((id): id is string => isUuid(id));
    for (const id of candidates) {
      const saga = await this.port.get<object>(id, { lock: true });
      if (!saga) continue;
      const entry = this.registry().get(saga.type);
      if (entry) await entry.engine.onReply(saga, message, reply, entry.binding.deps());
      return;
    }
  }

  private registry(): Map<string, { engine: SagaEngine<object, unknown>; binding: SagaBinding<object, unknown> }> {
    if (!this.engines) {
      this.engines = new Map();
      for (const type of this.options.bindings) {
        const binding = this.moduleRef.get(type, { strict: false }) as SagaBinding<object, unknown>;
        this.engines.set(binding.definition.type, { engine: new SagaEngine(binding.definition, this.port, this.clock), binding });
      }
    }
    return this.engines;
  }
}

@Global()
@Module({})
export class SagaModule {
  /** Needs PersistenceModule (UnitOfWork), MessagingModule (EventStore) and CLOCK in the application. */
  static forService(options: SagaModuleOptions): DynamicModule {
    return {
      module: SagaModule,
      global: true,
      providers: [
        { provide: SAGA_OPTIONS, useValue: options },
        { provide: SagaStore, useFactory: (events: EventStore, clock: Clock) => new SagaStore({ service: options.service, events, clock }), inject: [EventStore, CLOCK] },
        Sagas,
      ],
      exports: [SagaStore, Sagas],
    };
  }
}
