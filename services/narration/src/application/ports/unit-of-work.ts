import type { UnitOfWorkPort } from '@storytelling/kernel';
import type { NarrationRepositories } from '../../domain/index.js';

/**
 * narration's repositories bound to one database transaction: `run` joins the transaction it is
 * called in (a translator's inbox transaction, a worker's pass) unless told `requires_new`;
 * `reader` reads in that transaction if there is one.
 */
export type NarrationUnitOfWork = UnitOfWorkPort<NarrationRepositories>;

export const NARRATION_UNIT_OF_WORK = Symbol('narration.UnitOfWork');
