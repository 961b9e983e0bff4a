export function identityKeyFile(): string;
export function ensureIdentityKey(): { file: string; keyId: string; created: boolean };
