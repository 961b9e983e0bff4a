import { callerConfigSchema, loadConfig, serviceConfigSchema, str, type ConfigOf } from '@storytelling/platform';

/**
 * narration's environment: the platform's service variables plus where identity is (JWKS, to
 * verify callers). Add the service's own variables here, and set each in docker-compose.yaml
 * and helm/storytelling/values.yaml (deploy:check compares them).
 */
export const narrationConfigSchema = {
  ...serviceConfigSchema,
  DATABASE_SCHEMA: str({ pattern: /^[a-z_][a-z0-9_]{0,62}$/ }).default('narration'),
  ...callerConfigSchema,
};

export type NarrationConfig = ConfigOf<typeof narrationConfigSchema>;

export function loadNarrationConfig(env: NodeJS.ProcessEnv = process.env): NarrationConfig {
  return loadConfig(narrationConfigSchema, { env, service: 'narration' });
}
