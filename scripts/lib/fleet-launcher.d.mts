// Types of what TypeScript callers use from fleet-launcher.mjs (the startup bench).
export interface FleetTarget {
  databaseName: string;
  brokers: string[];
  topicPrefix?: string;
}
export interface MigrationsOptions {
  /** How many services migrate at once (default: all). */
  concurrency?: number;
  /** A service's environment (default: the launcher's, buildServiceEnv). */
  envFor?: (service: string) => NodeJS.ProcessEnv;
  /** Where a service's migration output goes (default: .data/logs/<service>.log). */
  logFileFor?: (service: string) => string;
}
export function runMigrations(target: FleetTarget, options?: MigrationsOptions): Promise<void>;
