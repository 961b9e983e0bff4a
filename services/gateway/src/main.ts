import { getLogger, idleMemoryReclaimEnabled, startIdleMemoryReclaimer, startTelemetry } from '@storytelling/platform';
import { createGatewayApp, gatewayConfigOf } from './app.js';

const log = getLogger('main');

async function main(): Promise<void> {
  // Before Nest builds the app (OTEL_* unset: nothing starts); see docs/observability.md.
  await startTelemetry({ serviceName: 'gateway' });
  const app = await createGatewayApp(process.env);
  app.enableShutdownHooks(['SIGTERM', 'SIGINT']);
  const config = gatewayConfigOf(app);
  await app.listen(config.httpPort, config.host);
  // Gives the start's young generation back once idle, as bootstrapService does for the services.
  if (idleMemoryReclaimEnabled()) startIdleMemoryReclaimer();
  log.info({ url: config.publicBaseUrl, docs: `${config.publicBaseUrl}/docs`, identity: config.identityGrpcUrl, story: config.storyGrpcUrl }, 'gateway listening');
}

main().catch((err: unknown) => {
  // ConfigError messages list every problem; nothing secret is in them.
  log.fatal({ err }, err instanceof Error ? err.message : 'gateway failed to start');
  process.exitCode = 1;
});
