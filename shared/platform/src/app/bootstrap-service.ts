import { Inject, Injectable, Module, type DynamicModule, type INestApplication, type OnApplicationShutdown, type OnModuleDestroy, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Server as GrpcServer } from '@grpc/grpc-js';
import { redactConfig } from '../config/schema.js';
import { GrpcHealth } from '../health/grpc-health.js';
import { ReadinessRegistry } from '../health/readiness.js';
import { getLogger, rootLogger, setServiceName } from '../logging/logger.js';
import { collectDefaultMetrics } from '../metrics/registry.js';
import { GrpcMetricsInterceptor } from '../metrics/grpc-metrics.js';
import { httpMetricsMiddleware } from '../metrics/http-metrics.js';
import { toGrpcStatus } from '../rpc/domain-to-grpc.js';
import { GrpcContextInterceptor } from '../rpc/grpc-context.interceptor.js';
import { GrpcExceptionFilter } from '../rpc/grpc-exception.filter.js';
import { grpcServerOptions } from '../rpc/server-options.js';
import { shutdownTelemetry, startTelemetry } from '../telemetry/start-telemetry.js';
import { freePort } from './free-port.js';
import { idleMemoryReclaimEnabled, startIdleMemoryReclaimer, type IdleMemoryReclaimer } from './idle-memory.js';
import { PinoNestLogger } from './nest-logger.js';
import { PlatformCoreModule } from './platform-core.module.js';

/** The configuration bootstrapService reads (a `loadConfig(serviceConfigSchema)` result fits). */
export interface BootstrapConfig {
  readonly HOST: string;
  readonly HTTP_PORT: number;
  readonly GRPC_PORT?: number;
}

export interface BootstrapGrpcOptions {
  /** Proto package(s) whose services the module's controllers implement. */
  packages: string | readonly string[];
  /** Proto files relative to the proto root (`protoRoot()`, env PROTO_PATH) or absolute. */
  protoFiles: readonly string[];
  /** Extra proto import roots. */
  includeDirs?: readonly string[];
}

export interface BootstrapOptions<C extends BootstrapConfig> {
  /** Service name: log `service` field, metrics, readiness. */
  name: string;
  /** The service's root module. */
  module: Type<unknown> | DynamicModule;
  /** Validated configuration (loadConfig). Available to providers via @InjectConfig(). */
  config: C;
  /** Serve gRPC on GRPC_PORT (0 = a free port). */
  grpc?: BootstrapGrpcOptions;
  /** Listen to SIGTERM/SIGINT (Nest enableShutdownHooks). Default true; tests may pass false. */
  shutdownHooks?: boolean;
  /** Wait after turning not-ready before stopping intake, so load balancers notice (ms). Default 0. */
  drainDelayMs?: number;
  /** How long in-flight gRPC calls may take to finish on shutdown (ms). Default 10000. */
  grpcDrainTimeoutMs?: number;
  /** How often gRPC health re-reads the readiness registry (ms). Default 5000. */
  healthIntervalMs?: number;
  /** Give the start's memory back once idle (app/idle-memory.ts). Default true (IDLE_MEMORY_RECLAIM=off: false). */
  idleMemoryReclaim?: boolean;
}

export interface ServiceHandle {
  readonly name: string;
  readonly app: INestApplication;
  readonly httpPort: number;
  readonly httpUrl: string;
  /** Undefined without `grpc`. */
  readonly grpcPort: number | undefined;
  /** `host:port` for clients; undefined without `grpc`. */
  readonly grpcUrl: string | undefined;
  readonly readiness: ReadinessRegistry;
  readonly grpcHealth: GrpcHealth | undefined;
  /** Graceful shutdown (see bootstrapService). Idempotent. */
  close(): Promise<void>;
}

const SHUTDOWN_STEPS = Symbol.for('storytelling.platform.ShutdownSteps');

interface ShutdownSteps {
  drain(): Promise<void>;
}

/**
 * Lives in the root module, whose onModuleDestroy Nest calls before any other module's, so the
 * platform's drain runs first whichever way the app is closed (signal, handle.close(), app.close()).
 */
@Injectable()
class ShutdownCoordinator implements OnModuleDestroy, OnApplicationShutdown {
  constructor(@Inject(SHUTDOWN_STEPS) private readonly steps: ShutdownSteps) {}
  async onModuleDestroy(): Promise<void> {
    await this.steps.drain();
  }
  /** Last: the spans of the drain itself are exported too. */
  async onApplicationShutdown(): Promise<void> {
    await shutdownTelemetry().catch(() => undefined);
  }
}

@Module({})
class ServiceRootModule {}

/**
 * Boots a backend service:
 * - pino as Nest's logger (service name set), prom-client default metrics, OpenTelemetry
 *   tracing when the OTEL_* variables configure it (telemetry/start-telemetry.ts);
 * - HTTP (express) on HOST:HTTP_PORT with /health, /ready and /metrics only;
 * - gRPC (Transport.GRPC) on HOST:GRPC_PORT with the platform loader options, grpc.health.v1
 *   driven by the ReadinessRegistry, the context interceptor (correlation id, bearer token ->
 *   runWithContext), gRPC metrics, and the error filter (DomainError -> status + metadata);
 * - once serving, the idle memory reclaimer (app/idle-memory.ts: one memory-reducing GC when idle);
 * - shutdown hooks. Shutdown order: mark not-ready (HTTP /ready 503, gRPC NOT_SERVING) ->
 *   optional delay -> stop gRPC intake and drain in-flight calls (tryShutdown, forced after
 *   `grpcDrainTimeoutMs`) -> Nest hooks: messaging drains in beforeApplicationShutdown, HTTP
 *   closes, pools close in onApplicationShutdown.
 * Returns the bound ports (HTTP_PORT/GRPC_PORT 0 pick free ports, for in-process tests).
 */
