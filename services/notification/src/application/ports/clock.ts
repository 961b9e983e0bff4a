/** Nest injection token of the Clock (kernel) the planner, sender and handlers read time from. */
export const CLOCK = Symbol('notification.Clock');
