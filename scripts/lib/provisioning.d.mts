import type { Client } from 'pg';

export interface SchemaOwner {
  /** The service, and the name of its LOGIN role. */
  name: string;
  schema: string;
}
export function adminUrl(databaseName?: string): string;
export function rolePassword(service: string): string;
export function databaseUrlFor(service: string, databaseName?: string): string;
export function withAdminClient<T>(url: string, fn: (client: Client) => Promise<T>): Promise<T>;
export function ensureDatabase(name: string): Promise<{ created: boolean }>;
export function dropDatabase(name: string, options?: { force?: boolean }): Promise<boolean>;
export function listDatabases(prefix: string): Promise<string[]>;
export function databaseExists(name: string): Promise<boolean>;
export function servicesWithSchema(): SchemaOwner[];
export function provisionServices(databaseName: string, owners?: SchemaOwner[]): Promise<SchemaOwner[]>;
export function dropServiceRole(databaseName: string, owner: SchemaOwner): Promise<void>;
