export function withLock<T>(name: string, fn: () => Promise<T>, timeoutMs?: number): Promise<T>;
export function withLockSync<T>(name: string, fn: () => T, timeoutMs?: number): T;
