/**
 * subscription maps no TypeORM entities: its repositories are parameterised SQL over the
 * tables its migrations create (the guarded UPDATEs of the usage counters are the point).
 */
export const SUBSCRIPTION_ENTITIES: never[] = [];
