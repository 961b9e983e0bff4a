import { systemClock, uuidv7 } from '@storytelling/kernel';
import { createDataSource, currentTransaction } from '@storytelling/platform';
import type { DataSource } from 'typeorm';
import { CreateStoryCommand, CreateStoryHandler, GetStoryHandler, GetStoryQuery, type StoryUnitOfWork } from '../../src/application/index.js';
import { migratedDataSource, postgresUnitOfWork } from '../support/db.js';
import { createStorySandbox, type StorySandbox } from '../support/sandbox.js';
import { STORY_ENTITIES } from '../../src/infrastructure/persistence/entities.js';
import { UNLIMITED_QUOTA } from '../support/fake-subscription.js';

const AUTHOR = { userId: '0190a0d0-0000-7000-8000-00000000c001', role: 'member' };

/** GetStory's read (StoryRepository.findById) as a named prepared statement, pooled and in a transaction. */
describe('story read by id (real Postgres)', () => {
  let sandbox: StorySandbox;
  let ds: DataSource;
  let uow: StoryUnitOfWork;

  beforeAll(async () => {
    sandbox = await createStorySandbox('read');
    ds = await migratedDataSource(sandbox);
    uow = postgresUnitOfWork(ds);
  });

  afterAll(async () => {
    await ds?.destroy();
  });

  const PREPARED = `SELECT name, statement FROM pg_prepared_statements WHERE name = 'story_find_by_id'`;

  it('reads the same story, field for field, through the pool and inside a transaction, and nothing for an absent id', async () => {
    const created = await new CreateStoryHandler(uow, systemClock, UNLIMITED_QUOTA).execute(new CreateStoryCommand(AUTHOR, 'A read title', 'Once upon a time.', 'pt-BR'));
    const pooled = await uow.reader.stories.findById(created.id);
    const inTransaction = await uow.run((repos) => repos.stories.findById(created.id));
    expect(pooled?.toState()).toEqual(inTransaction?.toState());
    expect(pooled?.toState()).toEqual(
      expect.objectContaining({ id: created.id, authorId: AUTHOR.userId, title: 'A read title', content: 'Once upon a time.', language: 'pt-BR', status: 'draft', version: 1, publishedAt: null }),
    );
    expect(pooled?.toState().createdAt).toBeInstanceOf(Date);
    expect(await uow.reader.stories.findById(uuidv7())).toBeUndefined();
    expect(await uow.run((repos) => repos.stories.findById(uuidv7()))).toBeUndefined();

    const view = await new GetStoryHandler(uow).execute(new GetStoryQuery(AUTHOR, created.id));
    expect(view).toEqual(expect.objectContaining({ id: created.id, title: 'A read title', version: 1 }));
  });

  it('runs as a named statement prepared on the connection it used, pooled or in a transaction', async () => {
    const created = await new CreateStoryHandler(uow, systemClock, UNLIMITED_QUOTA).execute(new CreateStoryCommand(AUTHOR, 'Prepared', ''));
    await uow.run(async (repos) => {
      expect(await repos.stories.findById(created.id)).toBeDefined();
      expect(await repos.stories.findById(created.id)).toBeDefined();
      const tx = currentTransaction()!;
      const statements: Array<{ statement: string }> = await tx.query(PREPARED);
      expect(statements).toHaveLength(1);
      expect(statements[0]!.statement).toMatch(/FROM stories WHERE id = \$1/);
    });
    // A pool of one connection: the check runs on the connection the pooled read used.
    const single = createDataSource({ url: sandbox.env.DATABASE_URL, schema: sandbox.env.DATABASE_SCHEMA, poolMax: 1 }, { entities: STORY_ENTITIES, applicationName: 'story-test' });
    await single.initialize();
    try {
      expect(await single.query(PREPARED)).toHaveLength(0);
      expect((await postgresUnitOfWork(single).reader.stories.findById(created.id))?.title).toBe('Prepared');
      expect(await single.query(PREPARED)).toHaveLength(1);
    } finally {
      await single.destroy();
    }
  });
});
