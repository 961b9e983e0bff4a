import { DomainError, decodeCursor, encodeCursor, pageSize, toPage } from '@storytelling/kernel';

const code = (fn: () => unknown): string => {
  try {
    fn();
    return 'ok';
  } catch (err) {
    return err instanceof DomainError ? err.code : 'other';
  }
};

describe('pagination', () => {
  it('limit 1..100, default 20', () => {
    expect(pageSize(undefined)).toBe(20);
    expect(pageSize(0)).toBe(20);
    expect(pageSize(1)).toBe(1);
    expect(pageSize(100)).toBe(100);
    expect(code(() => pageSize(101))).toBe('VALIDATION_FAILED');
    expect(code(() => pageSize(-1))).toBe('VALIDATION_FAILED');
  });

  it('cursor: opaque base64url of [time, id], round trip; anything else is INVALID_CURSOR', () => {
    const keyset = { at: new Date('2026-11-20T10:00:00.123Z'), id: '0190a0d0-0000-7000-8000-0000000000aa' };
    const cursor = encodeCursor(keyset);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(JSON.parse(Buffer.from(cursor, 'base64url').toString())).toEqual(['2026-11-20T10:00:00.123Z', keyset.id]);
    expect(decodeCursor(cursor)).toEqual(keyset);
    expect(decodeCursor('')).toBeUndefined();
    for (const bad of ['not base64!', Buffer.from('{}').toString('base64url'), Buffer.from('["yesterday","x"]').toString('base64url'), 'x'.repeat(300)]) {
      expect(code(() => decodeCursor(bad))).toBe('INVALID_CURSOR');
    }
  });

  it('cursor: a time outside what the fleet stores (and PostgreSQL takes) is INVALID_CURSOR, not a SQL error', () => {
    const id = '0190a0d0-0000-7000-8000-0000000000aa';
    const of = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    for (const at of ['-005000-01-01T00:00:00.000Z', '+275760-09-13T00:00:00.000Z', '0000-01-01T00:00:00.000Z', '2026-02-30T00:00:00.000Z', '2026-01-01T00:00:00Z']) {
      expect(code(() => decodeCursor(of([at, id])))).toBe('INVALID_CURSOR');
    }
    for (const bad of [of(['2026-01-01T00:00:00.000Z', 'x']), of(['2026-01-01T00:00:00.000Z', id, 1]), of([0, id])]) {
      expect(code(() => decodeCursor(bad))).toBe('INVALID_CURSOR');
    }
    expect(decodeCursor(of(['0001-01-01T00:00:00.000Z', id]))?.at.toISOString()).toBe('0001-01-01T00:00:00.000Z');
  });

  it('a page of limit+1 rows has a next cursor at its last item; a short page has none', () => {
    const rows = [1, 2, 3].map((n) => ({ at: new Date(n * 1000), id: `0190a0d0-0000-7000-8000-00000000000${n}` }));
    const page = toPage(rows, 2, (r) => r, (r) => r.id);
    expect(page.items).toHaveLength(2);
    expect(decodeCursor(page.nextCursor)).toEqual(rows[1]);
    expect(toPage(rows, 3, (r) => r, (r) => r.id).nextCursor).toBeUndefined();
  });
});
