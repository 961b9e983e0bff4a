export interface InfraUpResult {
  postgres: { external: boolean; started: boolean; adminUrl: string };
  kafka: { external: boolean; started: boolean; brokers: string[] };
}
export interface ComponentStatus {
  external: boolean;
  running: boolean;
  healthy: boolean;
  detail: string;
}
export function externalBrokers(): string[] | null;
export function externalPostgres(): boolean;
export function brokers(): string[];
export function infraUp(): Promise<InfraUpResult>;
export function infraDown(options?: { only?: ('postgres' | 'kafka')[] }): Promise<{ kafka: string; postgres: string }>;
export function infraStatus(): Promise<{ postgres: ComponentStatus; kafka: ComponentStatus }>;
