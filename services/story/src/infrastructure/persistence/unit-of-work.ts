import type { Clock } from '@storytelling/kernel';
import { Inject, Injectable } from '@nestjs/common';
import { EventStore, UnitOfWork } from '@storytelling/platform';
import { DataSource } from 'typeorm';
import type { StoryRepositories, StoryUnitOfWork } from '../../application/ports/index.js';
import { CLOCK } from '../../application/ports/index.js';
import { typeOrmRepositories } from './repositories.js';

/** The platform's UnitOfWork (one Postgres transaction) with story's repositories bound to it. */
@Injectable()
export class TypeOrmStoryUnitOfWork implements StoryUnitOfWork {
  readonly reader: StoryRepositories;

  constructor(
    @Inject(UnitOfWork) private readonly uow: UnitOfWork,
    @Inject(EventStore) private readonly events: EventStore,
    @Inject(DataSource) dataSource: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    this.reader = typeOrmRepositories(dataSource.manager, events, clock);
  }

  run<T>(work: (repos: StoryRepositories) => Promise<T>): Promise<T> {
    return this.uow.run((tx) => work(typeOrmRepositories(tx, this.events, this.clock)));
  }
}
