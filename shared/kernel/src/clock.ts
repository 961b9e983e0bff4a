/** Time is a port so rules that depend on it (expiry, periods) can be tested without waiting. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

export class FixedClock implements Clock {
  constructor(private current: Date) {}
  now(): Date {
    return new Date(this.current.getTime());
  }
  set(date: Date): void {
    this.current = new Date(date.getTime());
  }
  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}

/** Injection token of the Clock every service's handlers take (`@Inject(CLOCK)`). */
export const CLOCK = Symbol.for('storytelling.Clock');
