import { IllegalSagaTransitionError, SAGA_STATUSES, assertTransition, canTransition, isTerminal } from '../../src/saga/index.js';

describe('saga status machine', () => {
  it('allows forward moves only; terminal statuses are final', () => {
    const allowed = SAGA_STATUSES.flatMap((from) => SAGA_STATUSES.filter((to) => canTransition(from, to)).map((to) => `${from}→${to}`));
    expect(allowed).toEqual([
      'running→running',
      'running→completed',
      'running→failed',
      'running→compensating',
      'compensating→failed',
      'compensating→compensating',
      'compensating→compensated',
    ]);
    expect(SAGA_STATUSES.filter(isTerminal)).toEqual(['completed', 'failed', 'compensated']);
    expect(() => assertTransition({ id: 's', status: 'compensated' }, 'running')).toThrow(IllegalSagaTransitionError);
    expect(() => assertTransition({ id: 's', status: 'running' }, 'compensated')).toThrow('saga s: running → compensated is not allowed');
  });
});
