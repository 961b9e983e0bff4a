export interface DomainImportViolation {
  file: string;
  line: number;
  specifier: string;
  reason: string;
}
export function importViolation(specifier: string, importer: string, domainRoot: string): string | null;
export function stripComments(source: string): string;
export function importsOf(source: string): { specifier: string; line: number }[];
export function domainImportViolations(source: string, file: string, domainRoot: string): DomainImportViolation[];
export function maskStrings(code: string): string;
