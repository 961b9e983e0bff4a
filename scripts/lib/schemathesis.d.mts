export interface SchemathesisManifest {
  digest: string;
  version: string;
  cli: string;
}
export const SCHEMATHESIS_REQUIREMENT: string;
export function schemathesisVenvDir(): string;
export function readSchemathesisManifest(): SchemathesisManifest | null;
export function ensureSchemathesis(): Promise<{ installed: boolean; manifest: SchemathesisManifest | null }>;
