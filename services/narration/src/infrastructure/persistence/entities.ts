/**
 * TypeORM mappings of the narration schema (tables created by migrations/, never synchronised).
 * Aggregate rows extend the platform's VersionedRecord (version, created_at, updated_at).
 * Repositories may as well be parameterised SQL over the tables, with no entity at all.
 */
export const NARRATION_ENTITIES: Function[] = [];
