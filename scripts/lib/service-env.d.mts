export const SUPERADMIN_EMAIL: string;
export function superadminCredentials(): { email: string; password: string; created: boolean };
export function grpcUrlVariable(service: string): string;
export interface ServiceEnvOptions {
  databaseName?: string;
  brokers: string[];
  topicPrefix?: string;
  overrides?: Record<string, string>;
}
export function buildServiceEnv(serviceName: string, options: ServiceEnvOptions): Record<string, string>;
export const SERVICE_TOKEN_CALLERS: string[];
export function serviceTokenSecret(service: string): string;
export function serviceCredentials(callers?: string[]): string;
export const MEDIA_SERVICES: string[];
export const LOCAL_OIDC: { port: number; issuer: string; clientId: string; redirectUri: string };
export function localOidcClientSecret(): string;
