import { Global, Inject, Module, type DynamicModule } from '@nestjs/common';
import { HealthCoreModule } from '../health/health-core.module.js';
import { HealthController } from '../health/health.controller.js';
import { MetricsController } from '../metrics/metrics.controller.js';

/** Injection token of the service's validated configuration (the object given to bootstrapService). */
export const APP_CONFIG = Symbol.for('storytelling.platform.AppConfig');
/** Injection token of the service name. */
export const SERVICE_NAME = Symbol.for('storytelling.platform.ServiceName');

/** `constructor(@InjectConfig() private readonly config: IdentityConfig)`. */
export const InjectConfig = (): ParameterDecorator => Inject(APP_CONFIG);

/**
 * What bootstrapService adds to every service: the global ReadinessRegistry (HealthCoreModule),
 * the configuration and service name as global providers, and the HTTP endpoints /health,
 * /ready and /metrics.
 */
@Global()
@Module({})
export class PlatformCoreModule {
  static forRoot(options: { name: string; config: object }): DynamicModule {
    return {
      module: PlatformCoreModule,
      global: true,
      imports: [HealthCoreModule],
      controllers: [HealthController, MetricsController],
      providers: [
        { provide: APP_CONFIG, useValue: options.config },
        { provide: SERVICE_NAME, useValue: options.name },
      ],
      exports: [APP_CONFIG, SERVICE_NAME, HealthCoreModule],
    };
  }
}
