import { uuidv7, uuidv7Time } from '../../src/ids.js';

describe('uuidv7Time', () => {
  it('reads back the millisecond a UUIDv7 was made at; null for other versions and non-UUIDs', () => {
    const at = Date.UTC(2026, 11, 7, 16, 30, 0, 123);
    expect(uuidv7Time(uuidv7(at))).toEqual(new Date(at));
    expect(uuidv7Time(uuidv7(at).toUpperCase())).toEqual(new Date(at));
    expect(uuidv7Time('6f1c3a4e-2b7d-4c1a-9e8f-0a1b2c3d4e5f')).toBeNull(); // v4
    expect(uuidv7Time('not-a-uuid')).toBeNull();
  });
});
