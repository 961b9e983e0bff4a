/**
 * narration's repository ports: one interface per aggregate (`<Noun>Repository`, implemented by
 * `infrastructure/persistence/sql-<noun>.repository.ts` as `Sql<Noun>Repository`), gathered in
 * the bundle one transaction binds (application/ports `NarrationUnitOfWork`). Saving an aggregate
 * writes its row and appends its pending events to the outbox in that same transaction. E.g.
 *
 *   export interface ThingRepository {
 *     find(id: string, options?: { lock?: boolean }): Promise<Thing | undefined>;
 *     save(thing: Thing): Promise<void>;
 *   }
 *   export interface NarrationRepositories { things: ThingRepository }
 */
// Empty until the first aggregate: add its repository here.
export interface NarrationRepositories {}
