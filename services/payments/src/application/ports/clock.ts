/** Nest injection token of the Clock (kernel) the handlers and the store read time from. */
export const CLOCK = Symbol('payments.Clock');
