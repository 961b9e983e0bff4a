export interface LocalOidcAccount {
  email: string;
  password: string;
  name: string;
  emailVerified: boolean;
}
export const DEV_ACCOUNTS: LocalOidcAccount[];
export interface LocalOidcProviderOptions {
  port?: number;
  host?: string;
  issuer?: string;
  clients: Array<{ clientId: string; clientSecret: string; redirectUris: string[] }>;
  accounts?: LocalOidcAccount[];
  codeTtlSeconds?: number;
}
export function startLocalOidcProvider(options: LocalOidcProviderOptions): Promise<{ issuer: string; url: string; close(): Promise<void> }>;
export function signInAtLocalProvider(authorizationUrl: string, account: { email: string; password: string }): Promise<URL>;