export async function bootstrapService<C extends BootstrapConfig>(options: BootstrapOptions<C>): Promise<ServiceHandle> {
  const { name, config } = options;
  setServiceName(name);
  const level = (config as { LOG_LEVEL?: unknown }).LOG_LEVEL;
  if (typeof level === 'string' && (level in rootLogger.levels.values || level === 'silent')) rootLogger.level = level;
  const log = getLogger('bootstrap');
  collectDefaultMetrics();
  // Before Nest builds the app: grpc-js and pg are patched when Nest and TypeORM first load them.
  const tracing = await startTelemetry({ serviceName: name });

  let grpcServer: GrpcServer | undefined;
  let grpcHealth: GrpcHealth | undefined;
  let readiness: ReadinessRegistry | undefined;
  let drained: Promise<void> | undefined;
  let reclaimer: IdleMemoryReclaimer | undefined;

  const steps: ShutdownSteps = {
    drain: () =>
      (drained ??= (async () => {
        log.info('shutting down: not ready');
        reclaimer?.stop();
        readiness?.markShuttingDown();
        grpcHealth?.markNotServing();
        if (options.drainDelayMs) await new Promise((r) => setTimeout(r, options.drainDelayMs));
        if (grpcServer) await drainGrpc(grpcServer, options.grpcDrainTimeoutMs ?? 10_000, log);
      })()),
  };

  const root: DynamicModule = {
    module: ServiceRootModule,
    imports: [PlatformCoreModule.forRoot({ name, config }), options.module],
    providers: [{ provide: SHUTDOWN_STEPS, useValue: steps }, ShutdownCoordinator],
  };

  // Loaded here, not with the platform: the gateway imports the platform and runs on Fastify
  // (~10 MB of resident memory it would carry for nothing).
  const { ExpressAdapter } = await import('@nestjs/platform-express');
  const app = await NestFactory.create(root, new ExpressAdapter(), {
    logger: new PinoNestLogger(),
    abortOnError: false,
  });
  try {
    const registry = app.get(ReadinessRegistry);
    readiness = registry;
    app.use(httpMetricsMiddleware());
    // useProcessExit: exit via process.exit so pino flushes its buffered lines (Nest would re-raise the signal).
    if (options.shutdownHooks !== false) app.enableShutdownHooks([], { useProcessExit: true });

    let grpcPort: number | undefined;
    if (options.grpc) {
      if (config.GRPC_PORT === undefined) throw new Error(`${name}: grpc is configured but GRPC_PORT is not`);
      grpcPort = config.GRPC_PORT === 0 ? await freePort(config.HOST) : config.GRPC_PORT;
      const health = new GrpcHealth(registry, { intervalMs: options.healthIntervalMs ?? 5000 });
      grpcHealth = health;
      const packages = typeof options.grpc.packages === 'string' ? [options.grpc.packages] : [...options.grpc.packages];
      const serverOptions = grpcServerOptions({
        packages,
        protoPaths: options.grpc.protoFiles,
        url: `${config.HOST}:${grpcPort}`,
        ...(options.grpc.includeDirs ? { includeDirs: options.grpc.includeDirs } : {}),
        health,
        onServer: (server) => {
          grpcServer = server;
        },
      });
      const microservice = app.connectMicroservice(serverOptions, { inheritAppConfig: false, deferInitialization: true });
      microservice.useGlobalInterceptors(new GrpcContextInterceptor(), new GrpcMetricsInterceptor((err) => toGrpcStatus(err).code));
      microservice.useGlobalFilters(new GrpcExceptionFilter());
      // Deferred initialisation lets the globals above reach the handlers, but would make the
      // microservice run every module's init/bootstrap hooks a second time (two relays, two
      // consumers). The application runs them once, in listen().
      (microservice as unknown as { setIsInitHookCalled(called: boolean): void }).setIsInitHookCalled(true);
      await app.startAllMicroservices();
    }

    await app.listen(config.HTTP_PORT, config.HOST);
    const address: unknown = app.getHttpServer().address();
    const httpPort = typeof address === 'object' && address !== null ? (address as { port: number }).port : config.HTTP_PORT;
    grpcHealth?.start();
    if (options.idleMemoryReclaim !== false && idleMemoryReclaimEnabled()) reclaimer = startIdleMemoryReclaimer();

    const handle: ServiceHandle = {
      name,
      app,
      httpPort,
      httpUrl: `http://${urlHost(config.HOST)}:${httpPort}`,
      grpcPort,
      grpcUrl: grpcPort === undefined ? undefined : `${urlHost(config.HOST)}:${grpcPort}`,
      readiness: registry,
      grpcHealth,
      close: () => app.close(),
    };
    log.info({ config: redactConfig(config), httpPort, grpcPort, tracing }, `${name} started`);
    return handle;
  } catch (err) {
    await app.close().catch(() => undefined);
    throw err;
  }
}

/** Stops accepting calls and waits for in-flight ones; forces the rest after `timeoutMs`. */
function drainGrpc(server: GrpcServer, timeoutMs: number, log: ReturnType<typeof getLogger>): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      log.warn({ timeoutMs }, 'gRPC drain timed out; forcing shutdown');
      server.forceShutdown();
      resolve();
    }, timeoutMs);
    timer.unref();
    server.tryShutdown((err) => {
      clearTimeout(timer);
      if (err) log.warn({ err: err.message }, 'gRPC shutdown reported an error');
      else log.info('gRPC drained');
      resolve();
    });
  });
}

function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}
